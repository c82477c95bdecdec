/**
 * Allocation benchmark (issue 4): signed Shopify orders/paid webhooks sent open-loop at rising
 * rates to the running app (its own process: `scripts/start.ts`), measuring acknowledgement
 * latency, orders committed per second (receipt → allocation row) and exactly-once, and in the
 * same run the raw limit: the app's claim statement + allocation insert, one transaction per claim,
 * on plain better-sqlite3 / pg. SQLite (embedded default: one process, in-process jobs) and
 * Postgres + BullMQ (start:web + start:worker). A measurement: it exits non-zero only when a result
 * is wrong (a duplicate, a lost order) or a phase fails, never for a missed target.
 *
 *   npm run bench:allocate -- [--rates 100,250,500,1000] [--seconds 10] [--quick] [--skip-postgres]
 *                             [--only sqlite|postgres] [--raw-claims N] [--raw-pg-clients N]
 *                             [--app-env KEY=VALUE,…] [--pg-url URL] [--redis-url URL] [--keep] [--keep-going] [--profile]
 *                             [--report-triggers on|off|on,off] [--no-report-triggers] [--risk-rules defaults|none|defaults+20[,…]]
 *                             [--scale 1x1,1x2,1x4,2x2]   (Postgres: web × worker processes, each in turn)
 *                             [--cost-orders N] [--cost-rate R]
 *
 * Before the rate steps, a cost phase (issue 18): --cost-orders orders (default 200, 0: none) at
 * --cost-rate/s (default 10, low enough that every order is handled on its own) and what the app's
 * processes counted for them — statements, commits, round trips, job rows, host calls, Redis
 * commands per order: the budget in bench/allocate/README.md. Without --redis-url the Postgres run
 * gets a redis-server of its own, so Redis's command counts are this run's only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BENCH_RISK_RULES, type BenchRiskRules } from "../risk/bench-rules.ts";
import type { CostPerOrder } from "./cost-per-order.ts";
import { startPrivateRedis } from "./private-redis.ts";
import { runDialect, type DialectResult } from "./run-dialect.ts";
import { fmt, fmtInt, table } from "./stats.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

const TARGET_RATIO = 0.3;
const TARGET_P99_MS = 50;
const TARGET_P99_AT = 500;
const NOISE_CORES = 0.25;

const { values: args } = parseArgs({
  options: {
    rates: { type: "string" },
    seconds: { type: "string" },
    quick: { type: "boolean", default: false },
    "skip-postgres": { type: "boolean", default: false },
    only: { type: "string" },
    "raw-claims": { type: "string" },
    "raw-pg-clients": { type: "string", default: "8" },
    "app-env": { type: "string", default: "" },
    "pg-url": { type: "string", default: process.env.KEYRELAY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
    // Unset: a private redis-server for the run (the shared one below when redis-server is not installed).
    "redis-url": { type: "string" },
    "cost-orders": { type: "string" },
    "cost-rate": { type: "string", default: "10" },
    "drain-timeout": { type: "string", default: "180" },
    keep: { type: "boolean", default: false },
    // Without the report rollup triggers (issue 15): run once with and once without to price them.
    "no-report-triggers": { type: "boolean", default: false },
    // on,off: each in turn per database, same run, and their sustained rates side by side (issue 15's cost).
    "report-triggers": { type: "string" },
    // The account's risk rules (issue 13's 10 % budget); a list runs each in turn per database, same run.
    "risk-rules": { type: "string", default: "defaults" },
    // Run every rate even after one saturated the app (by default only the 500/s target step still runs).
    "keep-going": { type: "boolean", default: false },
    // V8 CPU profiles of the app's processes into bench/out/allocate/prof/<dialect>/ (open in Chrome DevTools).
    profile: { type: "boolean", default: false },
    // Postgres + BullMQ: web × worker processes, e.g. 1x1,1x2,1x4,2x2 (issue 18's scaling table); each in turn.
    scale: { type: "string", default: "1x1" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log("node bench/allocate/run.ts [--rates 100,250,500,1000] [--seconds 10] [--quick] [--skip-postgres] [--only sqlite|postgres] [--raw-claims N] [--raw-pg-clients N] [--app-env K=V,…] [--pg-url URL] [--redis-url URL] [--drain-timeout S] [--keep] [--cost-orders N] [--cost-rate R]");
  process.exit(0);
}

const quick = args.quick;
const rates = (args.rates ?? (quick ? "50,500" : "25,50,100,250,500,1000")).split(",").map(Number).filter((n) => n > 0);
const seconds = Number(args.seconds ?? (quick ? 2 : 5));
const rawClaims = Number(args["raw-claims"] ?? (quick ? 5000 : 30000));
const cost = { orders: Number(args["cost-orders"] ?? (quick ? 100 : 200)), rate: Number(args["cost-rate"]) };
if (!(cost.orders >= 0) || !(cost.rate > 0)) throw new Error("--cost-orders must be ≥ 0 and --cost-rate > 0");
const appEnv = Object.fromEntries(
  args["app-env"]
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const triggerModes = (args["report-triggers"] ?? (args["no-report-triggers"] ? "off" : "on")).split(",").filter(Boolean);
for (const m of triggerModes) if (m !== "on" && m !== "off") throw new Error(`--report-triggers: ${m} is not on or off`);
const riskModes = args["risk-rules"].split(",").filter(Boolean) as BenchRiskRules[];
for (const m of riskModes) if (!BENCH_RISK_RULES.includes(m)) throw new Error(`--risk-rules: ${m} is not one of ${BENCH_RISK_RULES.join(", ")}`);
const scales = args.scale.split(",").filter(Boolean).map((x) => {
  const m = /^(\d+)x(\d+)$/.exec(x);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--scale: ${x} is not WEBSxWORKERS (e.g. 1x2)`);
  return { webs: Number(m[1]), workers: Number(m[2]) };
});
const dialects = (args.only ? [args.only] : ["sqlite", ...(args["skip-postgres"] ? [] : ["postgres"])]) as ("sqlite" | "postgres")[];
const resultsDir = path.join(here, "results");
const logDir = path.join(root, "bench/out/allocate");
fs.mkdirSync(resultsDir, { recursive: true });
fs.mkdirSync(logDir, { recursive: true });

const ms = (n: number | undefined) => fmt(n, 1);

function printCost(r: DialectResult, c: CostPerOrder) {
  const name = r.dialect === "sqlite" ? "SQLite (embedded)" : "Postgres + BullMQ (web + worker)";
  console.log(`\ncost per order — ${name}: ${c.orders} orders at ${c.rate}/s, counted by the app (window ${fmt(c.windowS, 1)} s, less an idle window of ${fmt(c.idleS, 1)} s)`);
  const n = (v: number) => fmt(v, 2);
  console.log(
    table(
      ["process/thread", "SQL statements", "commits", "round trips"],
      [...c.db.map((d) => [d.process, n(d.statements), n(d.transactions), n(d.roundTrips)]), ["total", n(c.total.statements), n(c.total.transactions), n(c.total.roundTrips)]],
    ),
  );
  const list = (x: Record<string, number>) => Object.entries(x).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${n(v)}`).join(", ") || "none";
  const total = (x: Record<string, number>) => n(Object.values(x).reduce((a, b) => a + b, 0));
  console.log(`job rows ${total(c.jobRows)}: ${list(c.jobRows)}`);
  console.log(`host API calls ${total(c.hostCalls)}: ${list(c.hostCalls)}`);
  if (c.redis) console.log(`Redis commands ${n(c.redis.total)} executed (INFO commandstats), of which ${n(c.redis.sent)} sent by the app and ${n(c.redis.inScripts)} run inside BullMQ's scripts (MONITOR): ${list(c.redis.byCommand)}`);
  console.log(`idle background subtracted: ${fmt(c.idlePerS.statements, 2)} statements/s${c.idlePerS.redisCommands !== undefined ? `, ${fmt(c.idlePerS.redisCommands, 1)} Redis commands/s` : ""}`);
}

function printDialect(r: DialectResult) {
  const name = r.dialect === "sqlite" ? "SQLite (embedded default: one process, in-process jobs)" : `Postgres + BullMQ (${r.webs} start:web + ${r.workers} start:worker)`;
  console.log(`\n${name} — risk rules: ${r.riskRules}, report triggers ${r.reportTriggers ? "on" : "off"}`);
  console.log(
    table(
      ["offered/s", "sent", "non-200", "ack p50 ms", "ack p99 ms", "ack max ms", "committed", "committed/s", "commit p50 ms", "commit p99 ms", "drain s", "kept up", "app cores", "pg cores", "other cores"],
      r.steps.map((s) => [
        fmtInt(s.rate),
        fmtInt(s.sent),
        fmtInt(Object.entries(s.statuses).filter(([k]) => k !== "200").reduce((n, [, v]) => n + v, 0)),
        ms(s.ackMs.p50),
        ms(s.ackMs.p99),
        ms(s.ackMs.max),
        fmtInt(s.committed),
        fmtInt(s.committedPerS),
        fmtInt(s.commitMs.p50),
        fmtInt(s.commitMs.p99),
        s.drainS === undefined ? "timeout" : fmt(s.drainS, 1),
        s.keptUp ? "yes" : "no",
        fmt(s.appCores, 2),
        fmt(s.postgresCores, 2),
        fmt(s.otherCores, 2),
      ]),
    ),
  );
  const at = r.steps.find((s) => s.rate === TARGET_P99_AT);
  console.log(
    `sustained ${r.saturated ? "" : "≥ "}${fmtInt(r.sustainedPerS)} orders/s · raw claims ${fmtInt(r.raw.claimsPerS)}/s (${r.raw.clients} connection${r.raw.clients > 1 ? "s" : ""}) · ratio ${fmt(r.ratio, 3)} ` +
      `(target ≥ ${TARGET_RATIO}: ${r.ratio >= TARGET_RATIO ? "met" : "NOT met"}) · ack p99 at ${TARGET_P99_AT}/s ${ms(at?.ackMs.p99)} ms (target < ${TARGET_P99_MS}: ${at ? (at.ackMs.p99! < TARGET_P99_MS ? "met" : "NOT met") : "not measured"})`,
  );
  console.log(
    `exactly once: ${r.checks.ok ? "yes" : "NO"} — ${fmtInt(r.checks.orders)} orders, ${fmtInt(r.checks.allocated)} allocated, ${fmtInt(r.checks.backordered)} backordered, ` +
      `${r.checks.duplicateKeys} duplicate keys, ${r.checks.duplicateUnits} duplicate units, ${r.checks.unallocatedOrders} unallocated${r.checks.problems.length ? `; ${r.checks.problems.join("; ")}` : ""}`,
  );
  console.log(
    `peak RSS ${Object.entries(r.peakRssMiB).map(([k, v]) => `${k} ${fmt(v, 0)} MiB`).join(", ")} · write-back/email ${r.writeBack.drained ? `drained ${fmt(r.writeBack.seconds, 1)} s after the last step` : `NOT drained: ${JSON.stringify(r.writeBack.left)}`} · ` +
      `host calls per 1,000 orders: ${Object.entries(r.hostCallsPer1000).map(([k, v]) => `${k} ${fmtInt(v)}`).join(", ") || "none"}`,
  );
}

/** The comparisons across rules and triggers use one process layout: SQLite's, or the first --scale. */
const firstScale = (r: DialectResult) => r.dialect === "sqlite" || (r.webs === scales[0].webs && r.workers === scales[0].workers);

async function main(): Promise<number> {
  console.log(`keyrelay allocation benchmark — Node ${process.version}, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? "?"}`);
  console.log(`load average at the start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (the machine should be otherwise idle)`);
  console.log(`rates ${rates.join(", ")} orders/s, ${seconds} s each (open loop), 1 line × 1 unit per order${Object.keys(appEnv).length ? `; app env ${JSON.stringify(appEnv)}` : ""}`);
  const results: DialectResult[] = [];
  const failures: string[] = [];
  const privateRedis = dialects.includes("postgres") && !args["redis-url"] ? await startPrivateRedis() : undefined;
  const redisUrl = args["redis-url"] ?? privateRedis?.url ?? process.env.KEYRELAY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  if (dialects.includes("postgres")) console.log(`Redis: ${privateRedis ? `the bench's own redis-server (${redisUrl})` : `${redisUrl} (shared: its command counts include other clients)`}`);
  const runs = dialects.flatMap((dialect) => triggerModes.flatMap((triggers) => riskModes.flatMap((riskRules) => (dialect === "postgres" ? scales : [{ webs: 1, workers: 1 }]).map((scale) => ({ dialect, triggers, riskRules, scale })))));
  for (const { dialect, triggers, riskRules, scale } of runs) {
    console.log(`\n== ${dialect}, risk rules: ${riskRules}, report triggers: ${triggers}${dialect === "postgres" ? `, ${scale.webs} web × ${scale.workers} worker` : ""}`);
    try {
      const r = await runDialect(
        {
          root,
          dialect,
          rates,
          seconds,
          warmup: { rate: Math.min(50, rates[0]), seconds: quick ? 1 : 2 },
          pgUrl: args["pg-url"],
          redisUrl,
          cost,
          rawClaims: dialect === "postgres" ? Math.round(rawClaims / 3) : rawClaims,
          rawPgClients: Number(args["raw-pg-clients"]),
          drainTimeoutMs: Number(args["drain-timeout"]) * 1000,
          logDir,
          keep: args.keep,
          reportTriggers: triggers === "on",
          riskRules,
          appEnv,
          stopWhenSaturated: !args["keep-going"],
          targetRate: TARGET_P99_AT,
          profileDir: args.profile ? path.join(logDir, "prof") : undefined,
          webs: scale.webs,
          workers: scale.workers,
        },
        (line) => console.log(`  ${line}`),
      );
      results.push(r);
      if (!r.checks.ok) failures.push(`${dialect} (${riskRules}): ${r.checks.problems.join("; ")}`);
    } catch (e) {
      failures.push(`${dialect}: ${(e as Error).stack ?? e}`);
    }
  }
  privateRedis?.stop();
  for (const r of results) printDialect(r);
  for (const r of results) if (r.cost) printCost(r, r.cost);
  // Issue 15: the cost of keeping the report rollups, by difference in the same run.
  for (const dialect of dialects) {
    for (const riskRules of riskModes) {
      const on = results.find((r) => firstScale(r) && r.dialect === dialect && r.riskRules === riskRules && r.reportTriggers);
      const off = results.find((r) => firstScale(r) && r.dialect === dialect && r.riskRules === riskRules && !r.reportTriggers);
      if (!on || !off) continue;
      console.log(`\n${dialect} (risk rules ${riskRules}): report rollup triggers on against off, same run`);
      for (const r of [off, on]) console.log(`  triggers ${r.reportTriggers ? "on " : "off"}  sustained ${r.saturated ? "" : "≥ "}${fmtInt(r.sustainedPerS)} orders/s · raw ${fmtInt(r.raw.claimsPerS)}/s · ratio ${fmt(r.ratio, 3)}`);
      console.log(`  with triggers: ${fmt((on.sustainedPerS / off.sustainedPerS - 1) * 100, 1)} % sustained, ratio ${fmt(on.ratio, 3)} vs ${fmt(off.ratio, 3)}`);
    }
  }
  // Issue 13's budget: sustained allocation with rules within 10 % of the same run without them.
  for (const dialect of dialects) {
    const none = results.find((r) => firstScale(r) && r.dialect === dialect && r.riskRules === "none" && r.reportTriggers);
    if (!none || riskModes.length < 2) continue;
    console.log(`\n${dialect}: risk rules against none, same run (budget: sustained within 10 %)`);
    for (const r of results.filter((x) => firstScale(x) && x.dialect === dialect && x.reportTriggers)) {
      const at = r.steps.find((s) => s.rate === TARGET_P99_AT);
      console.log(`  ${r.riskRules.padEnd(12)} sustained ${r.saturated ? "" : "≥ "}${fmtInt(r.sustainedPerS)} orders/s (${fmt((r.sustainedPerS / none.sustainedPerS - 1) * 100, 1)} %) · raw ${fmtInt(r.raw.claimsPerS)}/s · ack p99 at ${TARGET_P99_AT}/s ${ms(at?.ackMs.p99)} ms · host calls/order ${fmt(Object.values(r.hostCallsPer1000).reduce((a, b) => a + b, 0) / 1000, 2)}`);
    }
  }

  // Issue 18's scaling table: throughput against processes, each process's CPU, and the CPU per order that predicts a bigger box.
  if (scales.length > 1) {
    for (const riskRules of riskModes) {
      const rows = results.filter((r) => r.dialect === "postgres" && r.riskRules === riskRules && r.reportTriggers);
      if (rows.length < 2) continue;
      console.log(`\nPostgres + BullMQ scaling (risk rules ${riskRules}), each row its own run; CPU at the best step`);
      console.log(
        table(
          ["web × worker", "sustained/s", "raw/s", "ratio", "ack p99 at 500/s", "web cores", "worker cores", "pg cores", "other", "app+pg CPU ms/order"],
          rows.map((r) => {
            const best = r.steps.reduce((a, b) => (b.committedPerS > a.committedPerS ? b : a));
            const at = r.steps.find((st) => st.rate === TARGET_P99_AT);
            const sum = (prefix: string) => Object.entries(best.processCores).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
            const each = (prefix: string) => Object.entries(best.processCores).filter(([k]) => k.startsWith(prefix)).map(([, v]) => fmt(v, 2)).join("+");
            return [
              `${r.webs} × ${r.workers}`,
              `${r.saturated ? "" : "≥ "}${fmtInt(r.sustainedPerS)}`,
              fmtInt(r.raw.claimsPerS),
              fmt(r.ratio, 3),
              ms(at?.ackMs.p99),
              `${fmt(sum("web"), 2)} (${each("web")})`,
              `${fmt(sum("worker"), 2)} (${each("worker")})`,
              fmt(best.postgresCores, 2),
              fmt(best.otherCores, 2),
              fmt((((best.appCores ?? 0) + (best.postgresCores ?? 0)) / best.committedPerS) * 1000, 2),
            ];
          }),
        ),
      );
    }
  }

  const noisy = results.flatMap((r) => r.steps.filter((s) => (s.otherCores ?? 0) > NOISE_CORES).map((s) => `${r.dialect} ${s.rate}/s (${fmt(s.otherCores, 2)})`));
  console.log("\nnotes:");
  console.log("  ack = due time of the delivery (open-loop schedule) → its 200; commit = webhook_events.received_at → allocations.created_at.");
  console.log("  committed/s = a step's orders with an allocation row / (last commit − the step's first due time); sustained = the best step.");
  console.log("  kept up = every order of the step committed within 1 s of its last send; when every step kept up, sustained is a lower bound (≥).");
  console.log("  write-back goes to a counting Admin API stub in its own process (bench/allocate/shopify-stub.ts); emails to the .eml outbox.");
  console.log("  app/pg/other cores = CPU per second over the step and its drain; other = machine busy − app − Postgres − the bench process (noise).");
  if (noisy.length) console.log(`  WARNING: other processes used > ${NOISE_CORES} cores during: ${noisy.join(", ")} — numbers unreliable; rerun when idle.`);
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  const file = path.join(resultsDir, `allocate-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, cores: os.availableParallelism(), rates, seconds, cost, appEnv, results, failures }, null, 2));
  console.log(`\nresults: ${path.relative(root, file)}`);
  if (failures.length) {
    console.log("\nFAILURES:");
    for (const f of failures) console.log(`  ${f}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
