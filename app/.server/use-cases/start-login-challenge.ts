import { newChallengeId } from "../crypto/login-challenge-id.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { insertLoginChallenge } from "../db/repositories/two-factor-repo.ts";
import type { AdminUser } from "../db/schema.ts";
import { LOGIN_CHALLENGE_TTL_MS } from "../domain/two-factor-rules.ts";

/** After a right password, for an admin with two-step verification: the id the browser's cookie holds until the code (5 minutes). */
export async function startLoginChallenge(db: Executor, user: AdminUser, now = new Date()): Promise<string> {
  const { id, hash } = newChallengeId();
  await insertLoginChallenge(db, { id: hash, adminUserId: user.id, accountId: user.account_id, now, expiresAt: new Date(now.getTime() + LOGIN_CHALLENGE_TTL_MS) });
  return id;
}

