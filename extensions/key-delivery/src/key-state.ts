/**
 * What the key-delivery block shows, as a pure state machine (no Shopify, no network): the
 * component feeds it each fetch outcome and waits the delay it returns before asking again.
 *
 *   loading     → "Preparing your keys…" while the order's webhook has not been processed yet
 *                 (the backend says pending, or does not know the order yet); polled with back-off
 *   delivered   → the keys per product (and, per product, how many units wait for stock)
 *   backordered → no key yet, every unit waits for stock: "delivered when restocked, we'll email you"
 *   timeout     → still nothing after about a minute: "Your keys will arrive by email"
 *   error       → repeated failures (network, server, refused token): the keys come by email
 */

export interface KeyLine {
  title: string | null;
  keys: { code: string; fields: Record<string, string> }[];
  /** Keys behind a "show keys" button (the pool reveals on click). */
  hiddenKeys: number;
  pendingUnits: number;
}

export type View =
  | { kind: "loading" }
  | { kind: "delivered"; lines: KeyLine[] }
  | { kind: "backordered"; lines: KeyLine[] }
  | { kind: "timeout" }
  | { kind: "error" };

/** One answer from the backend, as the component classifies it. */
export type Outcome =
  | { kind: "ready"; lines: KeyLine[] }
  | { kind: "pending" }
  | { kind: "not_found" }
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "failed" };

export interface PollState {
  view: View;
  /** Polls made so far. */
  attempt: number;
  /** Time spent waiting between polls so far (the sum of the delays handed out). */
  waitedMs: number;
  /** Failures in a row. */
  failures: number;
}

export interface Policy {
  /** Delays between polls, the last one repeating. */
  delaysMs: number[];
  /** Give up polling after this much waiting. */
  maxWaitMs: number;
  /** Failures in a row before showing the error. */
  maxFailures: number;
}

export const DEFAULT_POLICY: Policy = { delaysMs: [1000, 1500, 2000, 3000, 5000, 8000, 10_000], maxWaitMs: 60_000, maxFailures: 3 };

export const initialState: PollState = { view: { kind: "loading" }, attempt: 0, waitedMs: 0, failures: 0 };

/** The state after an outcome, and how long to wait before the next poll (null: stop polling). */
export function advance(state: PollState, outcome: Outcome, policy: Policy = DEFAULT_POLICY): { state: PollState; retryInMs: number | null } {
  const attempt = state.attempt + 1;
  if (outcome.kind === "ready") {
    return { state: { view: viewOf(outcome.lines), attempt, waitedMs: state.waitedMs, failures: 0 }, retryInMs: null };
  }
  const failures = outcome.kind === "failed" ? state.failures + 1 : 0;
  if (failures >= policy.maxFailures) return { state: { view: { kind: "error" }, attempt, waitedMs: state.waitedMs, failures }, retryInMs: null };
  const backoff = policy.delaysMs[Math.min(state.attempt, policy.delaysMs.length - 1)];
  const delay = outcome.kind === "rate_limited" ? Math.max(backoff, outcome.retryAfterSeconds * 1000) : backoff;
  if (state.waitedMs + delay > policy.maxWaitMs) {
    return { state: { view: failures > 0 ? { kind: "error" } : { kind: "timeout" }, attempt, waitedMs: state.waitedMs, failures }, retryInMs: null };
  }
  return { state: { view: { kind: "loading" }, attempt, waitedMs: state.waitedMs + delay, failures }, retryInMs: delay };
}

/** Lines with something to show; "backordered" when none of them has a key yet (or one behind a click). */
export function viewOf(lines: KeyLine[]): View {
  const shown = lines.filter((l) => l.keys.length > 0 || l.hiddenKeys > 0 || l.pendingUnits > 0);
  if (shown.length > 0 && shown.every((l) => l.keys.length === 0 && l.hiddenKeys === 0)) return { kind: "backordered", lines: shown };
  // Nothing left to show (every unit refunded): delivered with no lines, and the block stays empty.
  return { kind: "delivered", lines: shown };
}

/** What an HTTP answer means (status + parsed JSON body, or a network error as status 0). */
export function classify(status: number, body: unknown, retryAfter: string | null): Outcome {
  if (status === 200 && isRecord(body)) {
    if (body.status === "pending") return { kind: "pending" };
    if (body.status === "ready" && Array.isArray(body.lines)) return { kind: "ready", lines: body.lines.filter(isLine) };
    return { kind: "failed" };
  }
  if (status === 404) return { kind: "not_found" };
  if (status === 429) return { kind: "rate_limited", retryAfterSeconds: Math.min(60, Math.max(1, Number(retryAfter) || 5)) };
  return { kind: "failed" };
}

/**
 * The numeric order id Shopify's targets give as a gid: `gid://shopify/Order/<n>` on the order
 * status page, `gid://shopify/OrderIdentity/<n>` on the thank-you page — the same number.
 */
export function numericOrderId(gid: string | null | undefined): string | null {
  const m = /^gid:\/\/shopify\/(?:Order|OrderIdentity)\/([1-9][0-9]*)(?:\?.*)?$/.exec(gid ?? "");
  return m ? m[1] : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function isLine(v: unknown): v is KeyLine {
  return isRecord(v) && Array.isArray(v.keys) && typeof v.pendingUnits === "number" && typeof v.hiddenKeys === "number";
}
