import { InvalidInputError } from "./errors.ts";

/**
 * The reseller API's refusals, each with the HTTP status it answers with. The code is the stable
 * part of the problem `type` (RFC 9457) and names the problem's title in the catalogs
 * (resellerApi.problems.<code>); integrations branch on it, so codes are never renamed.
 */
export const RESELLER_PROBLEMS = {
  unauthorized: 401,
  token_revoked: 401,
  token_expired: 401,
  scope_missing: 403,
  reseller_suspended: 403,
  pool_not_allowed: 403,
  ip_not_allowed: 403,
  sandbox_unavailable: 403,
  order_blocked: 403,
  order_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  out_of_stock: 409,
  insufficient_balance: 409,
  price_unavailable: 409,
  idempotency_in_flight: 409,
  idempotency_mismatch: 422,
  order_limit_exceeded: 422,
  daily_limit_exceeded: 422,
  idempotency_key_required: 400,
  invalid_body: 400,
  invalid_cursor: 400,
  rate_limited: 429,
  unexpected: 500,
} as const;

export type ResellerProblem = keyof typeof RESELLER_PROBLEMS;

export const PROBLEM_TYPE_PREFIX = "urn:keyrelay:problem:";

export class ResellerApiError extends InvalidInputError {
  static override readonly tag: string = "ResellerApiError";
  readonly problem: ResellerProblem;
  readonly status: number;
  constructor(problem: ResellerProblem, message: string, opts: { field?: string; params?: Record<string, string | number> } = {}) {
    super(problem, message, opts);
    this.problem = problem;
    this.status = RESELLER_PROBLEMS[problem];
  }
}
