import type { z } from "zod";
import { translator, type Locale } from "../../../i18n/i18n.ts";
import { PROBLEM_TYPE_PREFIX, RESELLER_PROBLEMS, ResellerApiError, type ResellerProblem } from "../../domain/reseller-api-error.ts";
import type { Services } from "../../ports.ts";
import { authenticateReseller, type ApiCaller } from "../../use-cases/authenticate-reseller.ts";
import type { ResellerScope } from "../../domain/reseller-scopes.ts";
import { readRawBody } from "../read-body.ts";

/**
 * The one way a reseller API route runs: bearer token → scope → rate limit (per token) → the
 * route's work → JSON, or an RFC 9457 problem (application/problem+json) whose `type` is
 * urn:keyrelay:problem:<code>. Nothing here logs the token or echoes it.
 */
const BODY_LIMIT = 16 * 1024;

function localeOf(request: Request): Locale {
  return /^\s*zh/i.test(request.headers.get("accept-language") ?? "") ? "zh-CN" : "en";
}

export function problemResponse(request: Request, problem: ResellerProblem, detail: string, opts: { field?: string; headers?: Record<string, string> } = {}): Response {
  const status = RESELLER_PROBLEMS[problem];
  const t = translator(localeOf(request));
  const body = { type: `${PROBLEM_TYPE_PREFIX}${problem}`, title: t(`resellerApi.problems.${problem}`), status, detail, code: problem, ...(opts.field ? { field: opts.field } : {}) };
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", ...opts.headers } });
}

export interface ApiAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function handleResellerApi(
  s: Services,
  request: Request,
  clientIp: string,
  scope: ResellerScope,
  work: (caller: ApiCaller) => Promise<ApiAnswer>,
): Promise<Response> {
  let rate: Record<string, string> = {};
  try {
    const caller = await authenticateReseller(s, request.headers.get("authorization"), clientIp, scope);
    const d = await s.resellerRateLimiter.take(caller.tokenId, { perSecond: caller.reseller.rate_per_second, burst: caller.reseller.rate_burst });
    rate = { "RateLimit-Limit": String(d.limit), "RateLimit-Remaining": String(d.remaining), "RateLimit-Reset": String(d.resetSeconds), "RateLimit-Policy": d.policy };
    if (!d.allowed) return problemResponse(request, "rate_limited", `too many requests for this token; retry in ${d.resetSeconds} s`, { headers: { ...rate, "Retry-After": String(d.resetSeconds) } });
    const a = await work(caller);
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...rate, ...a.headers } });
  } catch (e) {
    if (e instanceof ResellerApiError) {
      const headers: Record<string, string> = { ...rate };
      if ((e as { replayed?: boolean }).replayed) headers["Idempotent-Replayed"] = "true";
      if (e.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="keyrelay"';
      return problemResponse(request, e.problem, e.message, { field: e.field, headers });
    }
    s.log.error({ err: e instanceof Error ? { name: e.name, message: e.message } : String(e), route: new URL(request.url).pathname }, "reseller api failed");
    return problemResponse(request, "unexpected", "something went wrong on our side; retry with the same Idempotency-Key", { headers: rate });
  }
}

/** Parses with a schema; a failure is a 400 naming the first field that is wrong. */
export function parseOrRefuse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join(".") : issue.code === "unrecognized_keys" ? String((issue as { keys?: string[] }).keys?.[0] ?? where) : where;
  throw new ResellerApiError(where === "query" && field === "cursor" ? "invalid_cursor" : "invalid_body", `${field}: ${issue.message}`, { field });
}

/** The JSON body, at most 16 KB; anything that is not a JSON object is a 400. */
export async function readJsonBody(request: Request): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readRawBody(request, BODY_LIMIT);
  } catch {
    throw new ResellerApiError("invalid_body", `body: at most ${BODY_LIMIT} bytes of JSON`, { field: "body" });
  }
  try {
    const v = JSON.parse(raw.toString("utf8")) as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v;
  } catch {
    // falls through
  }
  throw new ResellerApiError("invalid_body", "body: a JSON object is required", { field: "body" });
}

export function methodNotAllowed(request: Request, allow: string): Response {
  return problemResponse(request, "method_not_allowed", `use ${allow}`, { headers: { Allow: allow } });
}
