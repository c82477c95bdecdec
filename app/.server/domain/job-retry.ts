import type { ErrorKind } from "./errors.ts";

/** What a failed job attempt turns into. Pure: the job runner applies it with one UPDATE. */
export type JobOutcome =
  | { status: "pending"; delayMs: number }
  | { status: "failed" }
  | { status: "done" };

export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 15 * 60_000;

/** Exponential backoff with full jitter, capped. `attempt` counts from 1. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function outcomeOfFailure(
  kind: ErrorKind,
  attempt: number,
  maxAttempts: number,
  opts: { retryAfterMs?: number; random?: () => number } = {},
): JobOutcome {
  if (kind === "ignored") return { status: "done" };
  if (kind === "permanent" || kind === "invalid_input") return { status: "failed" };
  if (attempt >= maxAttempts) return { status: "failed" };
  const delay = Math.max(backoffMs(attempt, opts.random), opts.retryAfterMs ?? 0);
  return { status: "pending", delayMs: delay };
}
