import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("runs with no configuration: SQLite under data/, port 3000, no Redis, no SMTP", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.dialect).toBe("sqlite");
    expect(c.database.dialect === "sqlite" && c.database.file.endsWith("data/keyrelay.sqlite")).toBe(true);
    expect(c.redisUrl).toBeUndefined();
    expect(c.mail.smtpUrl).toBeUndefined();
    expect(c.appUrl).toBe("http://localhost:3000");
    expect(c.shopify).toBeUndefined();
  });

  it("requires the shared master key and session secret with Postgres", () => {
    try {
      loadConfig({ DATABASE_URL: "postgres://u@h:5432/db" });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.variable)).toEqual(["KEYRELAY_MASTER_KEY", "SESSION_SECRET"]);
    }
  });

  it("switches to Postgres and Redis by URL", () => {
    const c = loadConfig({ DATABASE_URL: "postgres://u@h:5432/db", REDIS_URL: "redis://h:6379", KEYRELAY_MASTER_KEY: Buffer.alloc(32, 1).toString("base64"), SESSION_SECRET: "s".repeat(32) });
    expect(c.database).toMatchObject({ dialect: "postgres", url: "postgres://u@h:5432/db" });
    expect(c.redisUrl).toBe("redis://h:6379");
  });

  it("names the variable and the problem for a bad value", () => {
    expect(() => loadConfig({ PORT: "http" })).toThrowError(/PORT/);
    try {
      loadConfig({ DATABASE_URL: "mysql://x", KEYRELAY_MASTER_KEY: "short" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const vars = (e as ConfigError).problems.map((p) => p.variable);
      expect(vars).toContain("DATABASE_URL");
      expect(vars).toContain("KEYRELAY_MASTER_KEY");
      expect((e as Error).message).toMatch(/32 bytes/);
    }
  });

  it("metrics are off by default; METRICS_PORT and METRICS_TOKEN are checked and named", () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: "127.0.0.1" });
    expect(loadConfig({ METRICS_PORT: "", METRICS_TOKEN: "" }).metrics).toEqual({ token: undefined, port: undefined, host: "127.0.0.1" });
    expect(loadConfig({ METRICS_PORT: "9464", METRICS_TOKEN: "t".repeat(16), METRICS_HOST: "0.0.0.0" }).metrics).toEqual({ token: "t".repeat(16), port: 9464, host: "0.0.0.0" });
    expect(() => loadConfig({ METRICS_PORT: "metrics" })).toThrowError(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: "70000" })).toThrowError(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrowError(/METRICS_TOKEN: must be at least 16 characters/);
  });

  it("requires the Shopify settings together", () => {
    expect(() => loadConfig({ SHOPIFY_API_KEY: "k" })).toThrowError(/must be set together/);
    const c = loadConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://a.example/" });
    expect(c.shopify).toMatchObject({ apiKey: "k", appUrl: "https://a.example" });
  });

  it("accepts a master key of exactly 32 bytes", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ KEYRELAY_MASTER_KEY: key }).masterKey?.length).toBe(32);
  });
});
