/**
 * The rules of two-step sign-in and password reset, apart from any I/O.
 *
 * - After a right password, the second step waits 5 minutes; 5 wrong codes end it (the password
 *   again). Each code also counts against the sign-in limits (auth/login-limiter.ts).
 * - A reset link works once, for an hour.
 * - When an account requires it, an owner without two-step verification can reach only its page.
 */
export const LOGIN_CHALLENGE_TTL_MS = 5 * 60_000;
export const LOGIN_CHALLENGE_MAX_FAILURES = 5;
export const PASSWORD_RESET_TTL_MS = 60 * 60_000;

export type SecondFactor = "totp" | "recovery_code";

/** What a code field holds: 6 digits are a TOTP code, 16 letters and digits a recovery code. */
export function codeKind(normalised: string): SecondFactor | null {
  if (/^\d{6}$/.test(normalised)) return "totp";
  if (/^[A-Za-z2-9]{16}$/.test(normalised)) return "recovery_code";
  return null;
}

/** An owner who must enrol before using the admin. */
export function mustEnrol(facts: { role: string; required: boolean; enabled: boolean }): boolean {
  return facts.role === "owner" && facts.required && !facts.enabled;
}

/** The pages an owner who must enrol may still open: the enrolment page itself (and its data requests). */
export function allowedBeforeEnrolment(pathname: string): boolean {
  return pathname === "/admin/two-factor" || pathname === "/admin/two-factor.data" || pathname === "/admin/locale";
}
