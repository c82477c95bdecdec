/**
 * npm run bench:stock-sync [-- --orders N] [--window MS] [--rate ORDERS_PER_S]
 * Host API calls per 1,000 orders for one pool mapped to 1 and to 20 variants, on the fake
 * Shopify (standard-plan bucket: 2,000 points, 100/s) and the fake WooCommerce, with the real
 * job worker and coalescing window, and the longest lag between an order and the host showing it.
 */
import { parseArgs } from "node:util";
import { runScenario, type ScenarioResult } from "./scenario.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "1000" }, window: { type: "string", default: "2000" }, rate: { type: "string", default: "100" } } });
const orders = Number(values.orders);
const windowMs = Number(values.window);
const rate = Number(values.rate);
const results: ScenarioResult[] = [];
for (const host of ["shopify", "woocommerce"] as const) {
  for (const variants of [1, 20]) {
    const r = await runScenario({ host, variants, orders, windowMs, rate });
    results.push(r);
    console.error(`${host} × ${variants} variant(s): done`);
  }
}
const per1000 = (n: number) => Math.round((n / orders) * 1000 * 10) / 10;
console.log(`stock sync: ${orders} orders on one pool at ${rate}/s, coalescing window ${windowMs} ms (SQLite, in-process jobs)`);
console.log("host         variants  burst s  sync jobs  API calls  writes  reads  calls/1000 orders  max lag ms  settle ms  final ok");
for (const r of results) {
  console.log(
    [r.host.padEnd(12), String(r.variants).padStart(8), String(r.burstSeconds).padStart(7), String(r.syncJobs).padStart(10), String(r.calls).padStart(10), String(r.writes).padStart(7), String(r.reads).padStart(6), String(per1000(r.calls)).padStart(18), String(r.maxLagMs).padStart(11), String(r.settleMs).padStart(10), String(r.finalOk).padStart(9)].join(" "),
  );
}
console.log(JSON.stringify({ orders, windowMs, rate, results }));
