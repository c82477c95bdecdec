import type { Command } from "../command.ts";
import { setAdminPassword } from "../../app/.server/use-cases/change-admin-password.ts";
import { signOutAdminEverywhere } from "../../app/.server/use-cases/end-admin-sessions.ts";
import { listAdminSessionsByEmail } from "../../app/.server/use-cases/list-admin-sessions.ts";
import { removeAdminUser } from "../../app/.server/use-cases/remove-admin-user.ts";
import { formatDateTime } from "../../app/i18n/i18n.ts";
import { UsageError } from "../output.ts";
import { promptHidden, readPasswordFromStdin } from "../read-password.ts";

/**
 * A standalone admin's login from the server: a new password, removal, where they are signed in,
 * and signing them out everywhere. Each ends sessions at once (the server-side records), which is
 * what an owner needs after a laptop is lost or a colleague leaves.
 */

const byEmail = { email: { type: "string" } } as const;

function requireEmail(values: Record<string, unknown>): void {
  if (!values.email) throw new UsageError("missingOption", { option: "--email" });
}

export const adminPassword: Command = {
  options: { ...byEmail, "password-stdin": { type: "boolean", default: false } },
  needs: "services",
  validate(values) {
    requireEmail(values);
    if (!values["password-stdin"] && !process.stdin.isTTY) throw new UsageError("passwordNeeded");
  },
  async run(s, values, out) {
    const email = String(values.email);
    let password: string;
    if (values["password-stdin"]) {
      password = await readPasswordFromStdin();
    } else {
      password = await promptHidden(out.t("cli.newPasswordPrompt", { email }));
      const again = await promptHidden(out.t("cli.passwordConfirm"));
      if (again !== password) throw new UsageError("passwordMismatch");
    }
    const changed = await setAdminPassword(s, { email, password });
    out.say(out.t("cli.adminPasswordChanged", { email: changed.email, count: changed.sessionsEnded }));
    out.result(changed);
  },
};

export const adminRemove: Command = {
  options: byEmail,
  needs: "services",
  validate: requireEmail,
  async run(s, values, out) {
    const removed = await removeAdminUser(s, String(values.email));
    out.say(out.t("cli.adminRemoved", { email: removed.email, count: removed.sessionsEnded }));
    out.result(removed);
  },
};

export const adminSessions: Command = {
  options: byEmail,
  needs: "services",
  validate: requireEmail,
  async run(s, values, out) {
    const listed = await listAdminSessionsByEmail(s, String(values.email));
    if (listed.sessions.length === 0) out.say(out.t("cli.adminSessionsNone", { email: listed.email }));
    for (const session of listed.sessions) {
      out.say(
        out.t("cli.adminSessionLine", {
          // The record key is long; its start is enough to tell sessions apart on a terminal.
          id: session.id.slice(0, 12),
          device: session.device ?? out.t("cli.unknownDevice"),
          ip: session.ip ?? "—",
          signedIn: formatDateTime(out.locale, session.signedInAt),
          lastSeen: formatDateTime(out.locale, session.lastSeenAt),
        }),
      );
    }
    out.result(listed);
  },
};

export const adminSignOut: Command = {
  options: byEmail,
  needs: "services",
  validate: requireEmail,
  async run(s, values, out) {
    const done = await signOutAdminEverywhere(s, String(values.email));
    out.say(out.t("cli.adminSignedOut", { email: done.email, count: done.ended }));
    out.result(done);
  },
};
