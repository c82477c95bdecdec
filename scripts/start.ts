/**
 * One entry point, three roles:
 *   node scripts/start.ts               web + worker in one process (the embedded default)
 *   node scripts/start.ts --role=web    HTTP only; jobs are triggered through Redis (or swept by a worker)
 *   node scripts/start.ts --role=worker jobs only
 * Builds the app first when the build is missing or older than the sources.
 */
import { AUDIT_SEAL_INTERVAL_MS, sealAudit } from "../app/.server/use-cases/seal-audit.ts";
import { AUDIT_PRUNE_INTERVAL_MS, pruneAudit } from "../app/.server/use-cases/prune-audit.ts";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ServerBuild } from "react-router";
import { ConfigError, loadConfigFromEnvironment } from "../app/.server/config.ts";
import { createHttpApp } from "../app/.server/runtime/http-app.ts";
import { MAIN_THREAD_QUEUES, startJobThread, type JobThread } from "../app/.server/runtime/job-thread.ts";
import { startMetricsServer } from "../app/.server/runtime/metrics-endpoint.ts";
import { ShutdownGate } from "../app/.server/runtime/shutdown-gate.ts";
import { createServices } from "../app/.server/runtime/services.ts";
import { expireKeys } from "../app/.server/use-cases/expire-keys.ts";
import { recoverImports } from "../app/.server/use-cases/recover-imports.ts";
import { scheduleReconciliation } from "../app/.server/use-cases/reconcile-store.ts";
import { scheduleStockDriftRepair } from "../app/.server/use-cases/repair-stock-drift.ts";
import { runScheduledBackup } from "../app/.server/use-cases/scheduled-backup.ts";
import { startHeartbeat } from "../app/.server/runtime/process-heartbeat.ts";
import { refreshReportRollups } from "../app/.server/use-cases/refresh-report-rollups.ts";
import { checkCoverAlerts } from "../app/.server/use-cases/check-cover-alerts.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { role: { type: "string", default: "all" } } });
const role = values.role as "all" | "web" | "worker";
if (!["all", "web", "worker"].includes(role)) {
  console.error(`--role must be all, web or worker (got ${role})`);
  process.exit(2);
}

let config: import("../app/.server/config.ts").Config;
try {
  config = loadConfigFromEnvironment(root);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const serverBuild = path.join(root, "build/server/index.js");
if (role !== "worker" && buildIsStale()) {
  console.error("Building the app (react-router build)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/@react-router/dev/bin.js"), "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// A stop that arrives while the process is still starting (migrations, heartbeat, listeners) is
// remembered and honoured as soon as the shutdown below can run, instead of killing the process.
// The listeners stay installed for the whole life of the process and only what they call changes:
// removing a listener drops a signal that libuv has received but not yet dispatched to it.
let earlySignal: string | undefined;
let onSignal = (signal: string) => void (earlySignal ??= signal);
process.on("SIGTERM", () => onSignal("SIGTERM"));
process.on("SIGINT", () => onSignal("SIGINT"));

const services = await createServices(config);
const { log, startup } = services;
log.info({ role, database: startup.database, migrationsApplied: startup.migrationsApplied }, `database: ${startup.database}`);
log.info(`master key: ${startup.masterKey}`);
log.info(`jobs: ${startup.jobs}`);
log.info(`mail: ${startup.mail}`);

// "I am running": `backup restore` refuses to replace the database under a live process.
const heartbeat = await startHeartbeat(services.db, role, log);

let server: import("node:http").Server | undefined;
const gate = new ShutdownGate();
if (role !== "worker") {
  const build = (await import(pathToFileURL(serverBuild).href)) as ServerBuild;
  server = createHttpApp(services, build, path.join(root, "build"), gate).listen(config.port, config.host, () => {
    log.info(`keyrelay is listening on ${config.appUrl} (bound to ${config.host}:${config.port})`);
  });
  server.on("error", (e) => {
    log.fatal({ err: e.message }, "could not start the HTTP server");
    process.exit(1);
  });
}

// METRICS_PORT: a listener serving only /metrics, in every role (the worker has no other server).
let metricsServer: import("node:http").Server | undefined;
try {
  metricsServer = await startMetricsServer(services);
} catch (e) {
  log.fatal({ err: (e as Error).message }, "could not start the metrics listener (METRICS_PORT)");
  process.exit(1);
}

// Job timers are unref'd so they never hold up a shutdown; a worker-only process without Redis
// has nothing else keeping it alive, so it holds this handle until it is told to stop.
const keepAlive = role === "worker" ? setInterval(() => {}, 60_000) : undefined;
let jobThread: Promise<JobThread> | undefined;
let stopping = false;
// Signals are handled from here on: a stop that arrives while workers (or the job thread) are
// still starting shuts down cleanly too.
onSignal = (signal) => void shutdown(signal);
if (earlySignal) void shutdown(earlySignal);

// Workers start after the HTTP server listens: a slow or absent Redis never delays serving.

if (role !== "web") {
  // One process without Redis (the embedded default): write-back, email and stock sync on a second
  // thread, so webhooks and key claims keep this one (JOBS_THREAD=off runs everything here).
  if (role === "all" && !config.redisUrl && config.jobs.thread) {
    await services.jobs.startWorkers(MAIN_THREAD_QUEUES);
    jobThread = startJobThread(services, root);
    await jobThread;
    log.info("jobs: write-back, email and stock sync on a second thread");
  } else {
    await services.jobs.startWorkers();
  }
  // Housekeeping now and every few minutes: finish imports a crash interrupted (rolled back or
  // forward), and retire keys past their expiry.
  const housekeeping = async () => {
    await recoverImports(services).catch((e) => log.error({ err: (e as Error).message }, "import recovery failed"));
    await expireKeys(services).catch((e) => log.error({ err: (e as Error).message }, "key expiry failed"));
  };
  await housekeeping();
  setInterval(() => void housekeeping(), 5 * 60_000).unref();
  // Missed webhooks: every store is polled for paid orders on its own schedule.
  const reconcile = () => scheduleReconciliation(services).catch((e) => log.error({ err: (e as Error).message }, "scheduling reconciliation failed"));
  await reconcile();
  setInterval(() => void reconcile(), config.hosts.reconcileIntervalMs).unref();
  // Drift repair: host stock read back and hand edits corrected, first one interval after start
  // (a restart loop must not re-read every host each time).
  const repairDrift = () => scheduleStockDriftRepair(services).catch((e) => log.error({ err: (e as Error).message }, "scheduling stock drift repair failed"));
  setInterval(() => void repairDrift(), config.stock.driftIntervalMs).unref();
  // Scheduled backups (BACKUP_INTERVAL_HOURS): checked every few minutes, made when due (the last
  // one's time is in the database, so restarts make no extra ones). One at a time per process.
  if (config.backup.intervalMs) {
    let backingUp = false;
    const backup = async () => {
      if (backingUp || stopping) return;
      backingUp = true;
      await runScheduledBackup(services)
        .catch((e) => log.error({ err: (e as Error).message }, "scheduled backup failed"))
        .finally(() => (backingUp = false));
    };
    void backup();
    setInterval(() => void backup(), Math.min(config.backup.intervalMs, 5 * 60_000)).unref();
  }
  // Report rollups: changed orders folded in off the order path, one run at a time.
  let refreshing = false;
  const refreshReports = async () => {
    if (refreshing || stopping) return;
    refreshing = true;
    await refreshReportRollups(services, { maxBatches: 50 })
      .catch((e) => log.error({ err: (e as Error).message }, "report refresh failed"))
      .finally(() => (refreshing = false));
  };
  setInterval(() => void refreshReports(), config.reports.refreshIntervalMs).unref();
  // Days-of-cover alerts: each pool that has one is forecast and checked.
  const coverAlerts = () => checkCoverAlerts(services).catch((e) => log.error({ err: (e as Error).message }, "days-of-cover check failed"));
  setInterval(() => void coverAlerts(), config.reports.coverAlertIntervalMs).unref();
  // Audit chain: new audit rows hashed onto each account's chain off the order path, one run at a time.
  let sealing = false;
  const seal = async () => {
    if (sealing || stopping) return;
    sealing = true;
    await sealAudit(services)
      .catch((e) => log.error({ err: (e as Error).message }, "audit sealing failed"))
      .finally(() => (sealing = false));
  };
  setInterval(() => void seal(), AUDIT_SEAL_INTERVAL_MS).unref();
  // Audit retention (audit.retention_days): old sealed rows pruned, taking turns with the sealer.
  const prune = async () => {
    if (sealing || stopping) return;
    sealing = true;
    await pruneAudit(services)
      .then((rs) => rs.filter((r) => r.pruned > 0 || r.refused).forEach((r) => (r.refused ? log.error : log.info).call(log, { accountId: r.accountId, pruned: r.pruned, refused: r.refused }, "audit retention")))
      .catch((e) => log.error({ err: (e as Error).message }, "audit pruning failed"))
      .finally(() => (sealing = false));
  };
  setInterval(() => void prune(), AUDIT_PRUNE_INTERVAL_MS).unref();
}

/**
 * Graceful shutdown (README, "Graceful shutdown and rolling restarts"): /readyz answers 503 at
 * once while requests are still served for SHUTDOWN_DRAIN_SECONDS (the balancer stops sending);
 * then the listener closes (a webhook arriving later is refused and retried by its host, never
 * acknowledged and lost) and the jobs in hand get SHUTDOWN_JOBS_SECONDS to finish; the rest are
 * released (pending again: another worker, or the next start, runs them).
 */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const { drainMs, jobsMs } = config.shutdown;
  gate.state = "draining";
  log.info({ signal, drainSeconds: drainMs / 1000, jobsSeconds: jobsMs / 1000 }, "shutting down: /readyz answers 503 (draining)");
  // A handler that never returns must not keep the process past its orchestrator's patience.
  const failsafeMs = drainMs + jobsMs + 10_000;
  setTimeout(() => {
    log.error(`shutdown took longer than ${failsafeMs / 1000} s; exiting`);
    process.exit(1);
  }, failsafeMs).unref();
  if (server && drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
  gate.state = "closed";
  const serverClosed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server?.closeIdleConnections();
  if (server) log.info({ drainSeconds: drainMs / 1000 }, "drained: no new connections are taken");
  metricsServer?.close();
  clearInterval(keepAlive);
  // A thread still starting is waited for, then stopped: its jobs end cleanly either way.
  const thread = jobThread?.catch(() => undefined).then((t) => t?.stop({ jobsMs }));
  const [main, threads] = await Promise.all([services.jobs.stop({ limitMs: jobsMs }), thread]);
  const finished = main.finished + (threads?.finished ?? 0);
  const released = main.released + (threads?.released ?? 0);
  if (role !== "web") log.info({ finished, released }, `jobs: ${finished} in hand finished, ${released} released`);
  // Requests still in flight end before the database goes (bounded by the failsafe).
  await serverClosed;
  await heartbeat.stop();
  await services.close();
  process.exit(0);
}

function buildIsStale(): boolean {
  if (!fs.existsSync(serverBuild)) return true;
  const built = fs.statSync(serverBuild).mtimeMs;
  const newer = (p: string): boolean => {
    const st = fs.statSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).some((f) => newer(path.join(p, f)));
    return !/\.test\.tsx?$/.test(p) && st.mtimeMs > built;
  };
  return ["app", "connectors", "react-router.config.ts", "vite.config.ts", "package-lock.json"].some((p) => {
    const full = path.join(root, p);
    return fs.existsSync(full) && newer(full);
  });
}
