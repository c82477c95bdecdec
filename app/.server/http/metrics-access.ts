import crypto from "node:crypto";
import type { Config } from "../config.ts";

export type MetricsAccess = "allowed" | "off" | "unauthorized";

/**
 * Who may read /metrics. On the app's own port: nobody unless METRICS_TOKEN is set (then 404, so
 * a default install does not even say it has metrics), and then only with that bearer token. On
 * METRICS_PORT's listener (bound to 127.0.0.1 by default): anyone who can reach it, unless a
 * token is set too. The comparison takes the same time whatever the guess.
 */
export function metricsAccess(config: Pick<Config, "metrics">, authorization: string | null | undefined, listener: "app" | "metrics"): MetricsAccess {
  const token = config.metrics.token;
  if (!token) return listener === "metrics" ? "allowed" : "off";
  const m = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
  if (!m) return "unauthorized";
  // Hashing first makes both sides the same length, so timingSafeEqual never leaks the length.
  const digest = (v: string) => crypto.createHash("sha256").update(v, "utf8").digest();
  return crypto.timingSafeEqual(digest(m[1].trim()), digest(token)) ? "allowed" : "unauthorized";
}
