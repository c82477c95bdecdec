import { sql } from "kysely";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Store } from "../db/schema.ts";
import type { Services } from "../ports.ts";

export type ComplianceRequest =
  | { type: "customer_data_request" | "customer_redact"; customerEmail: string | null; customerId: string | null; orderIds: string[] }
  | { type: "shop_redact" };

/**
 * Shopify's mandatory privacy webhooks, each recorded in compliance_requests with what it found:
 * - customers/data_request: what keyrelay holds about that buyer (their orders here: names, dates,
 *   products, how many keys) — the merchant answers the buyer from this record.
 * - customers/redact: erase the buyer's personal data (email, name, language) from their orders
 *   and the stored webhook payloads; the orders, lines and key allocations stay, anonymised, because
 *   they are the merchant's sales and stock records.
 * - shop/redact (48 h after uninstall): erase the shop's data: its orders (with lines, allocations,
 *   deliveries), webhook payloads, sessions and credentials. The account's pools and keys are the
 *   merchant's own inventory, not the shop's, and stay.
 */
export async function handleComplianceRequest(s: Pick<Services, "db">, store: Pick<Store, "id" | "account_id" | "domain">, request: ComplianceRequest, webhookEventId: number | null): Promise<Record<string, unknown>> {
  return s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    let summary: Record<string, unknown>;
    if (request.type === "shop_redact") {
      const orders = await trx.deleteFrom("orders").where("store_id", "=", store.id).executeTakeFirst();
      const events = await trx.updateTable("webhook_events").set({ payload: "{}" }).where("store_id", "=", store.id).executeTakeFirst();
      await trx.deleteFrom("shopify_sessions").where("shop", "=", store.domain).execute();
      await trx.updateTable("stores").set({ credentials_ciphertext: null, credentials_key_id: null, webhook_secret_ciphertext: null, webhook_secret_key_id: null, status: "uninstalled", updated_at: now }).where("id", "=", store.id).execute();
      summary = { ordersErased: Number(orders.numDeletedRows), webhookPayloadsErased: Number(events.numUpdatedRows) };
    } else {
      const ids = request.orderIds;
      const email = request.customerEmail;
      const orders =
        ids.length || email || request.customerId
          ? await trx
              .selectFrom("orders")
              .select(["id", "external_id", "name", "placed_at", "status", "email"])
              .where("store_id", "=", store.id)
              .where((eb) =>
                eb.or([
                  ...(ids.length ? [eb("external_id", "in", ids)] : []),
                  ...(email ? [eb("email", "=", email)] : []),
                  ...(request.customerId ? [eb("customer_id", "=", request.customerId)] : []),
                ]),
              )
              .execute()
          : [];
      if (request.type === "customer_data_request") {
        const keys = orders.length
          ? await trx
              .selectFrom("allocations as a")
              .innerJoin("order_lines as l", "l.id", "a.order_line_id")
              .select(["l.order_id", "l.title", (eb) => eb.fn.countAll<number>().as("n")])
              .where("l.order_id", "in", orders.map((o) => o.id))
              .where("a.status", "=", "allocated")
              .groupBy(["l.order_id", "l.title"])
              .execute()
          : [];
        summary = {
          orders: orders.map((o) => ({
            order: o.name ?? o.external_id,
            placedAt: o.placed_at,
            status: o.status,
            products: keys.filter((k) => k.order_id === o.id).map((k) => ({ title: k.title, keys: Number(k.n) })),
          })),
          personalData: ["email", "customer name", "customer id", "language"],
        };
      } else {
        if (orders.length) {
          await trx.updateTable("orders").set({ email: null, customer_name: null, customer_id: null, confirmation_number: null, locale: null, updated_at: now }).where("id", "in", orders.map((o) => o.id)).execute();
        }
        let erased = 0;
        if (email) {
          // Stored payloads keep the buyer's address only inside the JSON: find them by it.
          const pattern = `%${email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          const r = await trx
            .updateTable("webhook_events")
            .set({ payload: "{}" })
            .where("store_id", "=", store.id)
            .where(sql<boolean>`payload like ${pattern} escape '\\'`)
            .executeTakeFirst();
          erased = Number(r.numUpdatedRows);
        }
        summary = { ordersAnonymised: orders.length, webhookPayloadsErased: erased };
      }
    }
    const kind = request.type === "shop_redact" ? "shop/redact" : request.type === "customer_redact" ? "customers/redact" : "customers/data_request";
    await trx
      .insertInto("compliance_requests")
      .values({
        account_id: store.account_id,
        store_id: request.type === "shop_redact" ? null : store.id,
        kind,
        // A redaction does not keep the address it erased.
        customer_email: request.type === "customer_data_request" ? request.customerEmail : null,
        customer_id: request.type === "shop_redact" ? null : request.customerId,
        order_ids: JSON.stringify(request.type === "shop_redact" ? [] : request.orderIds),
        summary: JSON.stringify(summary),
        webhook_event_id: webhookEventId,
        created_at: now,
      })
      .execute();
    await recordAudit(trx, { accountId: store.account_id, actorType: "system", action: `compliance.${kind}`, subjectType: "store", subjectId: store.id, details: summary });
    return summary;
  });
}
