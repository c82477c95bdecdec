import { expect, it } from "vitest";
import type { AttemptStore } from "../../app/.server/auth/login-attempt-store.ts";
import { createLoginLimiter, type LoginAttempt, type LoginGate, type LoginLimiter, type Lockout } from "../../app/.server/auth/login-limiter.ts";
import type { Config } from "../../app/.server/config.ts";

/**
 * The sign-in limiter's behaviour, run against each store it has: memory (unit tests) and Redis
 * (integration). The clock is the test's own: nothing here waits for real time.
 */
export const LOGIN_TEST_LIMITS: Config["login"] = {
  maxAttempts: 5,
  delaySeconds: 1,
  maxDelaySeconds: 900,
  windowSeconds: 86_400,
  ipMaxFailures: 20,
  ipWindowSeconds: 900,
  emailMaxFailures: 100,
  emailWindowSeconds: 3600,
  deviceDays: 365,
};

export interface LimiterHarness {
  /** A limiter on the harness's store and clock (call it twice for two "processes" sharing them). */
  limiter(): LoginLimiter;
  /** Moves the shared clock on. */
  advance(seconds: number): void;
}

export function harness(store: () => AttemptStore): { make(): LimiterHarness } {
  return {
    make() {
      let t = 1_750_000_000_000;
      const shared = store();
      const config = { redisUrl: undefined, login: LOGIN_TEST_LIMITS } as unknown as Config;
      return {
        limiter: () => createLoginLimiter(config, { now: () => t, store: shared }),
        advance: (seconds) => {
          t += seconds * 1000;
        },
      };
    },
  };
}

async function fail(l: LoginLimiter, a: LoginAttempt): Promise<Lockout[] | number> {
  const gate = await l.begin(a);
  return gate.allowed ? gate.failed() : gate.retryAfterSeconds;
}
const allowed = (g: LoginGate) => g.allowed;
const wait = (g: LoginGate) => (g.allowed ? 0 : g.retryAfterSeconds);

/** Registers the scenarios; `make` gives a fresh limiter world (own keys, own clock) per test. */
export function limiterScenarios(make: () => LimiterHarness): void {
  let n = 0;
  // Each test its own emails and addresses, so a shared Redis needs no flushing between tests.
  const fresh = () => {
    n++;
    return { email: `owner-${n}-${Math.random().toString(36).slice(2)}@example.com`, ipA: `198.51.${n % 250}.10`, ipB: `203.0.${n % 250}.20` };
  };

  it("5 failures are free, then each attempt waits 1, 2, 4, 8 … seconds (a growing delay, not a fixed lock)", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    for (let i = 0; i < 5; i++) expect(await fail(l, { email, ip: ipA })).not.toBeTypeOf("number");
    for (const seconds of [1, 2, 4, 8, 16]) {
      expect(wait(await l.begin({ email, ip: ipA }))).toBe(seconds);
      h.advance(seconds - 0.5);
      expect(wait(await l.begin({ email, ip: ipA }))).toBe(1);
      h.advance(0.5);
      expect(await fail(l, { email, ip: ipA })).toEqual([]);
    }
    // ... up to the ceiling, never more.
    for (let i = 0; i < 12; i++) {
      h.advance(900);
      expect(await fail(l, { email, ip: ipA })).toEqual([]);
    }
    expect(wait(await l.begin({ email, ip: ipA }))).toBe(900);
  });

  it("lets at most 5 of 30 concurrent attempts for one email from one IP through", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    const gates = await Promise.all(Array.from({ length: 30 }, () => l.begin({ email, ip: ipA })));
    expect(gates.filter(allowed).length).toBe(5);
    expect(gates.filter((g) => !g.allowed).every((g) => wait(g) >= 1)).toBe(true);
  });

  it("a stranger's failures from IP A do not slow the owner down from IP B", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA, ipB } = fresh();
    for (let i = 0; i < 15; i++) {
      expect(await fail(l, { email, ip: ipA })).not.toBeTypeOf("number");
      if (i < 14) h.advance(900);
    }
    expect(wait(await l.begin({ email, ip: ipA }))).toBe(900);
    const owner = await l.begin({ email, ip: ipB });
    expect(owner.allowed).toBe(true);
  });

  it("limits one IP trying many emails (spraying) per window; a refused attempt spends no email's free attempts", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA, ipB } = fresh();
    const lockouts: Lockout[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fail(l, { email: `spray-${i}-${email}`, ip: ipA });
      expect(r).not.toBeTypeOf("number");
      lockouts.push(...(r as Lockout[]));
    }
    expect(lockouts).toEqual([{ limit: "ip", failures: 20, retryAfterSeconds: 900 }]);
    for (let i = 0; i < 10; i++) expect(wait(await l.begin({ email, ip: ipA }))).toBe(900);
    // Another IP is not affected, and the owner's email kept all its free attempts.
    for (let i = 0; i < 4; i++) expect(await fail(l, { email, ip: ipB })).toEqual([]);
    expect(allowed(await l.begin({ email, ip: ipB }))).toBe(true);
    // The window ends: the IP may try again.
    h.advance(900);
    expect(allowed(await l.begin({ email: `later-${email}`, ip: ipA }))).toBe(true);
  });

  it("counts an IPv6 /64 as one client: new addresses from one subscriber's block do not reset the limits", async () => {
    const h = make();
    const l = h.limiter();
    const { email } = fresh();
    const block = `2001:db8:${n.toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const lockouts: Lockout[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fail(l, { email: `spray6-${i}-${email}`, ip: `${block}::${(i + 1).toString(16)}` });
      expect(r).not.toBeTypeOf("number");
      lockouts.push(...(r as Lockout[]));
    }
    expect(lockouts).toEqual([{ limit: "ip", failures: 20, retryAfterSeconds: 900 }]);
    expect(wait(await l.begin({ email, ip: `${block}:ffff:1:2:3` }))).toBe(900);
    // The neighbouring /64 is someone else.
    expect(allowed(await l.begin({ email, ip: "2001:db8:fffe:fffe::1" }))).toBe(true);
  });

  it("the global cap per email stops a distributed attack; the owner's known device still gets in", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipB } = fresh();
    const lockouts: Lockout[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fail(l, { email, ip: `192.0.${Math.floor(i / 200)}.${i % 200}` });
      expect(r).not.toBeTypeOf("number");
      lockouts.push(...(r as Lockout[]));
    }
    expect(lockouts).toEqual([{ limit: "email", failures: 100, retryAfterSeconds: 3600 }]);
    // An unknown client of that email is refused for the rest of the window...
    expect(wait(await l.begin({ email, ip: ipB }))).toBe(3600);
    // ... the owner's browser is not, and signs in.
    const owner = await l.begin({ email, ip: ipB, device: "owner-laptop" });
    expect(owner.allowed).toBe(true);
    if (owner.allowed) await owner.succeeded();
  });

  it("a known device is outside the IP's cap (other people behind the same address)", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    for (let i = 0; i < 20; i++) await fail(l, { email: `colleague-${i}-${email}`, ip: ipA });
    expect(allowed(await l.begin({ email, ip: ipA }))).toBe(false);
    expect(allowed(await l.begin({ email, ip: ipA, device: "owner-laptop" }))).toBe(true);
  });

  it("a known device's own failures slow it down (growing delay), and the right password then gets in", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    const device = { email, ip: ipA, device: "owner-laptop" };
    const lockouts: Lockout[] = [];
    for (let failures = 1; failures <= 7; failures++) {
      const r = await fail(l, device);
      expect(r).not.toBeTypeOf("number");
      lockouts.push(...(r as Lockout[]));
      if (failures < 7) h.advance(failures >= 5 ? 2 ** (failures - 5) : 0);
    }
    expect(lockouts).toEqual([{ limit: "email_device", failures: 5, retryAfterSeconds: 1 }]);
    expect(wait(await l.begin(device))).toBe(4);
    h.advance(4);
    const gate = await l.begin(device);
    expect(gate.allowed).toBe(true);
    if (gate.allowed) await gate.succeeded();
    // Success: the streak starts over.
    for (let i = 0; i < 4; i++) expect(await fail(l, device)).toEqual([]);
    expect(allowed(await l.begin(device))).toBe(true);
  });

  it("reports each lockout once when it starts, never for refused attempts", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    const lockouts: Lockout[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await fail(l, { email, ip: ipA });
      if (typeof r !== "number") lockouts.push(...r);
      h.advance(0.25);
    }
    expect(lockouts).toEqual([{ limit: "email_ip", failures: 5, retryAfterSeconds: 1 }]);
  });

  it("a success clears the client's streak and gives the IP its attempt back", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    for (let i = 0; i < 4; i++) await fail(l, { email, ip: ipA });
    const ok = await l.begin({ email, ip: ipA });
    expect(ok.allowed).toBe(true);
    if (ok.allowed) await ok.succeeded();
    for (let i = 0; i < 4; i++) expect(await fail(l, { email, ip: ipA })).toEqual([]);
    // The IP has spent 8 failures, not 9: 12 more emails fail before its cap refuses.
    for (let i = 0; i < 12; i++) expect(await fail(l, { email: `other-${i}-${email}`, ip: ipA })).not.toBeTypeOf("number");
    expect(wait(await l.begin({ email: `one-more-${email}`, ip: ipA }))).toBe(900);
  });

  it("forgets a streak a window after its last wait ends", async () => {
    const h = make();
    const l = h.limiter();
    const { email, ipA } = fresh();
    for (let i = 0; i < 5; i++) await fail(l, { email, ip: ipA });
    h.advance(1 + 86_400);
    for (let i = 0; i < 4; i++) expect(await fail(l, { email, ip: ipA })).toEqual([]);
    expect(allowed(await l.begin({ email, ip: ipA }))).toBe(true);
  });
}
