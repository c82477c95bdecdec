import { markDeliveriesPending } from "../db/repositories/deliveries-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { parseStoreSettings, sendsOwnEmail } from "../domain/store-settings.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";

/**
 * A withheld order may now be delivered (approved after review, or decided once the host's risk
 * was read): the write-back, and the email where keyrelay sends it, staged in the caller's
 * transaction exactly as the fulfilment path stages them.
 */
export async function stageOrderDelivery(s: Pick<Services, "jobs">, trx: Executor, accountId: string, orderId: string, storeId: string | null, now: string): Promise<StagedJob[]> {
  const store = storeId ? await findStoreById(trx, storeId) : undefined;
  return stageDeliveryJobs(s, trx, accountId, orderId, store !== undefined && sendsOwnEmail(store.platform, parseStoreSettings(store.settings)), now);
}

/**
 * The write-back, and the email when `mails` (keyrelay sends it), pending: their delivery rows in
 * one statement, their job rows in another. Shared by the fulfilment path and a withheld order's
 * release.
 */
export async function stageDeliveryJobs(s: Pick<Services, "jobs">, trx: Executor, accountId: string, orderId: string, mails: boolean, now: string): Promise<StagedJob[]> {
  const job = { accountId };
  await markDeliveriesPending(trx, accountId, orderId, mails ? ["note", "email"] : ["note"], now);
  return s.jobs.stageMany(trx, [
    { name: "deliver-order", payload: { orderId }, opts: { ...job, dedupeKey: `deliver-order:${orderId}` } },
    ...(mails ? [{ name: "send-email" as const, payload: { orderId, kind: "delivery" as const }, opts: { ...job, dedupeKey: `send-email:${orderId}` } }] : []),
  ]);
}
