import type { HostEvent, HostPlatform } from "../../../connectors/host-connector.ts";
import { parseShopifyWebhook } from "../../../connectors/shopify/parse-webhook.ts";
import { parseWooCommerceWebhook } from "../../../connectors/woocommerce/parse-webhook.ts";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * What a verified webhook means, by its platform's parser. A payload that lacks what its topic
 * promises, or a topic keyrelay does not subscribe to, is invalid input: the webhook route answers
 * 4xx with the reason and records nothing; a stored event that fails here is parked, never retried.
 */
export function hostEventMeaning(platform: HostPlatform, topic: string, payload: unknown): Exclude<HostEvent, { type: "ignored" }> {
  let meaning: HostEvent;
  try {
    meaning = platform === "shopify" ? parseShopifyWebhook(topic, payload) : parseWooCommerceWebhook(topic, payload);
  } catch (e) {
    throw new InvalidInputError("webhook_payload_invalid", e instanceof Error ? e.message : String(e), { params: { detail: e instanceof Error ? e.message : String(e) } });
  }
  if (meaning.type === "ignored") throw new InvalidInputError("webhook_topic_unhandled", meaning.reason, { params: { detail: meaning.reason } });
  return meaning;
}
