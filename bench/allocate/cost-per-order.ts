import { Redis } from "ioredis";
import { parsePrometheusText } from "../../test/support/prometheus-text.ts";

/**
 * Deterministic cost per order (issue 18): what the app's own processes counted while a fixed
 * number of orders arrived at a low fixed rate (each order handled on its own, whatever the
 * machine's speed), until their jobs, report rollups and audit sealing are done, minus what the
 * same processes counted over the idle window as long that follows (timers: the heartbeat, the job
 * sweeper, the report refresh, BullMQ's blocking reads and stalled checks, and the /metrics scrape
 * each window ends with), divided by the orders.
 *
 * Sources: each process's /metrics (keyrelay_db_*_total per thread, keyrelay_job_rows_written_total
 * per queue), the Admin API stub's counts per operation, and Redis's INFO commandstats.
 */
export interface CostScrapeTarget {
  role: string;
  metricsUrl: string;
}

/** One reading of every counter the cost is made of. */
interface Reading {
  at: number;
  /** `${role}/${thread}` → counters. */
  db: Record<string, { statements: number; transactions: number; roundTrips: number }>;
  jobRows: Record<string, number>;
  host: Record<string, number>;
  redis?: Record<string, number>;
  /** Commands clients sent (`sent`) and commands BullMQ's Lua scripts ran inside Redis (`inScripts`). */
  redisSources?: Record<string, number>;
}

export interface CostPerOrder {
  orders: number;
  rate: number;
  /** Seconds of the measured window and of the idle window subtracted from it. */
  windowS: number;
  idleS: number;
  /** Per process role and thread (web/main, worker/main; all/main, all/jobs on SQLite). */
  db: { process: string; statements: number; transactions: number; roundTrips: number }[];
  total: { statements: number; transactions: number; roundTrips: number };
  jobRows: Record<string, number>;
  hostCalls: Record<string, number>;
  /**
   * Redis commands per order (BullMQ only): executed by Redis (INFO commandstats: a Lua script's
   * calls counted one by one, and the EVALSHA too), by command, and of those how many the app's
   * connections sent and how many ran inside BullMQ's scripts (MONITOR's "lua" source).
   */
  redis?: { total: number; sent: number; inScripts: number; byCommand: Record<string, number> };
  /** Idle background per second, for reading the subtraction (database statements, Redis commands). */
  idlePerS: { statements: number; redisCommands?: number };
}

async function scrape(t: CostScrapeTarget): Promise<ReturnType<typeof parsePrometheusText>> {
  const res = await fetch(t.metricsUrl);
  if (!res.ok) throw new Error(`${t.role} ${t.metricsUrl}: HTTP ${res.status}`);
  return parsePrometheusText(await res.text());
}

export async function redisCommandStats(redis: Redis): Promise<Record<string, number>> {
  const text = await redis.info("commandstats");
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  // The bench's own INFO calls (one per reading) are not the app's.
  delete out.info;
  return out;
}

/** Counts the commands Redis reports through MONITOR: sent by a client, or run by a Lua script. */
async function monitorRedis(url: string): Promise<{ counts: Record<string, number>; stop(): void }> {
  const monitor = await new Redis(url, { maxRetriesPerRequest: 1 }).monitor();
  const counts = { sent: 0, inScripts: 0 };
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua") counts.inScripts++;
    else if (args[0]?.toLowerCase() !== "info") counts.sent++;
  });
  return { counts, stop: () => monitor.disconnect() };
}

async function read(targets: CostScrapeTarget[], hostCounts: () => Promise<Record<string, number>>, redis?: Redis, monitor?: { counts: Record<string, number> }): Promise<Reading> {
  const db: Reading["db"] = {};
  const jobRows: Record<string, number> = {};
  for (const t of targets) {
    const e = await scrape(t);
    const family = (name: string) => e.families.get(name)?.samples ?? [];
    for (const s of family("keyrelay_db_statements_total")) {
      const thread = s.labels.thread;
      db[`${t.role}/${thread}`] = {
        statements: s.value,
        transactions: e.value("keyrelay_db_transactions_total", { thread }) ?? 0,
        roundTrips: e.value("keyrelay_db_round_trips_total", { thread }) ?? 0,
      };
    }
    for (const s of family("keyrelay_job_rows_written_total")) jobRows[s.labels.queue] = (jobRows[s.labels.queue] ?? 0) + s.value;
  }
  // Redis last: the scrapes above read BullMQ's queue counts, and each window ends with one.
  const redisStats = redis ? await redisCommandStats(redis) : undefined;
  // MONITOR's stream trails the commands a little: let it catch up with the INFO just sent.
  if (monitor) await new Promise((r) => setTimeout(r, 50));
  return { at: performance.now(), db, jobRows, host: await hostCounts(), redis: redisStats, redisSources: monitor ? { ...monitor.counts } : undefined };
}

const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, (a[k] ?? 0) - (b[k] ?? 0)]));
const sum = (r: Record<string, number>) => Object.values(r).reduce((n, v) => n + v, 0);
const nonZero = (r: Record<string, number>, digits = 3) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(digits))]).filter(([, v]) => v !== 0));

export interface CostPhase {
  orders: number;
  rate: number;
  targets: CostScrapeTarget[];
  hostCounts(): Promise<Record<string, number>>;
  redisUrl?: string;
  /** Sends the orders (open loop at `rate`); resolves with how many were acknowledged. */
  send(): Promise<number>;
  /** Resolves when every sent order is allocated and no job is left pending or running. */
  drained(): Promise<void>;
}

/**
 * The orders and everything they cause (jobs, report rollups, audit sealing) in a window of at
 * least W = orders / rate + 5 s, then an idle window exactly as long: the cost is the difference
 * divided by the orders acknowledged (both windows hold the same timer ticks, give or take one).
 */
export async function measureCostPerOrder(p: CostPhase, say: (line: string) => void): Promise<CostPerOrder> {
  const redis = p.redisUrl ? new Redis(p.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  const monitor = p.redisUrl ? await monitorRedis(p.redisUrl) : undefined;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  try {
    const minWindowMs = (1000 * p.orders) / p.rate + 5_000;
    // The warm-up's last completions land outside both windows.
    await sleep(1_000);
    const r0 = await read(p.targets, p.hostCounts, redis, monitor);
    const acknowledged = await p.send();
    await p.drained();
    // The last job's BullMQ completion (and the job thread's) lands just after its row is done.
    await sleep(Math.max(500, r0.at + minWindowMs - performance.now()));
    const r1 = await read(p.targets, p.hostCounts, redis, monitor);
    await sleep(r1.at - r0.at);
    const r2 = await read(p.targets, p.hostCounts, redis, monitor);
    // busy = r1 − r0, idle = r2 − r1, scaled by their lengths (equal but for the reads themselves).
    const windowS = (r1.at - r0.at) / 1000;
    const idleS = (r2.at - r1.at) / 1000;
    const scale = windowS / idleS;
    const n = acknowledged;
    const perOrder = (busy: number, idle: number) => (busy - idle * scale) / n;
    const db = Object.keys(r2.db).map((process) => {
      const z = { statements: 0, transactions: 0, roundTrips: 0 };
      const [a, b, c] = [r0.db[process] ?? z, r1.db[process] ?? z, r2.db[process]];
      const of = (k: keyof typeof z) => perOrder(b[k] - a[k], c[k] - b[k]);
      return { process, statements: of("statements"), transactions: of("transactions"), roundTrips: of("roundTrips") };
    });
    const total = {
      statements: db.reduce((t, d) => t + d.statements, 0),
      transactions: db.reduce((t, d) => t + d.transactions, 0),
      roundTrips: db.reduce((t, d) => t + d.roundTrips, 0),
    };
    const delta = (get: (r: Reading) => Record<string, number>) => {
      const busy = minus(get(r1), get(r0));
      const idle = minus(get(r2), get(r1));
      return nonZero(Object.fromEntries(Object.keys({ ...busy, ...idle }).map((k) => [k, perOrder(busy[k] ?? 0, idle[k] ?? 0)])));
    };
    const redisByCommand = redis ? delta((r) => r.redis!) : undefined;
    const redisSources = monitor ? delta((r) => r.redisSources!) : undefined;
    const idleStatements = Object.keys(r2.db).reduce((t, k) => t + r2.db[k].statements - (r1.db[k]?.statements ?? 0), 0) / idleS;
    const result: CostPerOrder = {
      orders: n,
      rate: p.rate,
      windowS,
      idleS,
      db,
      total,
      jobRows: delta((r) => r.jobRows),
      hostCalls: delta((r) => r.host),
      redis: redisByCommand ? { total: sum(redisByCommand), sent: redisSources?.sent ?? 0, inScripts: redisSources?.inScripts ?? 0, byCommand: redisByCommand } : undefined,
      idlePerS: { statements: idleStatements, redisCommands: redis ? sum(minus(r2.redis!, r1.redis!)) / idleS : undefined },
    };
    say(`cost per order: ${n} orders at ${p.rate}/s, window ${windowS.toFixed(1)} s less ${idleS.toFixed(1)} s idle after it — ${total.statements.toFixed(2)} statements, ${total.transactions.toFixed(2)} commits, ${total.roundTrips.toFixed(2)} round trips${result.redis ? `, ${result.redis.total.toFixed(2)} Redis commands (${result.redis.sent.toFixed(2)} sent)` : ""}`);
    return result;
  } finally {
    redis?.disconnect();
    monitor?.stop();
  }
}
