import type { Kysely } from "kysely";
import type { HostConnector } from "../../connectors/host-connector.ts";
import type { BuyerLimiter } from "./auth/buyer-limiter.ts";
import type { LoginLimiter } from "./auth/login-limiter.ts";
import type { LinkCodeLimiter } from "./auth/link-code-limiter.ts";
import type { PasswordResetLimiter } from "./auth/password-reset-limiter.ts";
import type { MailTestLimiter } from "./auth/mail-test-limiter.ts";
import type { ResellerRateLimiter } from "./auth/reseller-rate-limiter.ts";
import type { Config } from "./config.ts";
import type { Fingerprinter } from "./crypto/fingerprint.ts";
import type { KeyCipher } from "./crypto/key-cipher.ts";
import type { KeySealer } from "./crypto/key-sealer.ts";
import type { DatabaseHandle } from "./db/database.ts";
import type { Database, Store } from "./db/schema.ts";
import type { JobQueue } from "./jobs/job-queue.ts";
import type { Logger } from "./logger.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { Metrics } from "./metrics/metrics-port.ts";

// The ports: the shape of the services a use-case may be handed. This module sits below the
// use-cases and imports nothing of runtime/, which composes them (runtime/services.ts); a
// use-case takes the narrowest Pick<Services, ...> it needs.

/** The port use-cases reach a store's host through. */
export interface HostConnectors {
  forStore(store: Store): Promise<HostConnector>;
}

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
  /** Attempts to redeem a store link code, per account and IP. */
  linkCodeLimiter: LinkCodeLimiter;
  /** "Forgot password?" requests, per email and IP. */
  passwordResetLimiter: PasswordResetLimiter;
  /** Test emails from the settings page, per account. */
  mailTestLimiter: MailTestLimiter;
  /** Reaches each store's host (Shopify Admin API, WooCommerce REST) with its stored credentials. */
  connectors: HostConnectors;
  startup: StartupFacts;
  /** Reseller API requests per token (issue 14). */
  resellerRateLimiter: ResellerRateLimiter;
  /** Prometheus counters and gauges of this process (README "Metrics"); recording is in-process only. */
  metrics: Metrics;
  close(): Promise<void>;
}

export interface StartupFacts {
  database: string;
  masterKey: string;
  jobs: string;
  mail: string;
  migrationsApplied: string[];
}

