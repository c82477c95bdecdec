import { getAccount } from "../db/repositories/accounts-repo.ts";
import { countAvailable } from "../db/repositories/pools-repo.ts";
import { IgnoredError } from "../domain/errors.ts";
import { isLocale, translator } from "../../i18n/i18n.ts";
import type { Services } from "../ports.ts";
import { getPoolForecast } from "./get-pool-forecast.ts";

/** The `low-stock-alert` job: one email to the account's alert address, in the account's language. */
export async function sendLowStockAlert(s: Pick<Services, "db" | "database" | "mailer" | "config">, payload: { accountId: string; poolId: string; reason?: "threshold" | "cover" }): Promise<void> {
  const account = await getAccount(s.db, payload.accountId);
  const pool = await s.db.selectFrom("pools").select(["name", "low_stock_threshold", "low_stock_alerted_at", "cover_alerted_at", "low_stock_days"]).where("account_id", "=", payload.accountId).where("id", "=", payload.poolId).executeTakeFirst();
  if (!account || !pool) throw new IgnoredError("pool_not_found", "pool no longer exists");
  const cover = payload.reason === "cover";
  if (!(cover ? pool.cover_alerted_at : pool.low_stock_alerted_at)) throw new IgnoredError("restocked", "restocked before the alert went out");
  if (!account.alert_email) throw new IgnoredError("no_alert_email", "the account has no alert address");
  const t = translator(isLocale(account.default_locale) ? account.default_locale : "en");
  const available = await countAvailable(s.db, payload.poolId);
  const vars = { pool: pool.name, available, threshold: pool.low_stock_threshold, url: `${s.config.appUrl}/admin` };
  // "Runs out in about N days", from the pool's forecast, when there is one.
  const forecast = await getPoolForecast(s, payload.accountId, payload.poolId, { days: 30 }).catch(() => null);
  const days = forecast?.plan?.daysOfCover ?? null;
  const coverLine = available > 0 && days !== null ? t("emails.lowStock.cover", { count: days, reorder: forecast?.plan?.suggestedOrderQuantity ?? 0 }) : "";
  await s.mailer.send({
    to: account.alert_email,
    from: account.mail_from ?? undefined,
    fromName: account.mail_sender_name ?? undefined,
    subject: cover ? t("emails.lowStock.coverSubject", { pool: pool.name, count: days ?? 0 }) : t("emails.lowStock.subject", vars),
    text: t("emails.lowStock.text", vars) + (coverLine ? `\n\n${coverLine}` : ""),
  });
}
