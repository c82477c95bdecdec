import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { clientNetwork } from "../domain/client-network.ts";
import { type AttemptStore, type CapRule, memoryAttemptStore, redisAttemptStore, type StreakRule } from "./login-attempt-store.ts";

/**
 * Sign-in limits that slow a guesser down without letting a stranger lock the owner out:
 *
 * - per email and client — the client is the browser when it is a known device of that email
 *   (it signed in to it before: the keyrelay_device cookie), its IP otherwise: a few failures are
 *   free, then every attempt waits, the wait doubling per failure up to a ceiling (a growing
 *   delay, not a fixed lock). A stranger failing from their IP slows only themselves;
 * - per IP, whatever the email: a cap per window, against spraying many accounts;
 * - per email from everywhere but its known devices: a high cap per window, which only an attack
 *   from many addresses reaches. The owner's known browser is outside it, and outside the IP cap
 *   (other people's failures behind the same NAT): its own streak is all that can slow it down.
 *
 * Every attempt takes its place in each counter before the password is checked, in one atomic
 * step per counter, so a burst of concurrent guesses cannot all pass a check made while the
 * others are still hashing. With Redis every web process shares the counters; without it (one
 * process) memory is enough. Keys hold hashes, not emails or addresses.
 */
export type LoginLimit = "email_ip" | "email_device" | "ip" | "email";

/** A counter that this failure just blocked (reported once per block, not per refused attempt). */
export interface Lockout {
  limit: LoginLimit;
  /** Failures counted by that limit, this one included. */
  failures: number;
  retryAfterSeconds: number;
}

export interface LoginAttempt {
  /** Normalised (trimmed, lower case). */
  email: string;
  ip: string;
  /** The id of the device when its cookie is valid for this email; undefined for any other client. */
  device?: string;
}

export type LoginGate =
  | { allowed: false; retryAfterSeconds: number }
  | {
      allowed: true;
      /** The password was wrong: the counters keep this attempt. Returns what it just blocked. */
      failed(): Promise<Lockout[]>;
      /** The password was right: the client's streak starts over, the caps get their point back. */
      succeeded(): Promise<void>;
      /**
       * The password was right but a second step (a TOTP code) is still due: the caps get their
       * point back, the streak keeps it until the code is right too — signing in with the password
       * again must not wipe the count of wrong codes.
       */
      passedFirstStep(): Promise<void>;
    };

export interface LoginLimiter {
  /** Takes an attempt from every counter that applies, or none when one of them refuses it. */
  begin(attempt: LoginAttempt): Promise<LoginGate>;
  close(): Promise<void>;
}

export interface LoginLimiterOptions {
  /** The clock (ms), for tests. */
  now?: () => number;
  /** The counters; by default Redis when config.redisUrl is set, memory otherwise. */
  store?: AttemptStore;
}

const digest = (...parts: string[]) => createHash("sha256").update(parts.join("\n")).digest("base64url").slice(0, 32);
const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLoginLimiter(config: Config, opts: LoginLimiterOptions = {}): LoginLimiter {
  const now = opts.now ?? Date.now;
  let redis: Redis | undefined;
  let store = opts.store;
  if (!store) {
    if (config.redisUrl) {
      // Commands wait for the connection (the first sign-ins after start-up count in Redis, not
      // in one process's memory); while Redis is down they fail after one retry and fall back.
      redis = new Redis(config.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
      redis.on("error", () => {});
      // Under the installation's Redis prefix (JOBS_QUEUE_PREFIX): two installations can share one Redis.
      store = redisAttemptStore(redis, `${config.jobs.queuePrefix}:login-limits`);
    } else {
      store = memoryAttemptStore();
    }
  }
  const attempts = store;
  const l = config.login;
  const streak: StreakRule = {
    free: l.maxAttempts,
    baseMs: l.delaySeconds * 1000,
    maxMs: l.maxDelaySeconds * 1000,
    memoryMs: l.windowSeconds * 1000,
  };
  const ipCap: CapRule = { max: l.ipMaxFailures, windowMs: l.ipWindowSeconds * 1000 };
  const emailCap: CapRule = { max: l.emailMaxFailures, windowMs: l.emailWindowSeconds * 1000 };

  return {
    async begin(attempt) {
      const at = now();
      const streakLimit: LoginLimit = attempt.device ? "email_device" : "email_ip";
      // An IPv6 client is its /64 (domain/client-network.ts): a fresh address per request must
      // not be a fresh set of attempts.
      const network = clientNetwork(attempt.ip);
      const streakKey = attempt.device ? `ed:${digest(attempt.email, attempt.device)}` : `ei:${digest(attempt.email, network)}`;
      const caps: { limit: LoginLimit; key: string; rule: CapRule }[] = attempt.device
        ? []
        : [
            { limit: "ip", key: `ip:${digest(network)}`, rule: ipCap },
            { limit: "email", key: `em:${digest(attempt.email)}`, rule: emailCap },
          ];
      // Caps first, then the streak: a refused attempt gives back what it took, and a blocked IP
      // or email never spends the client's own free attempts.
      const took: { limit: LoginLimit; key: string; count: number; waitMs: number }[] = [];
      const giveBack = () => Promise.all(took.map((t) => attempts.returnCap(t.key).catch(() => {})));
      for (const cap of caps) {
        const r = await attempts.takeCap(cap.key, at, cap.rule);
        if (!r.ok) {
          await giveBack();
          return { allowed: false, retryAfterSeconds: toSeconds(r.waitMs) };
        }
        took.push({ limit: cap.limit, key: cap.key, count: r.count, waitMs: r.waitMs });
      }
      const own = await attempts.takeStreak(streakKey, at, streak);
      if (!own.ok) {
        await giveBack();
        return { allowed: false, retryAfterSeconds: toSeconds(own.waitMs) };
      }
      return {
        allowed: true,
        async failed() {
          const blocked: Lockout[] = [];
          // A streak is one lockout from its first wait until it is cleared or forgotten.
          if (own.count === streak.free) blocked.push({ limit: streakLimit, failures: own.count, retryAfterSeconds: toSeconds(own.waitMs) });
          for (const t of took) {
            if (t.waitMs > 0) blocked.push({ limit: t.limit, failures: t.count, retryAfterSeconds: toSeconds(t.waitMs) });
          }
          return blocked;
        },
        async succeeded() {
          await attempts.clearStreak(streakKey);
          await giveBack();
        },
        async passedFirstStep() {
          await giveBack();
        },
      };
    },
    async close() {
      redis?.disconnect();
    },
  };
}
