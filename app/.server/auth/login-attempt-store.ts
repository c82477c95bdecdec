import type { Redis } from "ioredis";

/**
 * The counters behind the sign-in limits, in two shapes, each changed in one atomic step (a Lua
 * script on Redis, a synchronous Map update in memory) so concurrent requests never both pass a
 * check the other is about to fail:
 *
 * - a streak (failures of one email from one client): free up to `free`, then every attempt
 *   must wait — `baseMs` after the `free`-th, doubling per further attempt, at most `maxMs` —
 *   and is forgotten `memoryMs` after the last wait ends;
 * - a cap (failures of one IP, or of one email from anywhere): at most `max` per fixed window.
 *
 * An attempt is taken *before* the password is checked; a success clears the streak and gives
 * the cap its point back. The caller passes the clock, so a test can move it.
 */
export interface StreakRule {
  free: number;
  baseMs: number;
  maxMs: number;
  memoryMs: number;
}
export interface CapRule {
  max: number;
  windowMs: number;
}
/** `count` includes this attempt; `waitMs` is what the next attempt must wait should this one fail. */
export type Taken = { ok: true; count: number; waitMs: number } | { ok: false; waitMs: number };

export interface AttemptStore {
  takeStreak(key: string, now: number, rule: StreakRule): Promise<Taken>;
  clearStreak(key: string): Promise<void>;
  takeCap(key: string, now: number, rule: CapRule): Promise<Taken>;
  returnCap(key: string): Promise<void>;
}

/** The wait after the `count`-th attempt of a streak (0 while it is free). */
export function streakWaitMs(count: number, rule: StreakRule): number {
  if (count < rule.free) return 0;
  return Math.min(rule.baseMs * 2 ** Math.min(count - rule.free, 40), rule.maxMs);
}

interface MemoryEntry {
  n: number;
  /** Streak: blocked until then. Cap: the window ends then. */
  until: number;
  /** Forgotten after this. */
  expires: number;
}

/** One process's counters (no Redis): a Map, swept of forgotten entries as it grows. */
export function memoryAttemptStore(): AttemptStore {
  const entries = new Map<string, MemoryEntry>();
  let lastSweep = 0;
  const live = (key: string, now: number): MemoryEntry | undefined => {
    if (entries.size > 10_000 && now - lastSweep > 1000) {
      lastSweep = now;
      for (const [k, e] of entries) if (e.expires <= now) entries.delete(k);
    }
    const e = entries.get(key);
    if (e && e.expires <= now) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    async takeStreak(key, now, rule) {
      const e = live(key, now) ?? { n: 0, until: 0, expires: 0 };
      if (now < e.until) return { ok: false, waitMs: e.until - now };
      e.n += 1;
      const waitMs = streakWaitMs(e.n, rule);
      if (waitMs > 0) e.until = now + waitMs;
      e.expires = Math.max(e.until, now) + rule.memoryMs;
      entries.set(key, e);
      return { ok: true, count: e.n, waitMs };
    },
    async clearStreak(key) {
      entries.delete(key);
    },
    async takeCap(key, now, rule) {
      let e = live(key, now);
      if (!e || now >= e.until) e = { n: 0, until: now + rule.windowMs, expires: now + rule.windowMs };
      if (e.n >= rule.max) return { ok: false, waitMs: e.until - now };
      e.n += 1;
      entries.set(key, e);
      return { ok: true, count: e.n, waitMs: e.n >= rule.max ? e.until - now : 0 };
    },
    async returnCap(key) {
      const e = entries.get(key);
      if (e && e.n > 0) e.n -= 1;
    },
  };
}

// KEYS[1]: the streak. ARGV: now, free, baseMs, maxMs, memoryMs. Mirrors takeStreak above: the
// times are the caller's clock ('e': forgotten then); Redis's own expiry only collects the key.
const TAKE_STREAK = `
local v = redis.call('HMGET', KEYS[1], 'n', 'u', 'e')
local now = tonumber(ARGV[1])
local n, u = 0, 0
if v[3] and now < tonumber(v[3]) then n = tonumber(v[1]) u = tonumber(v[2]) end
if now < u then return {0, u - now} end
n = n + 1
local free = tonumber(ARGV[2])
local wait = 0
if n >= free then wait = math.min(tonumber(ARGV[3]) * 2 ^ math.min(n - free, 40), tonumber(ARGV[4])) end
if wait > 0 then u = now + wait end
local e = math.max(u, now) + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'n', n, 'u', string.format('%d', u), 'e', string.format('%d', e))
redis.call('PEXPIRE', KEYS[1], math.floor(e - now))
return {1, n, wait}
`;

// KEYS[1]: the cap. ARGV: now, max, windowMs.
const TAKE_CAP = `
local v = redis.call('HMGET', KEYS[1], 'n', 'r')
local n = tonumber(v[1] or '0')
local r = tonumber(v[2] or '0')
local now = tonumber(ARGV[1])
if now >= r then n = 0 r = now + tonumber(ARGV[3]) end
local max = tonumber(ARGV[2])
if n >= max then return {0, r - now} end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'r', string.format('%d', r))
redis.call('PEXPIRE', KEYS[1], math.floor(r - now))
local wait = 0
if n >= max then wait = r - now end
return {1, n, wait}
`;

const RETURN_CAP = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
return n
`;

function taken(reply: unknown): Taken {
  const [ok, a, b] = reply as number[];
  return ok === 1 ? { ok: true, count: Number(a), waitMs: Number(b) } : { ok: false, waitMs: Number(a) };
}

/**
 * Counters in Redis, shared by every web process. While Redis does not answer, each process
 * falls back to its own memory counters (as a lone process would have) rather than failing
 * every sign-in.
 */
export function redisAttemptStore(redis: Redis, prefix: string, opts: { onError?: (e: unknown) => void } = {}): AttemptStore {
  const fallback = memoryAttemptStore();
  const k = (key: string) => `${prefix}:${key}`;
  const guarded = async <T>(run: () => Promise<T>, instead: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      opts.onError?.(e);
      return instead();
    }
  };
  return {
    takeStreak: (key, now, rule) =>
      guarded(
        async () => taken(await redis.eval(TAKE_STREAK, 1, k(key), now, rule.free, rule.baseMs, rule.maxMs, rule.memoryMs)),
        () => fallback.takeStreak(key, now, rule),
      ),
    clearStreak: (key) =>
      guarded(
        async () => {
          await redis.del(k(key));
          await fallback.clearStreak(key);
        },
        () => fallback.clearStreak(key),
      ),
    takeCap: (key, now, rule) =>
      guarded(async () => taken(await redis.eval(TAKE_CAP, 1, k(key), now, rule.max, rule.windowMs)), () => fallback.takeCap(key, now, rule)),
    returnCap: (key) =>
      guarded(
        async () => {
          await redis.eval(RETURN_CAP, 1, k(key));
        },
        () => fallback.returnCap(key),
      ),
  };
}
