import { z } from "zod";
import { RESELLER_SCOPES } from "../../domain/reseller-scopes.ts";

/**
 * The reseller API's request and response shapes: the routes validate requests with them and the
 * OpenAPI document (openapi.ts) is generated from them, so the two cannot drift. Field names are
 * snake_case and public: never renamed.
 */

export const PlaceOrderBody = z
  .object({
    pool: z.string().min(1).max(100).meta({ description: "The pool id from GET /api/v1/catalog." }),
    quantity: z.number().int().min(1).max(1000).meta({ description: "Units (keys) to buy." }),
    reference: z.string().max(200).nullable().optional().meta({ description: "Your own reference, returned with the order." }),
    allow_backorder: z.boolean().optional().meta({ description: "false (default): all or nothing. true: take the keys there are; the rest are delivered first-in-first-out when stock arrives. Charged in full either way." }),
  })
  .strict()
  .meta({ id: "PlaceOrderRequest" });

export const Key = z.object({ code: z.string(), fields: z.record(z.string(), z.string()).optional() }).meta({ id: "Key" });

const orderFields = {
  id: z.string(),
  livemode: z.boolean().meta({ description: "false for a sandbox order (a kr_test_ token): TEST- keys that are not real, nothing charged, no webhook." }),
  status: z.enum(["fulfilled", "backordered", "cancelled", "refunded", "received", "held", "ignored", "in_review", "denied"]).meta({ description: "fulfilled: every key delivered; backordered: some units wait for stock; in_review: held by the merchant's risk rules for review (charged, keys reserved but not shown until approved); denied: the review refused it (keys never shown, the total credited back to your balance)." }),
  pool: z.string(),
  quantity: z.number().int(),
  unit_price_minor: z.number().int().meta({ description: "Integer minor units of `currency` (1250 = 12.50 USD)." }),
  total_minor: z.number().int(),
  currency: z.string(),
  reference: z.string().nullable(),
  created_at: z.string().meta({ format: "date-time" }),
  backordered_units: z.number().int(),
};

export const OrderSummary = z.object(orderFields).meta({ id: "OrderSummary" });
export const Order = z.object({ ...orderFields, keys: z.array(Key) }).meta({ id: "Order" });
export const OrderList = z.object({ data: z.array(OrderSummary), next_cursor: z.string().nullable() }).meta({ id: "OrderList" });

export const CatalogItem = z
  .object({
    id: z.string(),
    name: z.string(),
    price_minor: z.number().int().nullable().meta({ description: "Your unit price in integer minor units; null while the pool has no price for you." }),
    currency: z.string(),
    available: z.number().int().meta({ description: "Units you can buy now. With a kr_test_ token: the sandbox's fixed 10000, never used up." }),
    limits: z.object({ max_units_per_order: z.number().int().nullable(), max_units_per_day: z.number().int().nullable(), units_allowed_now: z.number().int().nullable() }),
    updated_at: z.string().meta({ format: "date-time", description: "Last change of price or stock." }),
  })
  .meta({ id: "CatalogItem" });
export const Catalog = z.object({ data: z.array(CatalogItem) }).meta({ id: "Catalog" });

export const Balance = z
  .object({
    livemode: z.boolean().meta({ description: "false with a kr_test_ token: the sandbox's fixed balance (100000000 minor units), never debited." }),
    balance_minor: z.number().int(),
    credit_limit_minor: z.number().int(), available_minor: z.number().int(), currency: z.string() })
  .meta({ id: "Balance" });
export const LedgerEntry = z
  .object({
    id: z.number().int(),
    kind: z.enum(["topup", "debit", "credit", "adjustment"]),
    amount_minor: z.number().int(),
    balance_after_minor: z.number().int(),
    currency: z.string(),
    order_id: z.string().nullable(),
    reason: z.string().nullable(),
    created_at: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "LedgerEntry" });
export const LedgerList = z.object({ data: z.array(LedgerEntry), next_cursor: z.string().nullable() }).meta({ id: "LedgerEntryList" });

export const Problem = z
  .object({
    type: z.string().meta({ description: "Stable: urn:keyrelay:problem:<code>." }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    field: z.string().optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });

export const Limit = z.coerce.number().int().min(1).max(100).default(20);
export const ListQuery = z.object({ cursor: z.string().max(500).optional(), limit: Limit });
export const CatalogQuery = z.object({ updated_since: z.iso.datetime({ offset: true }).optional().meta({ description: "Only pools whose price or stock changed after this time." }) });
export const OrderIdParam = z.object({ id: z.string().max(100) });
export const IdempotencyHeader = z.object({ "idempotency-key": z.string().min(1).max(255).meta({ description: "Required. The same key with the same body replays the first answer for 24 h; another body is 422; while the first runs, 409." }) });

export const SCOPES = RESELLER_SCOPES;

const WEBHOOK_EVENT_NAMES = ["order.fulfilled", "order.backorder_filled", "key.revoked", "balance.low", "order.denied"] as const;

export const CreateWebhookEndpointBody = z
  .object({
    url: z.string().min(1).max(2000).meta({ description: "Where events are POSTed: an https URL." }),
    events: z.array(z.enum(WEBHOOK_EVENT_NAMES)).min(1).max(10).optional().meta({ description: "The events to send; all of them when left out." }),
  })
  .strict()
  .meta({ id: "CreateWebhookEndpointRequest" });

const endpointFields = {
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_NAMES)),
  created_at: z.string(),
};

export const WebhookEndpointCreated = z
  .object({ ...endpointFields, secret: z.string().meta({ description: "The signing secret, shown only in this answer. Each event carries Keyrelay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\" with this secret>." }) })
  .meta({ id: "WebhookEndpointCreated" });

export const WebhookDelivery = z
  .object({
    id: z.number().int(),
    event_id: z.string(),
    type: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

export const WebhookEndpointList = z
  .object({ data: z.array(z.object({ ...endpointFields, recent_deliveries: z.array(WebhookDelivery) }).meta({ id: "WebhookEndpoint" })) })
  .meta({ id: "WebhookEndpointList" });

export const WebhookEndpointIdParam = z.object({ id: z.string().max(100) });
export const WebhookEndpointDeleted = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: "WebhookEndpointDeleted" });
