import type { Command } from "../command.ts";
import { findAdminByEmail } from "../../app/.server/db/repositories/admin-users-repo.ts";
import { findStoreByDomain } from "../../app/.server/db/repositories/stores-repo.ts";
import { parseRole } from "../../app/.server/domain/roles.ts";
import { inviteTeamMember } from "../../app/.server/use-cases/invite-team-member.ts";
import { listTeam } from "../../app/.server/use-cases/list-team.ts";
import { changeMemberRole, removeTeamMember } from "../../app/.server/use-cases/manage-team-members.ts";
import { CLI_TEAM_ACTOR } from "../../app/.server/use-cases/team-actor.ts";
import { formatDateTime } from "../../app/i18n/i18n.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * The team page's twins. The CLI acts as an owner of the account: whoever can run it on the
 * server can read the database and the master key anyway, so a role check here would protect nothing.
 */

function requireOption(values: Record<string, unknown>, name: string): void {
  if (!values[name]) throw new UsageError("missingOption", { option: `--${name}` });
}

export const teamInvite: Command = {
  options: { email: { type: "string" }, role: { type: "string" }, account: { type: "string" } },
  needs: "services",
  validate(values) {
    requireOption(values, "email");
    requireOption(values, "role");
    // A wrong role is refused before anything is opened.
    parseRole(values.role);
  },
  async run(s, values, out) {
    const accountId = await resolveAccount(s, values.account);
    const r = await inviteTeamMember(s, accountId, { email: String(values.email), role: String(values.role), locale: out.locale }, CLI_TEAM_ACTOR);
    const params = { email: r.email, role: out.t(`team.roles.${r.role}`), expires: formatDateTime(out.locale, r.expiresAt) };
    out.say(r.sent ? out.t("cli.teamInvited", params) : out.t("cli.teamInvitedNotSent", params));
    // The link's token is in the email only: never on a terminal, in a log or in --json.
    out.result({ accountId, ...r });
    if (!r.sent) process.exitCode = 1;
  },
};

export const teamList: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, values, out) {
    const accountId = await resolveAccount(s, values.account);
    const team = await listTeam(s, accountId);
    if (team.members.length + team.shopifyStaff.length + team.invitations.length === 0) out.say(out.t("cli.teamNone"));
    for (const m of team.members) {
      out.say(out.t("cli.teamMemberLine", { email: m.email, role: out.t(`team.roles.${m.role}`), lastLogin: m.lastLoginAt ? formatDateTime(out.locale, m.lastLoginAt) : out.t("team.never") }));
    }
    for (const m of team.shopifyStaff) out.say(out.t("cli.teamStaffLine", { id: m.userId, shop: m.shop, role: out.t(`team.roles.${m.role}`) }));
    for (const i of team.invitations) {
      out.say(out.t("cli.teamInvitationLine", { email: i.email, role: out.t(`team.roles.${i.role}`), state: out.t(`team.${i.state}`), expires: formatDateTime(out.locale, i.expiresAt) }));
    }
    out.result({ accountId, ...team });
  },
};

export const teamRemove: Command = {
  options: { email: { type: "string" }, account: { type: "string" } },
  needs: "services",
  validate: (values) => requireOption(values, "email"),
  async run(s, values, out) {
    const email = String(values.email).trim().toLowerCase();
    // Without --account, the member's own account (an email is one login in the installation).
    const accountId = values.account ? await resolveAccount(s, values.account) : ((await findAdminByEmail(s.db, email))?.account_id ?? (await resolveAccount(s, undefined)));
    const r = await removeTeamMember(s, accountId, { email }, CLI_TEAM_ACTOR);
    out.say(out.t("cli.teamRemoved", { email: r.email, count: r.sessionsEnded }));
    out.result({ accountId, ...r });
  },
};

/**
 * Sets a member's role: a standalone login by --email, or a Shopify staff member by --shop and
 * --user-id (as `team list` shows them). How an account from before roles gets its owner: its
 * embedded staff are all managers until one is named here (or on the team page by an owner).
 */
export const teamSetRole: Command = {
  options: { email: { type: "string" }, shop: { type: "string" }, "user-id": { type: "string" }, role: { type: "string" }, account: { type: "string" } },
  needs: "services",
  validate(values) {
    if (!values.email) {
      requireOption(values, "shop");
      requireOption(values, "user-id");
    }
    requireOption(values, "role");
    parseRole(values.role);
  },
  async run(s, values, out) {
    const role = String(values.role);
    let accountId: string;
    let member: { kind: "admin"; id: string } | { kind: "shopify"; shop: string; userId: string };
    let label: string;
    if (values.email) {
      const email = String(values.email).trim().toLowerCase();
      const admin = await findAdminByEmail(s.db, email);
      accountId = values.account ? await resolveAccount(s, values.account) : (admin?.account_id ?? (await resolveAccount(s, undefined)));
      // Not this account's login: changeMemberRole answers team_member_not_found.
      member = { kind: "admin", id: admin?.account_id === accountId ? admin.id : "" };
      label = email;
    } else {
      const shop = String(values.shop).trim().toLowerCase();
      const store = await findStoreByDomain(s.db, "shopify", shop);
      accountId = values.account ? await resolveAccount(s, values.account) : (store?.account_id ?? (await resolveAccount(s, undefined)));
      member = { kind: "shopify", shop, userId: String(values["user-id"]).trim() };
      label = out.t("cli.teamStaffName", { id: member.userId, shop });
    }
    const r = await changeMemberRole(s, accountId, member, role, CLI_TEAM_ACTOR);
    out.say(out.t("cli.teamRoleSet", { member: label, from: out.t(`team.roles.${r.from}`), to: out.t(`team.roles.${r.to}`) }));
    out.result({ accountId, member: r.member, from: r.from, to: r.to });
  },
};
