import crypto from "node:crypto";
import { fork } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { machineBusySeconds, postgresCpuSeconds } from "../import/measure.ts";
import { SHOPIFY_ENV } from "../../test/support/shopify-fixtures.ts";
import { openBenchDb } from "./bench-db.ts";
import { checkExactlyOnce, type Checks } from "./checks.ts";
import { measureCostPerOrder, type CostPerOrder, type CostScrapeTarget } from "./cost-per-order.ts";
import { orderTimes, waitForAllocations, waitForDeferredWork, waitForJobsDrained } from "./commits.ts";
import { freshDatabase, type BenchDialect } from "./fresh-database.ts";
import { keepAliveAgent, runStep } from "./load-generator.ts";
import { rawPostgresClaims, rawSqliteClaims, type RawResult } from "./raw-limit.ts";
import { startServer, type ServerProcess } from "./server-process.ts";
import type { BenchRiskRules } from "../risk/bench-rules.ts";
import { setupShop } from "./setup-shop.ts";
import { percentile } from "./stats.ts";

export interface DialectOptions {
  root: string;
  dialect: BenchDialect;
  rates: number[];
  seconds: number;
  warmup: { rate: number; seconds: number };
  pgUrl: string;
  redisUrl: string;
  rawClaims: number;
  rawPgClients: number;
  drainTimeoutMs: number;
  logDir: string;
  keep: boolean;
  /** Extra environment for the app's processes (experiments: JOBS_CONCURRENCY, DATABASE_POOL_SIZE, …). */
  appEnv: Record<string, string>;
  /** After a step the app could not keep up with, run only the target-rate step still ahead (if any). */
  stopWhenSaturated: boolean;
  targetRate: number;
  /** false: drop the report rollup triggers first (the cost of keeping the reports, by difference). */
  reportTriggers: boolean;
  /** The account's risk rules (issue 13's budget): the install's defaults, none, or 20 more. */
  riskRules: BenchRiskRules;
  /** Directory for V8 CPU profiles of the app's processes (written when they exit), or none. */
  profileDir?: string;
  /** Postgres + BullMQ: how many web and worker processes (issue 18's scaling table); SQLite runs one process. */
  webs?: number;
  workers?: number;
  /** The cost-per-order phase before the rate steps: this many orders at `rate`/s (0: none). */
  cost: { orders: number; rate: number };
}

export interface Latency {
  p50?: number;
  p99?: number;
  max?: number;
}

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  statuses: Record<string, number>;
  /** Acknowledgement latency (due time → 200 received), ms. */
  ackMs: Latency;
  /** Orders of this step whose key was committed. */
  committed: number;
  /** committed / (last commit − first due time). */
  committedPerS: number;
  /** Webhook recorded → allocation committed, ms. */
  commitMs: Latency;
  /** Seconds from the last send until every order of the step was committed (undefined: not within the timeout). */
  drainS?: number;
  keptUp: boolean;
  /** CPU cores used by the app's processes / Postgres / everything else (noise) over the step and its drain. */
  appCores?: number;
  postgresCores?: number;
  otherCores?: number;
  /** CPU cores of each app process over the step and its drain ("web 1", "worker 2", "all"). */
  processCores: Record<string, number>;
  maxSendLagMs: number;
}

export interface DialectResult {
  dialect: BenchDialect;
  riskRules: BenchRiskRules;
  reportTriggers: boolean;
  webs: number;
  workers: number;
  steps: StepResult[];
  /** The highest committed-orders rate of any step. */
  sustainedPerS: number;
  /** Whether some step offered more than the app could commit (otherwise sustained is a lower bound). */
  saturated: boolean;
  raw: RawResult;
  ratio: number;
  checks: Checks;
  peakRssMiB: Record<string, number | undefined>;
  writeBack: { drained: boolean; seconds: number; left: Record<string, number> };
  /** Admin API calls by operation per 1,000 orders (write-back; stock sync when it exists). */
  hostCallsPer1000: Record<string, number>;
  ordersSent: number;
  /** The deterministic cost per order (undefined with --cost-orders 0). */
  cost?: CostPerOrder;
}

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => srv.once("listening", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function startStub(root: string): Promise<{ origin: string; counts(): Promise<Record<string, number>>; stop(): void }> {
  const child = fork(path.join(root, "bench/allocate/shopify-stub.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (m: { port: number }) =>
      resolve({
        origin: `http://127.0.0.1:${m.port}`,
        counts: () =>
          new Promise((r) => {
            child.once("message", (x: { counts: Record<string, number> }) => r(x.counts));
            child.send("counts");
          }),
        stop: () => child.kill(),
      }),
    );
  });
}

/** BullMQ's keys under this run's prefix: nothing of the run stays in the shared Redis. */
async function dropQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const latency = (sorted: number[]): Latency => ({ p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) });

export async function runDialect(o: DialectOptions, say: (line: string) => void): Promise<DialectResult> {
  const db = await freshDatabase(o.dialect, { pgUrl: o.pgUrl, keep: o.keep });
  const servers: ServerProcess[] = [];
  let stub: Awaited<ReturnType<typeof startStub>> | undefined;
  const shop = `bench-${crypto.randomBytes(3).toString("hex")}.myshopify.com`;
  const queuePrefix = `keyrelay-bench-${crypto.randomBytes(4).toString("hex")}`;
  const ordersPlanned = Math.round(o.warmup.rate * o.warmup.seconds) + o.cost.orders + o.rates.reduce((n, r) => n + Math.round(r * o.seconds), 0);
  try {
    say(`setting up a shop with ${ordersPlanned.toLocaleString("en-US")} keys …`);
    const benchShop = await setupShop(db.env, shop, ordersPlanned, { reportTriggers: o.reportTriggers, riskRules: o.riskRules });
    stub = await startStub(o.root);
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      ...db.env,
      ...SHOPIFY_ENV,
      SHOPIFY_APP_URL: appUrl,
      APP_URL: appUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      SHOPIFY_ADMIN_API_ORIGIN: stub.origin,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...(o.dialect === "postgres" ? { REDIS_URL: o.redisUrl, JOBS_QUEUE_PREFIX: queuePrefix } : {}),
      ...o.appEnv,
    };
    const logFile = path.join(o.logDir, `${o.dialect}-server.log`);
    const execArgv = o.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.join(o.profileDir, o.dialect)}`] : [];
    const webs = o.dialect === "sqlite" ? 1 : Math.max(1, o.webs ?? 1);
    const workers = o.dialect === "sqlite" ? 0 : Math.max(1, o.workers ?? 1);
    // Each web process on its own port (the first is the app's URL, for links); the load goes round-robin.
    const webUrls = [appUrl];
    for (let i = 1; i < webs; i++) webUrls.push(`http://127.0.0.1:${await freePort()}`);
    const labels: string[] = [];
    // Each process's /metrics on a listener of its own (the worker has no other): the cost counters.
    const scrapeTargets: CostScrapeTarget[] = [];
    const withMetrics = async (role: string, over: Record<string, string> = {}) => {
      const metricsPort = await freePort();
      labels.push(role);
      scrapeTargets.push({ role, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
      return { ...env, ...over, METRICS_PORT: String(metricsPort) };
    };
    if (o.dialect === "sqlite") {
      servers.push(await startServer({ root: o.root, role: "all", env: await withMetrics("all"), logFile, execArgv, readyUrl: `${appUrl}/readyz` }));
    } else {
      for (const [i, url] of webUrls.entries()) {
        const label = webs > 1 ? `web ${i + 1}` : "web";
        servers.push(await startServer({ root: o.root, role: "web", env: await withMetrics(label, { PORT: new URL(url).port }), logFile, execArgv, readyUrl: `${url}/readyz` }));
      }
      for (let i = 0; i < workers; i++) {
        const label = workers > 1 ? `worker ${i + 1}` : "worker";
        servers.push(await startServer({ root: o.root, role: "worker", env: await withMetrics(label), logFile, execArgv }));
      }
    }
    say(`app up (${servers.map((s, i) => `${labels[i]} pid ${s.pid}`).join(", ")}), logs in ${path.relative(o.root, logFile)}`);

    const bench = await openBenchDb(db);
    const agent = keepAliveAgent();
    const target = { url: webUrls.map((u) => new URL(`${u}/webhooks/shopify`)), shop, secret: SHOPIFY_ENV.SHOPIFY_API_SECRET, agent };
    let seq = 0;
    let expected = 0;
    let acknowledged = 0;
    const appCpu = () => servers.reduce((n, s) => n + (s.cpuSeconds() ?? 0), 0);

    // Warm-up: JIT, connection pools, prepared statements; its orders are checked but not timed.
    const warm = await runStep({ rate: o.warmup.rate, seconds: o.warmup.seconds, firstSeq: seq }, target);
    seq += warm.sent;
    expected += warm.statuses["200"] ?? 0;
    acknowledged += warm.statuses["200"] ?? 0;
    await waitForAllocations(bench, benchShop.accountId, expected, o.drainTimeoutMs);
    await waitForJobsDrained(bench, o.drainTimeoutMs);
    say(`warm-up: ${warm.sent} orders at ${warm.rate}/s`);

    // Before the rate steps, on an idle app: the fixed-rate phase whose counts are the budget.
    let cost: CostPerOrder | undefined;
    if (o.cost.orders > 0) {
      cost = await measureCostPerOrder(
        {
          orders: o.cost.orders,
          rate: o.cost.rate,
          targets: scrapeTargets,
          hostCounts: () => stub!.counts(),
          redisUrl: o.dialect === "postgres" ? o.redisUrl : undefined,
          send: async () => {
            const load = await runStep({ rate: o.cost.rate, seconds: o.cost.orders / o.cost.rate, firstSeq: seq }, target);
            seq += load.sent;
            expected += load.statuses["200"] ?? 0;
            acknowledged += load.statuses["200"] ?? 0;
            return load.statuses["200"] ?? 0;
          },
          drained: async () => {
            if ((await waitForAllocations(bench, benchShop.accountId, expected, o.drainTimeoutMs)) === undefined) throw new Error("cost phase: orders not allocated in time");
            if (!(await waitForJobsDrained(bench, o.drainTimeoutMs)).drained) throw new Error("cost phase: jobs not drained in time");
            if (!(await waitForDeferredWork(bench, o.drainTimeoutMs))) throw new Error("cost phase: report rollups or audit sealing not caught up in time");
          },
        },
        say,
      );
    }

    const steps: StepResult[] = [];
    for (const rate of o.rates) {
      const saturatedBefore = steps.some((st) => !st.keptUp);
      if (o.stopWhenSaturated && saturatedBefore && (rate !== o.targetRate || steps.some((st) => st.rate === o.targetRate))) {
        say(`${rate}/s skipped: an earlier step already saturated the app (--keep-going runs every step)`);
        continue;
      }
      const cpu0 = process.cpuUsage();
      const app0 = appCpu();
      const each0 = servers.map((s) => s.cpuSeconds() ?? 0);
      const pg0 = postgresCpuSeconds();
      const busy0 = machineBusySeconds();
      const wall0 = performance.now();
      const load = await runStep({ rate, seconds: o.seconds, firstSeq: seq }, target);
      // Only acknowledged deliveries are sure to be recorded (a timed-out one may be too: counted below).
      expected += load.statuses["200"] ?? 0;
      acknowledged += load.statuses["200"] ?? 0;
      const lastSendAt = load.startedAt + (1000 * (load.sent - 1)) / rate;
      const allIn = await waitForAllocations(bench, benchShop.accountId, expected, o.drainTimeoutMs);
      // Each step starts from an idle app: its write-back and email jobs finish before the next one.
      const jobsLeft = await waitForJobsDrained(bench, o.drainTimeoutMs);
      const wallS = (performance.now() - wall0) / 1000;
      const appS = appCpu() - app0;
      const pgS = o.dialect === "postgres" ? postgresCpuSeconds() - pg0 : 0;
      const busy1 = machineBusySeconds();
      const own = process.cpuUsage(cpu0);
      const times = await orderTimes(bench, benchShop.accountId, shop, { from: seq, to: seq + load.sent });
      seq += load.sent;
      const committedAt = [...times.values()].map((t) => t.committedAt).filter((t): t is number => t !== undefined);
      const commitLat = [...times.values()].filter((t) => t.committedAt !== undefined && t.receivedAt !== undefined).map((t) => t.committedAt! - t.receivedAt!).sort((a, b) => a - b);
      const lastCommit = Math.max(...committedAt);
      const committedPerS = committedAt.length / ((lastCommit - load.startedAt) / 1000);
      const drainS = allIn === undefined ? undefined : Math.max(0, (lastCommit - lastSendAt) / 1000);
      const step: StepResult = {
        rate,
        seconds: o.seconds,
        sent: load.sent,
        statuses: load.statuses,
        ackMs: latency(load.latenciesMs),
        committed: committedAt.length,
        committedPerS,
        commitMs: latency(commitLat),
        drainS,
        keptUp: drainS !== undefined && drainS <= 1 && committedAt.length === load.sent && (load.statuses["200"] ?? 0) === load.sent,
        appCores: appS / wallS,
        postgresCores: o.dialect === "postgres" ? pgS / wallS : undefined,
        otherCores: busy0 !== undefined && busy1 !== undefined ? Math.max(0, (busy1 - busy0 - appS - pgS - (own.user + own.system) / 1e6) / wallS) : undefined,
        processCores: Object.fromEntries(servers.map((sv, i) => [labels[i], ((sv.cpuSeconds() ?? 0) - each0[i]) / wallS])),
        maxSendLagMs: load.maxSendLagMs,
      };
      steps.push(step);
      say(
        `${rate}/s × ${o.seconds}s: ${step.committed}/${step.sent} committed, ${committedPerS.toFixed(0)} orders/s, ack p50 ${step.ackMs.p50?.toFixed(1)} p99 ${step.ackMs.p99?.toFixed(1)} ms, ` +
          `commit p99 ${step.commitMs.p99?.toFixed(0)} ms, drain ${drainS?.toFixed(1) ?? "TIMEOUT"} s${jobsLeft.drained ? "" : `, jobs left ${JSON.stringify(jobsLeft.left)}`}`,
      );
    }

    const wb0 = performance.now();
    const writeBack = await waitForJobsDrained(bench, o.drainTimeoutMs);
    const writeBackS = (performance.now() - wb0) / 1000;
    const counts = await stub.counts();
    const checks = await checkExactlyOnce(bench, benchShop.accountId, { deliveries: seq, acknowledged });
    const peakRssMiB = Object.fromEntries(servers.map((s, i) => [labels[i], s.peakRssMiB()]));
    agent.destroy();
    await bench.close();
    for (const s of servers.splice(0)) await s.stop();

    say("raw limit …");
    const rawDb = await freshDatabase(o.dialect, { pgUrl: o.pgUrl, keep: o.keep });
    let raw: RawResult;
    try {
      raw = o.dialect === "sqlite" ? await rawSqliteClaims(rawDb, o.rawClaims) : await rawPostgresClaims(rawDb, o.rawClaims, o.rawPgClients);
    } finally {
      await rawDb.cleanup();
    }
    if (raw.distinctKeys !== raw.claims) checks.problems.push(`raw limit: ${raw.distinctKeys} distinct keys for ${raw.claims} claims`);
    const sustainedPerS = Math.max(...steps.map((s) => s.committedPerS));
    return {
      dialect: o.dialect,
      riskRules: o.riskRules,
      reportTriggers: o.reportTriggers,
      webs,
      workers,
      steps,
      sustainedPerS,
      saturated: steps.some((s) => !s.keptUp),
      raw,
      ratio: sustainedPerS / raw.claimsPerS,
      checks,
      peakRssMiB,
      writeBack: { drained: writeBack.drained, seconds: writeBackS, left: writeBack.left },
      hostCallsPer1000: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (v * 1000) / seq])),
      ordersSent: seq,
      cost,
    };
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    stub?.stop();
    await db.cleanup();
    if (o.dialect === "postgres" && !o.keep) await dropQueueKeys(o.redisUrl, queuePrefix).catch(() => {});
  }
}
