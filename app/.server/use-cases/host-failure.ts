import { isHostError } from "../../../connectors/host-error.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { flagStoreAttention } from "../db/repositories/stores-repo.ts";
import type { Store } from "../db/schema.ts";
import { PermanentError, RetryableError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";

/**
 * What a job does when a host call fails, by the host error's kind:
 * - retryable (throttled, 5xx, network): back off and retry, as soon as the host said it may
 * - unauthorized (401/403: keys revoked, app uninstalled, scope missing): flag the store for the
 *   merchant and stop retrying — the same call will fail until they reconnect
 * - not_found, invalid, not_host: park the job as failed with the host's reason
 * Anything else is rethrown as is (the queue retries unknown errors).
 */
export async function hostFailure(s: Pick<Services, "db">, store: Pick<Store, "id" | "account_id">, error: unknown): Promise<never> {
  if (!isHostError(error)) throw error;
  if (error.kind === "retryable") throw new RetryableError("host_unavailable", error.message, { retryAfterMs: error.retryAfterMs ?? undefined });
  if (error.kind === "unauthorized") {
    if (await flagStoreAttention(s.db, store.id, "credentials_rejected")) {
      await recordAudit(s.db, { accountId: store.account_id, actorType: "system", action: "store.needs_attention", subjectType: "store", subjectId: store.id, details: { reason: "credentials_rejected", status: error.status } });
    }
    throw new PermanentError("host_unauthorized", error.message);
  }
  throw new PermanentError(`host_${error.kind}`, error.message);
}
