import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads the environment. Everything else receives a `Config`.
 * A bad value stops start-up with a message naming the variable and what is wrong.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: port.default(3000),
  HOST: z.string().default("0.0.0.0"),
  // Behind a reverse proxy, the number of proxy hops to trust for the client address (0: none).
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  APP_URL: z.url({ protocol: /^https?$/ }).optional().or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().default("data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(postgres(ql)?:\/\/|file:|sqlite:)/, "must start with postgres://, postgresql://, file: or sqlite:")
      .optional(),
  ),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://").optional()),
  KEYRELAY_MASTER_KEY: optionalString.pipe(
    z
      .string()
      .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
      .optional(),
  ),
  // During a master key rotation: the keys being retired, comma-separated, so old rows stay readable.
  KEYRELAY_PREVIOUS_MASTER_KEYS: optionalString.pipe(
    z
      .string()
      .refine((v) => v.split(",").every((k) => Buffer.from(k.trim(), "base64").length === 32), "each key must be 32 bytes, base64-encoded")
      .optional(),
  ),
  SESSION_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional()),
  MAIL_FROM: z.string().default("keyrelay <no-reply@localhost>"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DEFAULT_LOCALE: z.enum(["en", "zh-CN"]).default("en"),
  // The CLI speaks the terminal's language (LANG=zh_CN.UTF-8 → 简体中文) unless --locale says otherwise.
  LANG: z.string().optional(),
  JOBS_CONCURRENCY: positiveInt.default(4),
  JOBS_SWEEP_INTERVAL_MS: positiveInt.default(15_000),
  JOBS_LOCK_TIMEOUT_MS: positiveInt.default(5 * 60_000),
  // Embedded default (`npm start`, no Redis): write-back, email and stock sync run on a second
  // thread, so answering webhooks and claiming keys keep the main thread to themselves.
  JOBS_THREAD: z.enum(["on", "off"]).default("on"),
  // Reseller webhook endpoints must be https; "on" also accepts http (tests, a private network).
  RESELLER_WEBHOOKS_ALLOW_HTTP: z.enum(["on", "off"]).default("off"),
  // Redis key prefix for BullMQ: two keyrelay installations can share one Redis.
  JOBS_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only").default("keyrelay"),
  // Graceful shutdown (README, "Graceful shutdown and rolling restarts"): on SIGTERM /readyz
  // answers 503 at once and requests are still served for SHUTDOWN_DRAIN_SECONDS (the balancer
  // stops sending), then no new connection is taken; the jobs in hand get SHUTDOWN_JOBS_SECONDS
  // to finish and the rest are released to another worker (or the next start).
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(600).default(5),
  SHUTDOWN_JOBS_SECONDS: z.coerce.number().int().min(0).max(600).default(15),
  // Sign-in limits (README, "Sign-in limits"). Per email and client (its IP, or a browser that
  // signed in to that email before): LOGIN_MAX_ATTEMPTS failures are free, then each attempt
  // waits, from LOGIN_DELAY_SECONDS doubling per failure up to LOGIN_MAX_DELAY_SECONDS; the
  // failures are forgotten LOGIN_WINDOW_SECONDS after the last wait ends.
  LOGIN_MAX_ATTEMPTS: positiveInt.default(5),
  LOGIN_DELAY_SECONDS: positiveInt.default(1),
  LOGIN_MAX_DELAY_SECONDS: positiveInt.default(15 * 60),
  LOGIN_WINDOW_SECONDS: positiveInt.default(24 * 3600),
  // Per IP, whatever the email (spraying many accounts): failures per window, then refused till it ends.
  LOGIN_IP_MAX_FAILURES: positiveInt.default(20),
  LOGIN_IP_WINDOW_SECONDS: positiveInt.default(15 * 60),
  // Per email from everywhere except its known browsers: high, so only a distributed attack reaches it.
  LOGIN_EMAIL_MAX_FAILURES: positiveInt.default(100),
  LOGIN_EMAIL_WINDOW_SECONDS: positiveInt.default(3600),
  // How long a browser stays known to the emails that signed in on it (the keyrelay_device cookie).
  LOGIN_DEVICE_DAYS: positiveInt.max(3650).default(365),
  // The largest key file the admin UI accepts for an import, in bytes (default 200 MiB).
  IMPORT_MAX_BYTES: positiveInt.default(200 * 1024 * 1024),
  SHOPIFY_API_KEY: optionalString,
  SHOPIFY_API_SECRET: optionalString,
  SHOPIFY_APP_URL: optionalString.pipe(z.url().optional()),
  SHOPIFY_SCOPES: z.string().default("read_orders,write_orders,read_products,read_inventory,write_inventory,read_locations,read_shopify_payments_disputes"),
  // Test-only: where the integration suite finds its real services.
  SHOPIFY_ADMIN_API_ORIGIN: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  HOST_REQUEST_TIMEOUT_MS: positiveInt.default(15_000),
  RECONCILE_INTERVAL_MINUTES: positiveInt.default(5),
  RECONCILE_LOOKBACK_HOURS: positiveInt.default(72),
  // Stock changes within this window become one host update per mapped item.
  STOCK_SYNC_WINDOW_MS: positiveInt.max(600_000).default(2_000),
  // How often host stock is read back and hand edits corrected.
  STOCK_DRIFT_INTERVAL_MINUTES: positiveInt.default(60),
  // How often changed orders are folded into the report rollups (a report read also folds them in).
  REPORTS_REFRESH_INTERVAL_MS: positiveInt.min(500).max(3_600_000).default(10_000),
  // How often pools with a days-of-cover alert are forecast and checked.
  COVER_ALERT_INTERVAL_MINUTES: positiveInt.max(1440).default(60),
  // How long a signed key-page link (in the order note and the email) stays valid.
  BUYER_LINK_DAYS: positiveInt.max(3650).default(30),
  // Buyer key page and extension endpoint: requests per minute per IP (per shop: 20× that).
  BUYER_RATE_LIMIT_PER_MINUTE: positiveInt.default(60),
  // Reseller API: requests per second per token, and the burst above it (a reseller may override both).
  RESELLER_API_RATE_PER_SECOND: positiveInt.default(10),
  RESELLER_API_BURST: positiveInt.default(50),
  // Prometheus metrics (README "Metrics"): off unless one of these is set. The token guards /metrics
  // on the app's own port (Authorization: Bearer …); the port opens a listener serving only
  // /metrics (and asks for the token too when both are set), on METRICS_HOST.
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters (openssl rand -hex 32)").optional()),
  METRICS_PORT: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), port.optional()),
  METRICS_HOST: z.string().default("127.0.0.1"),
  // Backups (README, "Backups"): where `backup create` and the schedule write, how often the app
  // makes one itself (unset or 0: never), and how many of the newest the schedule keeps.
  BACKUP_DIR: optionalString,
  BACKUP_INTERVAL_HOURS: z.coerce.number().min(0).max(24 * 365).default(0),
  BACKUP_KEEP: positiveInt.max(10_000).default(14),
  // A passphrase for encrypted backups (--encrypt, and the schedule's when set); at least 12 characters.
  BACKUP_PASSPHRASE: optionalString.pipe(z.string().min(12, "must be at least 12 characters").optional()),
  CI: z
    .string()
    .optional()
    .transform((v) => v === "true" || v === "1"),
  KEYRELAY_TEST_POSTGRES_URL: z.string().default("postgres://postgres@127.0.0.1:5432/test"),
  KEYRELAY_TEST_REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  port: number;
  host: string;
  trustProxy: number;
  appUrl: string;
  dataDir: string;
  database:
    | { dialect: "sqlite"; file: string }
    | { dialect: "postgres"; url: string; poolSize: number };
  redisUrl?: string;
  masterKey?: Buffer;
  previousMasterKeys: Buffer[];
  sessionSecret?: string;
  mail: { smtpUrl?: string; outboxDir: string; from: string };
  logLevel: Env["LOG_LEVEL"];
  defaultLocale: Env["DEFAULT_LOCALE"];
  /** The terminal's language tag (LANG), for the CLI's human-readable output. */
  terminalLanguage?: string;
  jobs: { concurrency: number; sweepIntervalMs: number; lockTimeoutMs: number; queuePrefix: string; thread: boolean };
  /** Graceful shutdown: see EnvSchema's SHUTDOWN_*. */
  shutdown: { drainMs: number; jobsMs: number };
  /** Sign-in limits: see EnvSchema's LOGIN_* and auth/login-limiter.ts. */
  login: {
    maxAttempts: number;
    delaySeconds: number;
    maxDelaySeconds: number;
    windowSeconds: number;
    ipMaxFailures: number;
    ipWindowSeconds: number;
    emailMaxFailures: number;
    emailWindowSeconds: number;
    deviceDays: number;
  };
  /** Admin uploads of key files: the size limit, and where an upload waits (0600) between preview and import. */
  import: { maxBytes: number; tmpDir: string };
  shopify?: { apiKey: string; apiSecret: string; appUrl: string; scopes: string[] };
  hosts: {
    /** Replaces `https://{shop}` for Admin API calls: a proxy, or the fake Shopify in tests. */
    shopifyAdminOrigin?: string;
    requestTimeoutMs: number;
    /** How often every store is polled for paid orders its webhooks may have missed. */
    reconcileIntervalMs: number;
    /** How far back the first reconciliation of a store looks. */
    reconcileLookbackMs: number;
  };
  /** Stock sync: the coalescing window, and how often drift repair reads host stock back. */
  stock: { syncWindowMs: number; driftIntervalMs: number };
  /** Report rollups: how often the worker folds changed orders in. */
  reports: { refreshIntervalMs: number; coverAlertIntervalMs: number };
  /** The buyer's key page and the checkout extension's endpoint. */
  buyer: { linkDays: number; ratePerMinute: number };
  /** The reseller API's default rate limit per token. */
  resellerApi: { ratePerSecond: number; burst: number };
  /** Webhooks to resellers: whether http endpoints are accepted (https always is). */
  resellerWebhooks: { allowHttp: boolean };
  /** Prometheus metrics: exposed when `token` or `port` is set (see EnvSchema's METRICS_*). */
  metrics: { token?: string; port?: number; host: string };
  /** Backups: the folder, the schedule (0: off) and how many scheduled backups are kept. */
  backup: { dir: string; intervalMs: number; keep: number; passphrase?: string };
  test: { ci: boolean; postgresUrl: string; redisUrl: string };
}

export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[];
  constructor(problems: { variable: string; message: string }[]) {
    super(
      "Invalid configuration:\n" + problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * `baseDir` anchors relative paths (DATA_DIR, a sqlite: URL): the project root for `npm start`
 * and the CLI, so both find the same data/ wherever they are started from.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, opts: { baseDir?: string } = {}): Config {
  const baseDir = opts.baseDir ?? process.cwd();
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(baseDir, e.DATA_DIR);
  const shopifyParts = [e.SHOPIFY_API_KEY, e.SHOPIFY_API_SECRET, e.SHOPIFY_APP_URL];
  const shopifyCount = shopifyParts.filter(Boolean).length;
  if (shopifyCount > 0 && shopifyCount < 3) {
    throw new ConfigError([
      {
        variable: "SHOPIFY_API_KEY",
        message: "SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SHOPIFY_APP_URL must be set together (or none of them)",
      },
    ]);
  }
  // On Postgres, processes run on several machines: a master key or session secret generated into
  // each machine's own data/ would silently differ between them. They must come from the environment.
  if (e.DATABASE_URL?.startsWith("postgres")) {
    const missing = [
      !e.KEYRELAY_MASTER_KEY && { variable: "KEYRELAY_MASTER_KEY", message: "required with Postgres: every process must share it (generate once: openssl rand -base64 32)" },
      !e.SESSION_SECRET && { variable: "SESSION_SECRET", message: "required with Postgres: every web process must share it (at least 32 characters)" },
    ].filter((x): x is { variable: string; message: string } => Boolean(x));
    if (missing.length) throw new ConfigError(missing);
  }
  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY,
    appUrl,
    dataDir,
    database: databaseConfig(e.DATABASE_URL, dataDir, e.DATABASE_POOL_SIZE, baseDir),
    redisUrl: e.REDIS_URL,
    masterKey: e.KEYRELAY_MASTER_KEY ? Buffer.from(e.KEYRELAY_MASTER_KEY, "base64") : undefined,
    previousMasterKeys: (e.KEYRELAY_PREVIOUS_MASTER_KEYS ?? "").split(",").filter((k) => k.trim()).map((k) => Buffer.from(k.trim(), "base64")),
    sessionSecret: e.SESSION_SECRET,
    mail: { smtpUrl: e.SMTP_URL, outboxDir: path.join(dataDir, "outbox"), from: e.MAIL_FROM },
    logLevel: e.LOG_LEVEL,
    defaultLocale: e.DEFAULT_LOCALE,
    terminalLanguage: e.LANG,
    jobs: {
      concurrency: e.JOBS_CONCURRENCY,
      sweepIntervalMs: e.JOBS_SWEEP_INTERVAL_MS,
      lockTimeoutMs: e.JOBS_LOCK_TIMEOUT_MS,
      queuePrefix: e.JOBS_QUEUE_PREFIX,
      thread: e.JOBS_THREAD === "on",
    },
    shutdown: { drainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000, jobsMs: e.SHUTDOWN_JOBS_SECONDS * 1000 },
    login: {
      maxAttempts: e.LOGIN_MAX_ATTEMPTS,
      delaySeconds: e.LOGIN_DELAY_SECONDS,
      maxDelaySeconds: e.LOGIN_MAX_DELAY_SECONDS,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
      ipMaxFailures: e.LOGIN_IP_MAX_FAILURES,
      ipWindowSeconds: e.LOGIN_IP_WINDOW_SECONDS,
      emailMaxFailures: e.LOGIN_EMAIL_MAX_FAILURES,
      emailWindowSeconds: e.LOGIN_EMAIL_WINDOW_SECONDS,
      deviceDays: e.LOGIN_DEVICE_DAYS,
    },
    import: { maxBytes: e.IMPORT_MAX_BYTES, tmpDir: path.join(dataDir, "imports") },
    shopify:
      shopifyCount === 3
        ? {
            apiKey: e.SHOPIFY_API_KEY!,
            apiSecret: e.SHOPIFY_API_SECRET!,
            appUrl: e.SHOPIFY_APP_URL!.replace(/\/$/, ""),
            scopes: e.SHOPIFY_SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
          }
        : undefined,
    hosts: {
      shopifyAdminOrigin: e.SHOPIFY_ADMIN_API_ORIGIN?.replace(/\/$/, ""),
      requestTimeoutMs: e.HOST_REQUEST_TIMEOUT_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MINUTES * 60_000,
      reconcileLookbackMs: e.RECONCILE_LOOKBACK_HOURS * 3_600_000,
    },
    stock: { syncWindowMs: e.STOCK_SYNC_WINDOW_MS, driftIntervalMs: e.STOCK_DRIFT_INTERVAL_MINUTES * 60_000 },
    reports: { refreshIntervalMs: e.REPORTS_REFRESH_INTERVAL_MS, coverAlertIntervalMs: e.COVER_ALERT_INTERVAL_MINUTES * 60_000 },
    buyer: { linkDays: e.BUYER_LINK_DAYS, ratePerMinute: e.BUYER_RATE_LIMIT_PER_MINUTE },
    resellerApi: { ratePerSecond: e.RESELLER_API_RATE_PER_SECOND, burst: e.RESELLER_API_BURST },
    resellerWebhooks: { allowHttp: e.RESELLER_WEBHOOKS_ALLOW_HTTP === "on" },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    backup: { dir: path.resolve(baseDir, e.BACKUP_DIR ?? path.join(dataDir, "backups")), intervalMs: Math.round(e.BACKUP_INTERVAL_HOURS * 3_600_000), keep: e.BACKUP_KEEP, passphrase: e.BACKUP_PASSPHRASE },
    test: { ci: e.CI ?? false, postgresUrl: e.KEYRELAY_TEST_POSTGRES_URL, redisUrl: e.KEYRELAY_TEST_REDIS_URL },
  };
}

function databaseConfig(url: string | undefined, dataDir: string, poolSize: number, baseDir: string): Config["database"] {
  if (!url) return { dialect: "sqlite", file: path.join(dataDir, "keyrelay.sqlite") };
  if (url.startsWith("postgres")) return { dialect: "postgres", url, poolSize };
  const file = url.replace(/^(file:|sqlite:)(\/\/)?/, "");
  return { dialect: "sqlite", file: path.resolve(baseDir, file) };
}

/** The terminal's language tag, readable even when the rest of the configuration is invalid. */
export function terminalLanguage(): string | undefined {
  return process.env.LANG;
}

/** The process's own configuration: its environment, paths anchored at `baseDir`. */
export function loadConfigFromEnvironment(baseDir: string): Config {
  return loadConfig(process.env, { baseDir });
}
