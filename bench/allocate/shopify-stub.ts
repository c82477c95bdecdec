/**
 * A minimal stand-in for the Shopify Admin GraphQL API, run as its own child process so the
 * write-back traffic (2 calls per order) costs neither the app's nor the load generator's event
 * loop more than real Shopify would. It answers only what deliver-order sends (orderNote query,
 * orderUpdate with the metafield) and what risk sends (the risk of a batch of orders or of one,
 * finished and ACCEPT; orderRiskAssessmentCreate) with canned successes and a generous throttle status, and counts
 * every call by operation name — the host-API-calls-per-order figure (issue 5 adds stock sync).
 * Not wire-faithful: test/support/fake-shopify.ts is, and validates every document; that costs
 * more CPU per call than the app itself, which would skew a throughput benchmark.
 *
 *   fork("shopify-stub.ts") → message { port }; send "counts" → message { counts }
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const counts: Record<string, number> = {};
const COST = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 1_000_000, currentlyAvailable: 1_000_000, restoreRate: 1_000_000 } };

function answer(query: string, variables: Record<string, unknown>): unknown {
  if (/\borderUpdate\s*\(/.test(query)) return { orderUpdate: { order: { id: (variables.input as { id?: string })?.id ?? null }, userErrors: [] } };
  if (/\borderRiskAssessmentCreate\s*\(/.test(query)) return { orderRiskAssessmentCreate: { orderRiskAssessment: { riskLevel: "LOW" }, userErrors: [] } };
  if (/\bmetafieldsSet\s*\(/.test(query)) return { metafieldsSet: { metafields: [], userErrors: [] } };
  if (/\borders\s*\(/.test(query)) return { orders: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } };
  if (/\bwebhookSubscriptions\s*\(/.test(query)) return { webhookSubscriptions: { nodes: [] } };
  // Shopify's analysis, finished: the default rule on CANCEL does not fire, the order is delivered.
  const risk = { recommendation: "ACCEPT", assessments: [{ riskLevel: "LOW", provider: null, facts: [] }] };
  if (/\bnodes\s*\(/.test(query) && /\brisk\s*\{/.test(query)) return { nodes: ((variables.ids as string[] | undefined) ?? []).map((id) => ({ id, risk })) };
  if (/\brisk\s*\{/.test(query)) return { order: { id: variables.id, risk: { recommendation: "ACCEPT", assessments: [{ riskLevel: "LOW", provider: null, facts: [] }] } } };
  if (/\border\s*\(/.test(query)) return { order: { id: variables.id, note: null, metafield: null } };
  return {};
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let body: { query?: string; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const query = body.query ?? "";
    const name = /\b(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous";
    counts[name] = (counts[name] ?? 0) + 1;
    const out = JSON.stringify({ data: answer(query, body.variables ?? {}), extensions: { cost: COST } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) }).end(out);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("message", (m) => {
  if (m === "counts") process.send?.({ counts: { ...counts } });
  if (m === "reset") for (const k of Object.keys(counts)) delete counts[k];
});
process.on("disconnect", () => process.exit(0));
