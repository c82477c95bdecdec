import type { VerifiedEvent } from "../../../connectors/host-connector.ts";
import { findStoreByDomain } from "../db/repositories/stores-repo.ts";
import { insertWebhookEvent } from "../db/repositories/webhook-events-repo.ts";
import type { Store } from "../db/schema.ts";
import type { StagedJob } from "../jobs/job-queue.ts";
import type { Services } from "../ports.ts";
import { hostEventMeaning } from "./host-event-meaning.ts";
import { storeIsInactive } from "../domain/store-status.ts";

export type RecordOutcome =
  | { status: "recorded"; eventId: number }
  | { status: "duplicate" }
  | { status: "ignored"; reason: "unknown_store" | "store_inactive" };

/** Erasure requests must be honoured even after the shop uninstalled (shop/redact comes 48 h later). */
export function isComplianceTopic(topic: string): boolean {
  return topic === "shop/redact" || topic.startsWith("customers/");
}

/**
 * What a webhook request does, and all it does: record the verified event (unique on its
 * identity) and its processing job in one transaction, then trigger the job. The answer goes back
 * to the host at once; a redelivery finds the row and changes nothing. Events for a shop that never
 * installed, or for a disconnected or uninstalled store, are recorded as ignored: kept, visible,
 * re-drivable, but not acted on.
 *
 * Deliveries that arrive together are recorded together (group commit): every request that
 * reaches this point in the same turn of the event loop, or while the previous group is being
 * written, shares one transaction. Each still gets its own outcome; one whose payload is broken
 * gets its own error and records nothing, without failing the others.
 */
export function recordWebhookEvent(s: Deps, event: VerifiedEvent): Promise<RecordOutcome> {
  let byJobs = intakes.get(s.db);
  if (!byJobs) intakes.set(s.db, (byJobs = new WeakMap()));
  let intake = byJobs.get(s.jobs);
  if (!intake) byJobs.set(s.jobs, (intake = new Intake(s)));
  return intake.record(event);
}

type Deps = Pick<Services, "db" | "jobs">;

/** At most this many deliveries share one transaction. */
const MAX_GROUP = 200;

interface Pending {
  event: VerifiedEvent;
  resolve: (o: RecordOutcome) => void;
  reject: (e: unknown) => void;
}

const intakes = new WeakMap<object, WeakMap<object, Intake>>();

class Intake {
  private queue: Pending[] = [];
  private scheduled = false;
  private writing = false;
  private readonly s: Deps;

  constructor(s: Deps) {
    this.s = s;
  }

  record(event: VerifiedEvent): Promise<RecordOutcome> {
    // The host is waiting for this answer: jobs in this process hold back until it is written.
    return this.s.jobs.foreground(
      () =>
        new Promise<RecordOutcome>((resolve, reject) => {
          this.queue.push({ event, resolve, reject });
          if (!this.scheduled && !this.writing) {
            this.scheduled = true;
            setImmediate(() => void this.write());
          }
        }),
    );
  }

  private async write(): Promise<void> {
    this.scheduled = false;
    this.writing = true;
    try {
      while (this.queue.length > 0) await recordGroup(this.s, this.queue.splice(0, MAX_GROUP));
    } finally {
      this.writing = false;
    }
  }
}

/** Writes one group; false when its transaction failed (its requests then have an answer each). */
async function recordGroup(s: Deps, group: Pending[]): Promise<boolean> {
  const staged: StagedJob[] = [];
  let results: (RecordOutcome | { error: unknown })[];
  try {
    results = await s.db.transaction().execute(async (trx) => {
      const stores = new Map<string, Store | undefined>();
      const out: (RecordOutcome | { error: unknown })[] = [];
      for (const { event } of group) {
        const where = `${event.platform}\n${event.source}`;
        if (!stores.has(where)) stores.set(where, await findStoreByDomain(trx, event.platform, event.source));
        const store = stores.get(where);
        const inactive = store && storeIsInactive(store.status) && !isComplianceTopic(event.topic);
        const ignoredBecause = !store ? "unknown store" : inactive ? `store is ${store.status}` : undefined;
        // A live store's event must make sense before it is recorded: a broken payload gets a 4xx
        // now, not a parked job later.
        if (!ignoredBecause) {
          try {
            hostEventMeaning(event.platform, event.topic, event.payload);
          } catch (error) {
            out.push({ error });
            continue;
          }
        }
        const eventId = await insertWebhookEvent(trx, {
          accountId: store?.account_id ?? null,
          storeId: store?.id ?? null,
          platform: event.platform,
          topic: event.topic,
          deliveryId: event.deliveryId,
          dedupeKey: event.dedupeKey,
          payloadHash: event.payloadHash,
          payload: JSON.stringify(event.payload),
          triggeredAt: event.triggeredAt,
          ignoredBecause,
        });
        if (eventId === null) out.push({ status: "duplicate" });
        else if (!store) out.push({ status: "ignored", reason: "unknown_store" });
        else if (inactive) out.push({ status: "ignored", reason: "store_inactive" });
        else {
          staged.push(await s.jobs.stage(trx, "process-event", { eventId }, { dedupeKey: `process-event:${eventId}`, accountId: store.account_id }));
          out.push({ status: "recorded", eventId });
        }
      }
      return out;
    });
  } catch (e) {
    if (group.length === 1) {
      group[0].reject(e);
      return false;
    }
    // The group failed. One bad delivery (a row the database refuses) must not fail the others:
    // each goes again on its own. But when two in a row fail on their own too, the database
    // itself is failing: the rest get the error at once rather than one slow failure each.
    let failedInARow = 0;
    for (const [i, p] of group.entries()) {
      failedInARow = (await recordGroup(s, [p])) ? 0 : failedInARow + 1;
      if (failedInARow === 2) {
        for (const rest of group.slice(i + 1)) rest.reject(e);
        break;
      }
    }
    return false;
  }
  if (staged.length) await s.jobs.trigger(staged);
  results.forEach((r, i) => ("error" in r ? group[i].reject(r.error) : group[i].resolve(r)));
  return true;
}
