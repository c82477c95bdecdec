import type { Command, OptionValues } from "../command.ts";
import type { Services } from "../../app/.server/ports.ts";
import type { Output } from "../output.ts";
import { setAdminPassword } from "../../app/.server/use-cases/change-admin-password.ts";
import { signOutAdminEverywhere } from "../../app/.server/use-cases/end-admin-sessions.ts";
import { listAdminSessionsByEmail } from "../../app/.server/use-cases/list-admin-sessions.ts";
import { removeAdminUser } from "../../app/.server/use-cases/remove-admin-user.ts";
import { formatDateTime } from "../../app/i18n/i18n.ts";
import { UsageError } from "../output.ts";
import { readNewPassword, requirePasswordSource } from "../read-password.ts";

/**
 * A standalone admin's login from the server: a new password, removal, where they are signed in,
 * and signing them out everywhere. Each ends sessions at once (the server-side records), which is
 * what an owner needs after a laptop is lost or a colleague leaves.
 */

const byEmail = { email: { type: "string" } } as const;

function requireEmail(values: OptionValues): void {
  if (!values.email) throw new UsageError("missingOption", { option: "--email" });
}

/** A command that takes only --email and acts on that admin. */
function forEmail(run: (s: Services, email: string, out: Output) => Promise<void>): Command {
  return {
    options: byEmail,
    needs: "services",
    validate: requireEmail,
    run: (s, values, out) => run(s, String(values.email), out),
  };
}

export const adminPassword: Command = {
  options: {
    ...byEmail,
    "password-stdin": { type: "boolean", default: false },
  },
  needs: "services",
  validate(values) {
    requireEmail(values);
    requirePasswordSource(values);
  },
  async run(s, values, out) {
    const email = String(values.email);
    const password = await readNewPassword(values, {
      first: out.t("cli.newPasswordPrompt", { email }),
      again: out.t("cli.passwordConfirm"),
    });
    const changed = await setAdminPassword(s, { email, password });
    out.say(
      out.t("cli.adminPasswordChanged", {
        email: changed.email,
        count: changed.sessionsEnded,
      }),
    );
    out.result(changed);
  },
};

export const adminRemove = forEmail(async (s, email, out) => {
  const removed = await removeAdminUser(s, email);
  out.say(
    out.t("cli.adminRemoved", {
      email: removed.email,
      count: removed.sessionsEnded,
    }),
  );
  out.result(removed);
});

export const adminSessions = forEmail(async (s, email, out) => {
  const listed = await listAdminSessionsByEmail(s, email);
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
});

export const adminSignOut = forEmail(async (s, email, out) => {
  const done = await signOutAdminEverywhere(s, email);
  out.say(out.t("cli.adminSignedOut", { email: done.email, count: done.ended }));
  out.result(done);
});
