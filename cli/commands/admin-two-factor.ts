import type { Command } from "../command.ts";
import { disableTwoFactorByOperator, setOwnersMustUseTwoFactorByOperator } from "../../app/.server/use-cases/manage-two-factor.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * Two-step verification from the server: the machine's operator turns it off for an admin who
 * lost their phone (they sign in with the password and can set it up again), and switches the
 * account's "required for owners" setting. Both audited (actor: cli).
 */

export const adminTwoFactor: Command = {
  options: { email: { type: "string" }, disable: { type: "boolean", default: false } },
  needs: "services",
  validate(values) {
    if (!values.email) throw new UsageError("missingOption", { option: "--email" });
    if (!values.disable) throw new UsageError("missingOption", { option: "--disable" });
  },
  async run(s, values, out) {
    const done = await disableTwoFactorByOperator(s, String(values.email));
    out.say(out.t(done.wasEnabled ? "cli.twoFactorDisabled" : "cli.twoFactorWasOff", { email: done.email }));
    out.result(done);
  },
};

export const adminRequireTwoFactor: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, name: "on|off" },
  needs: "services",
  validate(values) {
    if (values._0 !== "on" && values._0 !== "off") throw new UsageError("unknownOption", { detail: String(values._0) });
  },
  async run(s, values, out) {
    const accountId = await resolveAccount(s, values.account);
    const done = await setOwnersMustUseTwoFactorByOperator(s, accountId, values._0 === "on");
    out.say(out.t(done.requireOwner2fa ? "cli.require2faOn" : "cli.require2faOff", { account: accountId }));
    out.result(done);
  },
};
