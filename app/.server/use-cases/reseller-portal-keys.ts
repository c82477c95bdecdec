import { recordAudit } from "../db/repositories/audit-repo.ts";
import { findResellerOrder } from "../db/repositories/reseller-orders-repo.ts";
import { maskCode } from "../domain/key-code.ts";
import { ResellerApiError } from "../domain/reseller-api-error.ts";
import { csvLine } from "../domain/spreadsheet-safety.ts";
import type { Services } from "../ports.ts";
import { callerRef, type ResellerCaller } from "./authenticate-reseller.ts";
import { orderView, type ResellerOrderView } from "./reseller-order-view.ts";

/**
 * An order's keys in the portal: shown masked (nothing to audit: no plaintext leaves the server),
 * revealed on request (audited, as the API's GET /orders/{id} is) and downloaded as CSV or TXT
 * (audited). Another reseller's order, or another account's, is order_not_found (404).
 */

async function loadOrder(s: Pick<Services, "db" | "cipher">, caller: ResellerCaller, orderId: string): Promise<ResellerOrderView> {
  const r = caller.reseller;
  const row = await findResellerOrder(s.db, r.account_id, r.id, orderId);
  if (!row) throw new ResellerApiError("order_not_found", "no such order");
  return orderView(s.db, s.cipher, r.account_id, row);
}

/** The order with every key and field value masked. */
export async function maskedOrder(s: Pick<Services, "db" | "cipher">, caller: ResellerCaller, orderId: string): Promise<ResellerOrderView> {
  const view = await loadOrder(s, caller, orderId);
  return { ...view, keys: view.keys.map((k) => ({ code: maskCode(k.code), ...(k.fields ? { fields: Object.fromEntries(Object.entries(k.fields).map(([n, v]) => [n, maskCode(v)])) } : {}) })) };
}

export type KeyFileFormat = "csv" | "txt";

/**
 * The order's keys as a file: CSV (UTF-8 with a BOM so spreadsheet programs read 中文 right,
 * every cell neutralised against formula injection, one column per key field) or TXT (one code
 * per line, fields after a tab). Audited before the file is made.
 */
export async function downloadOrderKeys(
  s: Pick<Services, "db" | "cipher">,
  caller: ResellerCaller,
  orderId: string,
  format: KeyFileFormat,
  ip: string | null,
): Promise<{ body: string; filename: string; contentType: string }> {
  const view = await loadOrder(s, caller, orderId);
  const r = caller.reseller;
  await recordAudit(s.db, { accountId: r.account_id, actorType: "reseller", actorId: r.id, action: "reseller.order_keys_exported", subjectType: "order", subjectId: orderId, details: { format, keys: view.keys.length, ...callerRef(caller) }, ip });
  const fieldNames = [...new Set(view.keys.flatMap((k) => Object.keys(k.fields ?? {})))];
  const safeName = `keys-${orderId.replace(/[^A-Za-z0-9_-]/g, "")}`;
  if (format === "csv") {
    const lines = [csvLine(["code", ...fieldNames]), ...view.keys.map((k) => csvLine([k.code, ...fieldNames.map((f) => k.fields?.[f] ?? "")]))];
    return { body: `\uFEFF${lines.join("\r\n")}\r\n`, filename: `${safeName}.csv`, contentType: "text/csv; charset=utf-8" };
  }
  const lines = view.keys.map((k) => [k.code, ...fieldNames.map((f) => k.fields?.[f] ?? "")].join("\t").replace(/[\r\n]/g, " "));
  return { body: lines.length ? `${lines.join("\n")}\n` : "", filename: `${safeName}.txt`, contentType: "text/plain; charset=utf-8" };
}
