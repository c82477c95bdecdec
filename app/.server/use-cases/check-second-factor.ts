import { canonicalRecoveryCode, hashRecoveryCode } from "../crypto/recovery-codes.ts";
import { normaliseCode, openTotpSecret, totpStep } from "../crypto/totp.ts";
import { getTwoFactor, takeTotpStep, useRecoveryCode } from "../db/repositories/two-factor-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { codeKind, type SecondFactor } from "../domain/two-factor-rules.ts";
import type { Services } from "../ports.ts";

/**
 * Checks a code an admin typed — a TOTP code, or (where allowed) one of their recovery codes —
 * and uses it up when it is right, in `db` (a transaction, so the caller can take it back):
 * a TOTP code's time step is recorded (the same code again is refused: replay), a recovery code
 * is marked used. Returns what matched, or null. Never logs the code or the secret.
 */
export async function useSecondFactor(
  s: Pick<Services, "cipher">,
  db: Executor,
  input: { adminUserId: string; code: string; allowRecovery: boolean; now: Date },
): Promise<SecondFactor | null> {
  const row = await getTwoFactor(db, input.adminUserId);
  if (!row?.enabled_at) return null;
  const code = normaliseCode(input.code);
  const kind = codeKind(code);
  if (kind === "totp") {
    const lastStep = row.last_step === null ? null : Number(row.last_step);
    const step = totpStep(openTotpSecret(s.cipher, row), code, input.now.getTime(), lastStep);
    if (step === null) return null;
    return (await takeTotpStep(db, input.adminUserId, step, input.now)) === 1 ? "totp" : null;
  }
  if (kind === "recovery_code" && input.allowRecovery && canonicalRecoveryCode(code)) {
    return (await useRecoveryCode(db, input.adminUserId, hashRecoveryCode(code), input.now)) === 1 ? "recovery_code" : null;
  }
  return null;
}
