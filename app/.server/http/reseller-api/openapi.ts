import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import { RESELLER_PROBLEMS } from "../../domain/reseller-api-error.ts";
import { Balance, Catalog, CatalogQuery, CreateWebhookEndpointBody, IdempotencyHeader, LedgerList, ListQuery, Order, OrderIdParam, OrderList, PlaceOrderBody, Problem, WebhookEndpointCreated, WebhookEndpointDeleted, WebhookEndpointIdParam, WebhookEndpointList } from "./schemas.ts";

/** The reseller API's OpenAPI 3.1 document, generated from the schemas the routes validate with. */

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: Problem } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { "application/json": { schema } } });
const rateHeaders = {
  "RateLimit-Limit": { schema: { type: "integer" as const }, description: "Requests per second for this token." },
  "RateLimit-Remaining": { schema: { type: "integer" as const } },
  "RateLimit-Reset": { schema: { type: "integer" as const }, description: "Seconds until the window resets." },
};
const common = {
  401: problem("Missing, unknown, revoked or expired token (unauthorized, token_revoked, token_expired)."),
  403: problem("Missing scope, suspended reseller, address not allowed (scope_missing, reseller_suspended, ip_not_allowed)."),
  429: { ...problem("Too many requests (rate_limited); see Retry-After."), headers: { "Retry-After": { schema: { type: "integer" as const } } } },
};

function build() {
  const r = new OpenAPIRegistry();
  const bearer = r.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "An API token from your merchant: kr_live_… (or kr_test_… for the sandbox: the same routes against test stock — catalog available 10000, orders with fake TEST-XXXX-XXXX-XXXX keys and livemode: false, a fixed balance never debited, no ledger entries, no webhooks; a kr_test_ token never sees live orders and a kr_live_ token never sees sandbox orders)." });
  const security = [{ [bearer.name]: [] }];
  const ok = (description: string, schema: z.ZodType) => ({ ...json(description, schema), headers: rateHeaders });
  r.registerPath({ method: "get", path: "/api/v1/catalog", summary: "The pools you may buy, with your price and stock", description: "Scope catalog:read.", security, request: { query: CatalogQuery }, responses: { 200: ok("Catalog", Catalog), 400: problem("Bad updated_since"), ...common } });
  r.registerPath({
    method: "post",
    path: "/api/v1/orders",
    summary: "Place an order",
    description: "Scope orders:write. Debits your balance and claims the keys in one transaction. Retry with the same Idempotency-Key: you are never charged twice.",
    security,
    request: { headers: IdempotencyHeader, body: { required: true, content: { "application/json": { schema: PlaceOrderBody } } } },
    responses: {
      201: { ...ok("The order and its keys (Idempotent-Replayed: true on a replay). status in_review: the merchant's risk rules hold the order for review — placed and charged, keys reserved for you but not in the answer (keys: []); approved → order.fulfilled and GET /api/v1/orders/{id} shows them; denied → status denied, the total credited back to your balance, order.denied", Order) },
      400: problem("Bad body (invalid_body, naming the field) or no Idempotency-Key (idempotency_key_required)"),
      ...common,
      403: problem("Missing scope, suspended reseller, address not allowed, pool not in your catalog (scope_missing, reseller_suspended, ip_not_allowed, pool_not_allowed), or order_blocked: the merchant's risk rules refused the order — nothing was charged, no key was claimed; the Idempotency-Key keeps this answer"),
      409: problem("out_of_stock, insufficient_balance, price_unavailable, idempotency_in_flight: nothing was charged"),
      422: problem("idempotency_mismatch, order_limit_exceeded, daily_limit_exceeded"),
    },
  });
  r.registerPath({ method: "get", path: "/api/v1/orders", summary: "Your orders, newest first", description: "Scope orders:read. Pass next_cursor back as cursor for the next page.", security, request: { query: ListQuery }, responses: { 200: ok("A page of orders", OrderList), 400: problem("Bad cursor or limit"), ...common } });
  r.registerPath({ method: "get", path: "/api/v1/orders/{id}", summary: "One order with its keys", description: "Scope orders:read.", security, request: { params: OrderIdParam }, responses: { 200: ok("The order", Order), 404: problem("order_not_found"), ...common } });
  r.registerPath({ method: "get", path: "/api/v1/balance", summary: "Your balance", description: "Scope balance:read.", security, responses: { 200: ok("Balance", Balance), ...common } });
  r.registerPath({ method: "get", path: "/api/v1/balance/entries", summary: "Your ledger, newest first", description: "Scope balance:read.", security, request: { query: ListQuery }, responses: { 200: ok("A page of ledger entries", LedgerList), 400: problem("Bad cursor or limit"), ...common } });
  r.registerPath({ method: "get", path: "/api/v1/webhook-endpoints", summary: "Your webhook endpoints, each with its recent deliveries", description: "Scope webhooks:write.", security, responses: { 200: ok("Endpoints", WebhookEndpointList), ...common } });
  r.registerPath({
    method: "post",
    path: "/api/v1/webhook-endpoints",
    summary: "Register a webhook endpoint",
    description: "Scope webhooks:write. Events: order.fulfilled, order.backorder_filled, key.revoked, balance.low, order.denied (an order held for review was denied: its total is credited back to your balance). Each is POSTed as JSON {id, type, created, data} (ids and counts, never keys: read them with GET /api/v1/orders/{id}), signed with the endpoint's secret; a non-2xx answer is retried with exponential backoff for three days.",
    security,
    request: { body: { required: true, content: { "application/json": { schema: CreateWebhookEndpointBody } } } },
    responses: { 201: ok("The endpoint and its signing secret (shown once)", WebhookEndpointCreated), 400: problem("Bad body (invalid_body, naming the field)"), ...common },
  });
  r.registerPath({ method: "delete", path: "/api/v1/webhook-endpoints/{id}", summary: "Delete a webhook endpoint", description: "Scope webhooks:write. Pending deliveries to it are dropped.", security, request: { params: WebhookEndpointIdParam }, responses: { 200: ok("Deleted", WebhookEndpointDeleted), 404: problem("not_found"), ...common } });
  return new OpenApiGeneratorV31(r.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "keyrelay reseller API",
      version: "1.0.0",
      description: `Buy keys wholesale. Money is integer minor units of your currency. Errors are RFC 9457 problem details whose \`type\` is \`urn:keyrelay:problem:\` followed by the \`code\`, one of: ${Object.keys(RESELLER_PROBLEMS).map((c) => "`" + c + "`").join(", ")}. The reference page is at /api/v1/docs.`,
    },
    servers: [{ url: "/" }],
  });
}

let cached: ReturnType<typeof build> | undefined;
export function resellerOpenApiDocument(): ReturnType<typeof build> {
  cached ??= build();
  return cached;
}
