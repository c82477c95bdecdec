/**
 * When a standalone admin's session counts: the rules, without the database or the clock.
 * A session is active from sign-in until it is revoked (sign-out, password change, removal) or
 * SESSION_MAX_AGE_MS has passed since sign-in, however busy it has been.
 */

/** A session's absolute lifetime from sign-in. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/**
 * last_seen_at moves forward at most this often per session: the sessions page needs it to the
 * minute, and a write on every request would make each page view a database write.
 */
export const LAST_SEEN_INTERVAL_MS = 60 * 1000;

export interface SessionTimes {
  expires_at: string;
  revoked_at: string | null;
}

export type SessionState = "active" | "revoked" | "expired";

export function sessionState(session: SessionTimes, now: Date): SessionState {
  if (session.revoked_at !== null) return "revoked";
  return now.getTime() < Date.parse(session.expires_at) ? "active" : "expired";
}

export function sessionExpiry(createdAt: Date): Date {
  return new Date(createdAt.getTime() + SESSION_MAX_AGE_MS);
}

/** Whether a request now should move last_seen_at (the IP shown is the sign-in's). */
export function shouldTouch(lastSeenAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(lastSeenAt) >= LAST_SEEN_INTERVAL_MS;
}
