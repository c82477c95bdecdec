import { parseArgs } from "node:util";
import type { Services } from "../../app/.server/runtime/services.ts";
import { createAdminUser } from "../../app/.server/use-cases/create-admin-user.ts";
import { UsageError, type Output } from "../output.ts";
import { promptHidden, readPasswordFromStdin } from "../read-password.ts";

export const adminCreateOptions = {
  email: { type: "string" },
  "password-stdin": { type: "boolean", default: false },
  account: { type: "string" },
  "account-name": { type: "string" },
  locale: { type: "string" },
} as const;

export async function adminCreate(s: Services, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({ args, options: { ...adminCreateOptions, json: { type: "boolean" } }, strict: true });
  if (!values.email) throw new UsageError("missingOption", { option: "--email" });
  let password: string;
  if (values["password-stdin"]) {
    password = await readPasswordFromStdin();
  } else if (process.stdin.isTTY) {
    password = await promptHidden(out.t("cli.passwordPrompt", { email: values.email }));
    const again = await promptHidden(out.t("cli.passwordConfirm"));
    if (again !== password) throw new UsageError("passwordMismatch");
  } else {
    throw new UsageError("passwordNeeded");
  }
  const created = await createAdminUser(s, {
    email: values.email,
    password,
    accountId: values.account,
    accountName: values["account-name"],
    locale: values.locale,
  });
  out.say(out.t("cli.adminCreated", { email: created.email, accountId: created.accountId }));
  if (created.createdAccount) out.say(out.t("cli.adminCreatedNewAccount", { url: s.config.appUrl }));
  out.result(created);
}
