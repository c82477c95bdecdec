import path from "node:path";
import type { Config } from "../config.ts";
import { loadKeyMaterial } from "../crypto/key-material.ts";
import { KeySealer } from "../crypto/key-sealer.ts";
import { loadOrCreateSecretFile } from "../crypto/secret-file.ts";
import { loadMasterKeys } from "../crypto/master-keys.ts";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { BullMqEngine } from "../jobs/bullmq-engine.ts";
import { InProcessEngine } from "../jobs/in-process-engine.ts";
import { JobQueue } from "../jobs/job-queue.ts";
import { createLogger, type Logger } from "../logger.ts";
import { createMailer } from "../mail/mailer.ts";
import { registerJobHandlers } from "./register-job-handlers.ts";
import { createLoginLimiter } from "../auth/login-limiter.ts";
import { createBuyerLimiter } from "../auth/buyer-limiter.ts";
import { createLinkCodeLimiter } from "../auth/link-code-limiter.ts";
import { createPasswordResetLimiter } from "../auth/password-reset-limiter.ts";
import { createMailTestLimiter } from "../auth/mail-test-limiter.ts";
import { createResellerRateLimiter } from "../auth/reseller-rate-limiter.ts";
import { createHostConnectors } from "./host-connectors.ts";
import { countedMailer } from "../metrics/counted-mailer.ts";
import { createPromMetrics } from "../metrics/prom-metrics.ts";
import { readOperationalGauges } from "../use-cases/read-operational-gauges.ts";
import type { Services } from "../ports.ts";


export interface ServiceOptions {
  log?: Logger;
  /**
   * False for the job thread's services: the main thread's checkpointer already copies the SQLite
   * log (this connection keeps SQLite's own 1,000-page threshold, which it then rarely reaches).
   */
  walCheckpointer?: boolean;
  /**
   * False for the job thread's services: its counters are summed into the main thread's scrape,
   * which alone reports the process metrics and the database gauges.
   */
  renderMetrics?: boolean;
}

/** The composition root: builds each port of `Services` (ports.ts) once per process. */
export async function createServices(config: Config, opts: ServiceOptions = {}): Promise<Services> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const database = openDatabase(
    config.database.dialect === "sqlite"
      ? { dialect: "sqlite", file: config.database.file, checkpointer: opts.walCheckpointer ?? true }
      : { dialect: "postgres", url: config.database.url, poolSize: config.database.poolSize },
  );
  try {
    const migrationsApplied = (await migrateToLatest(database.db, database.dialect)).applied;

    const master = loadMasterKeys({ fromEnv: config.masterKey, previousFromEnv: config.previousMasterKeys, dataDir: config.dataDir });
    const masterKey = master.current;
    const keys = await loadKeyMaterial(database.db, masterKey, master.previous);
    const sessionSecret =
      config.sessionSecret ?? loadOrCreateSecretFile(path.join(config.dataDir, "session.secret"), 32).secret.toString("base64");

    const renders = opts.renderMetrics ?? true;
    const exposed = config.metrics.token !== undefined || config.metrics.port !== undefined;
    // The gauges read through `jobs`, built just below; they are only read when Prometheus scrapes.
    let gaugeDeps: Parameters<typeof readOperationalGauges>[0] | undefined;
    const metrics = createPromMetrics({
      exposed,
      processMetrics: renders,
      readGauges: renders ? () => readOperationalGauges(gaugeDeps!) : undefined,
      database: { counters: database.counters, thread: renders ? "main" : "jobs" },
    });
    const engine = config.redisUrl ? new BullMqEngine(config.redisUrl, log, config.jobs.queuePrefix) : new InProcessEngine();
    const jobs = new JobQueue(database.db, engine, log, config.jobs, metrics);
    gaugeDeps = { db: database.db, jobs, log };
    const mailer = countedMailer(createMailer(config.mail), metrics);
    const loginLimiter = createLoginLimiter(config);
    const buyerLimiter = createBuyerLimiter(config);
    const linkCodeLimiter = createLinkCodeLimiter(config);
    const passwordResetLimiter = createPasswordResetLimiter(config);
    const mailTestLimiter = createMailTestLimiter(config);
    const resellerRateLimiter = createResellerRateLimiter(config);
    const sealer = new KeySealer({ masterKey, fingerprintSecret: keys.fingerprintSecret, cipher: keys.cipher, fingerprinter: keys.fingerprinter });

    const services: Services = {
      config,
      log,
      database,
      db: database.db,
      cipher: keys.cipher,
      fingerprinter: keys.fingerprinter,
      sealer,
      sessionSecret,
      mailer,
      jobs,
      loginLimiter,
      buyerLimiter,
      linkCodeLimiter,
      passwordResetLimiter,
      mailTestLimiter,
      connectors: createHostConnectors({ db: database.db, cipher: keys.cipher, config, metrics }),
      startup: {
        database: database.description,
        masterKey: master.previous.length ? `${master.source}, with ${master.previous.length} retired key(s) for a rotation` : master.source,
        jobs: config.redisUrl ? `BullMQ on ${new URL(config.redisUrl).host}` : "in-process",
        mail: mailer.description,
        migrationsApplied,
      },
      resellerRateLimiter,
      metrics,
      async close() {
        await jobs.stop();
        await sealer.close();
        await loginLimiter.close();
        await buyerLimiter.close();
        await linkCodeLimiter.close();
        await passwordResetLimiter.close();
        await mailTestLimiter.close();
        await resellerRateLimiter.close();
        mailer.close();
        await database.close();
      },
    };
    registerJobHandlers(services);
    return services;
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
}
