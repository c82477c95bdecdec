import { getAccount } from "../db/repositories/accounts-repo.ts";
import { countAvailable } from "../db/repositories/pools-repo.ts";
import { IgnoredError } from "../domain/errors.ts";
import { isLocale, translator } from "../../i18n/i18n.ts";
import type { Services } from "../ports.ts";

/** The `low-stock-alert` job: one email to the account's alert address, in the account's language. */
export async function sendLowStockAlert(s: Pick<Services, "db" | "mailer" | "config">, payload: { accountId: string; poolId: string }): Promise<void> {
  const account = await getAccount(s.db, payload.accountId);
  const pool = await s.db.selectFrom("pools").select(["name", "low_stock_threshold", "low_stock_alerted_at"]).where("account_id", "=", payload.accountId).where("id", "=", payload.poolId).executeTakeFirst();
  if (!account || !pool) throw new IgnoredError("pool_not_found", "pool no longer exists");
  if (!pool.low_stock_alerted_at) throw new IgnoredError("restocked", "restocked before the alert went out");
  if (!account.alert_email) throw new IgnoredError("no_alert_email", "the account has no alert address");
  const t = translator(isLocale(account.default_locale) ? account.default_locale : "en");
  const available = await countAvailable(s.db, payload.poolId);
  const vars = { pool: pool.name, available, threshold: pool.low_stock_threshold, url: `${s.config.appUrl}/admin` };
  await s.mailer.send({
    to: account.alert_email,
    from: account.mail_from ?? undefined,
    fromName: account.mail_sender_name ?? undefined,
    subject: t("emails.lowStock.subject", vars),
    text: t("emails.lowStock.text", vars),
  });
}
