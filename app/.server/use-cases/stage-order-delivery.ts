import { markDeliveryPending } from "../db/repositories/deliveries-repo.ts";
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
  const jobs: StagedJob[] = [];
  const job = { accountId };
  await markDeliveryPending(trx, accountId, orderId, "note", now);
  jobs.push(await s.jobs.stage(trx, "deliver-order", { orderId }, { ...job, dedupeKey: `deliver-order:${orderId}` }));
  const store = storeId ? await findStoreById(trx, storeId) : undefined;
  if (store && sendsOwnEmail(store.platform, parseStoreSettings(store.settings))) {
    await markDeliveryPending(trx, accountId, orderId, "email", now);
    jobs.push(await s.jobs.stage(trx, "send-email", { orderId, kind: "delivery" }, { ...job, dedupeKey: `send-email:${orderId}` }));
  }
  return jobs;
}
