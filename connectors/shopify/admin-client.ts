import { HostError } from "../host-error.ts";
import { graphqlErrorsError, httpStatusError, networkError, userErrorsError, type GraphqlError, type UserError } from "./admin-errors.ts";
import { SHOPIFY_API_VERSION } from "./api-version.ts";
import { documentCost } from "./graphql/documents.ts";
import { parseQueryCost, ThrottleGate, throttledRetryAfterMs } from "./throttle.ts";

/**
 * A small Admin GraphQL client over plain fetch. Why not @shopify/shopify-api's GraphqlClient:
 * it wants the library's configured `shopifyApi()` instance and a Session (app/ builds both),
 * retries on its own schedule, and turns THROTTLED into exceptions without the cost extension we
 * need for pacing. Here one POST does exactly what the HostError contract says, and the connector
 * stays free of app/ and of global library state.
 */
export interface AdminClientOptions {
  shop: string;
  accessToken: string;
  /** Replaces `https://{shop}` (tests, proxies). */
  adminOrigin?: string;
  apiVersion?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Longest pause the client takes by itself for the throttle before reporting retryable. */
  maxThrottleWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  /** Strings that must never appear in an error message (delivered codes, note text). */
  secrets?: readonly string[];
  /**
   * Safe to send again after THROTTLED: true for every query and for mutations, since a THROTTLED
   * answer means Shopify did not execute it.
   */
  retryThrottled?: boolean;
}

export interface AdminClient {
  request<T>(operation: string, query: string, variables?: Record<string, unknown>, opts?: RequestOptions): Promise<T>;
}

const THROTTLE_ATTEMPTS = 3;

export function createAdminClient(o: AdminClientOptions): AdminClient {
  const origin = (o.adminOrigin ?? `https://${o.shop}`).replace(/\/+$/, "");
  const url = `${origin}/admin/api/${o.apiVersion ?? SHOPIFY_API_VERSION}/graphql.json`;
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWait = o.maxThrottleWaitMs ?? 30_000;
  const gate = new ThrottleGate();

  async function once<T>(operation: string, query: string, variables: Record<string, unknown> | undefined, secrets: readonly string[]): Promise<T> {
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "x-shopify-access-token": o.accessToken },
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw networkError(operation, e, o.timeoutMs);
    }
    if (!res.ok) throw httpStatusError(operation, res.status, res.headers, text, secrets);
    let body: { data?: T | null; errors?: GraphqlError[] | string; extensions?: unknown };
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw networkError(operation, e, o.timeoutMs); // a truncated answer: the next try may be whole
    }
    const cost = parseQueryCost(body.extensions);
    gate.observe(operation, cost);
    if (body.errors) {
      const errors = typeof body.errors === "string" ? [{ message: body.errors }] : body.errors;
      throw graphqlErrorsError(operation, errors, cost, secrets);
    }
    if (body.data === undefined || body.data === null) throw graphqlErrorsError(operation, [{ message: "answer without data" }], cost, secrets);
    return body.data;
  }

  return {
    async request<T>(operation: string, query: string, variables?: Record<string, unknown>, opts: RequestOptions = {}): Promise<T> {
      const secrets = opts.secrets ?? [];
      for (let attempt = 1; ; attempt++) {
        const wait = gate.reserve(operation, Date.now(), documentCost(query));
        if (wait > maxWait) throw throttleTooLong(operation, wait);
        if (wait > 0) await sleep(wait);
        try {
          return await once<T>(operation, query, variables, secrets);
        } catch (e) {
          const err = e as HostError;
          const throttled = err.code === "THROTTLED";
          if (!throttled || opts.retryThrottled === false || attempt >= THROTTLE_ATTEMPTS) throw e;
          const after = err.retryAfterMs ?? throttledRetryAfterMs(null);
          if (after > maxWait) throw e;
          // The gate has seen the THROTTLED answer's status and reserves the wait on the next
          // turn; without a status (a proxy's bare THROTTLED) wait what the error says.
          if (!gate.knowsStatus()) await sleep(after);
        }
      }
    },
  };
}

/**
 * A mutation's userErrors (HTTP 200, data present) are Shopify refusing our input: invalid.
 * Returns the payload when there are none.
 */
export function checkUserErrors<P extends { userErrors: UserError[] }>(operation: string, payload: P | null | undefined, secrets: readonly string[] = []): P {
  if (!payload) throw userErrorsError(operation, [{ message: "no payload returned" }], secrets);
  if (payload.userErrors.length) throw userErrorsError(operation, payload.userErrors, secrets);
  return payload;
}

function throttleTooLong(operation: string, wait: number): HostError {
  return new HostError("retryable", `Shopify ${operation}: throttled (the rate limit bucket needs ${wait} ms to refill)`, { code: "THROTTLED", retryAfterMs: wait });
}
