import type { RawWebhookRequest } from "../../../connectors/host-connector.ts";
import { verifyWooCommerceWebhook } from "../../../connectors/woocommerce/webhook-signature.ts";
import { findStoreById } from "../db/repositories/stores-repo.ts";
import { InvalidInputError } from "../domain/errors.ts";
import type { Services } from "../ports.ts";
import { recordWebhookEvent, type RecordOutcome } from "./record-webhook-event.ts";

export type WooReceiveOutcome = RecordOutcome | { status: "ping" } | { status: "rejected"; reason: string };

/** A WooCommerce delivery for one connected store: ping, verify with that store's secret, record. */
export async function receiveWooCommerceWebhook(
  s: Pick<Services, "db" | "jobs" | "cipher">,
  storeId: string,
  req: RawWebhookRequest,
): Promise<WooReceiveOutcome> {
  const store = await findStoreById(s.db, storeId);
  // A store we cannot verify for (unknown, or connected without a secret) is "not connected": 404.
  if (!store || store.platform !== "woocommerce" || !store.webhook_secret_ciphertext || !store.webhook_secret_key_id) {
    throw new InvalidInputError("store_not_found", "unknown store");
  }
  const secret = s.cipher.openString({ ciphertext: store.webhook_secret_ciphertext, keyId: store.webhook_secret_key_id }, store.id);
  const verification = verifyWooCommerceWebhook(req, secret, store.domain);
  if (verification.kind === "ping") return { status: "ping" };
  if (verification.kind === "rejected") return { status: "rejected", reason: verification.reason };
  // A disconnected store's deliveries are answered (WooCommerce disables webhooks after failures),
  // recorded as ignored, and not acted on.
  return recordWebhookEvent(s, verification.event);
}
