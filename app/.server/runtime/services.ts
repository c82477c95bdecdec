import path from "node:path";
import type { Kysely } from "kysely";
import type { Config } from "../config.ts";
import type { Fingerprinter } from "../crypto/fingerprint.ts";
import type { KeyCipher } from "../crypto/key-cipher.ts";
import { loadKeyMaterial } from "../crypto/key-material.ts";
import { KeySealer } from "../crypto/key-sealer.ts";
import { loadOrCreateSecretFile } from "../crypto/secret-file.ts";
import { loadMasterKeys } from "../crypto/master-keys.ts";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { Database } from "../db/schema.ts";
import { BullMqEngine } from "../jobs/bullmq-engine.ts";
import { InProcessEngine } from "../jobs/in-process-engine.ts";
import { JobQueue } from "../jobs/job-queue.ts";
import { createLogger, type Logger } from "../logger.ts";
import { createMailer, type Mailer } from "../mail/mailer.ts";
import { registerJobHandlers } from "./register-job-handlers.ts";
import { createLoginLimiter, type LoginLimiter } from "../auth/login-limiter.ts";
import { createBuyerLimiter, type BuyerLimiter } from "../auth/buyer-limiter.ts";
import { createHostConnectors, type HostConnectors } from "./host-connectors.ts";

/**
 * Everything stateful, built once per process and handed down: to routes through the React
 * Router load context, to the worker, to the CLI. Nothing below this reads the environment.
 */
export interface Services {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  db: Kysely<Database>;
  cipher: KeyCipher;
  fingerprinter: Fingerprinter;
  /** Seals keys in bulk on worker threads (imports). */
  sealer: KeySealer;
  sessionSecret: string;
  mailer: Mailer;
  jobs: JobQueue;
  loginLimiter: LoginLimiter;
  /** Requests to the buyer key page and the checkout extension endpoint. */
  buyerLimiter: BuyerLimiter;
  /** Reaches each store's host (Shopify Admin API, WooCommerce REST) with its stored credentials. */
  connectors: HostConnectors;
  startup: StartupFacts;
  close(): Promise<void>;
}

export interface StartupFacts {
  database: string;
  masterKey: string;
  jobs: string;
  mail: string;
  migrationsApplied: string[];
}

export interface ServiceOptions {
  log?: Logger;
  /**
   * False for the job thread's services: the main thread's checkpointer already copies the SQLite
   * log (this connection keeps SQLite's own 1,000-page threshold, which it then rarely reaches).
   */
  walCheckpointer?: boolean;
}

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

    const engine = config.redisUrl ? new BullMqEngine(config.redisUrl, log, config.jobs.queuePrefix) : new InProcessEngine();
    const jobs = new JobQueue(database.db, engine, log, config.jobs);
    const mailer = createMailer(config.mail);
    const loginLimiter = createLoginLimiter(config);
    const buyerLimiter = createBuyerLimiter(config);
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
      connectors: createHostConnectors({ db: database.db, cipher: keys.cipher, config }),
      startup: {
        database: database.description,
        masterKey: master.previous.length ? `${master.source}, with ${master.previous.length} retired key(s) for a rotation` : master.source,
        jobs: config.redisUrl ? `BullMQ on ${new URL(config.redisUrl).host}` : "in-process",
        mail: mailer.description,
        migrationsApplied,
      },
      async close() {
        await jobs.stop();
        await sealer.close();
        await loginLimiter.close();
        await buyerLimiter.close();
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
