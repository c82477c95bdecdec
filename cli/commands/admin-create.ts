import type { Command } from "../command.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { UsageError } from "../output.ts";
import { readNewPassword, requirePasswordSource } from "../read-password.ts";

export const adminCreate: Command = {
  options: {
    email: { type: "string" },
    "password-stdin": { type: "boolean", default: false },
    account: { type: "string" },
    "account-name": { type: "string" },
    locale: { type: "string" },
  },
  needs: "services",
  validate(values) {
    if (!values.email) throw new UsageError("missingOption", { option: "--email" });
    requirePasswordSource(values);
  },
  async run(s, values, out) {
    const email = String(values.email);
    const password = await readNewPassword(values, { first: out.t("cli.passwordPrompt", { email }), again: out.t("cli.passwordConfirm") });
    const created = await createAdminUser(s, {
      email,
      password,
      accountId: values.account as string | undefined,
      accountName: values["account-name"] as string | undefined,
      locale: values.locale as string | undefined,
    });
    out.say(out.t("cli.adminCreated", { email: created.email, accountId: created.accountId }));
    if (created.createdAccount) out.say(out.t("cli.adminCreatedNewAccount", { url: s.config.appUrl }));
    out.result(created);
  },
};
