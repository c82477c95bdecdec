import type { WebhookHealth } from "../host-connector.ts";
import { isHostError } from "../host-error.ts";
import { fetchAllPages } from "./paginate.ts";
import type { WooCommerceRestClient } from "./rest-client.ts";
import type { WcWebhook } from "./wire-types.ts";

export const ORDER_TOPIC = "order.updated";

/**
 * Is keyrelay's order webhook still there and active? WooCommerce disables a webhook after
 * repeated failed deliveries (status `disabled`) and never retries a failed one, so this is how a
 * store that silently stopped sending is found. The webhook is looked up by the id stored when it
 * was registered, else by our delivery URL.
 */
export async function checkWooCommerceWebhooks(client: WooCommerceRestClient, opts: { webhookId?: string | null; deliveryUrl?: string | null }): Promise<WebhookHealth> {
  let hook: WcWebhook | undefined;
  if (opts.webhookId && /^\d+$/.test(opts.webhookId)) {
    try {
      hook = (await client<WcWebhook>("GET", `webhooks/${opts.webhookId}`)).body;
    } catch (e) {
      if (!(isHostError(e) && e.kind === "not_found")) throw e;
    }
  } else if (opts.deliveryUrl) {
    const all = await fetchAllPages<WcWebhook>(client, "webhooks");
    hook = all.find((w) => w.delivery_url === opts.deliveryUrl && w.topic === ORDER_TOPIC && w.status === "active") ?? all.find((w) => w.delivery_url === opts.deliveryUrl);
  } else {
    return { ok: false, problem: "no webhook is registered for this store" };
  }
  if (!hook) return { ok: false, problem: `the ${ORDER_TOPIC} webhook was deleted on the store` };
  if (hook.status !== "active") return { ok: false, problem: `the ${hook.topic} webhook is ${hook.status} on the store` };
  if (hook.topic !== ORDER_TOPIC) return { ok: false, problem: `the webhook listens to ${hook.topic}, not ${ORDER_TOPIC}` };
  if (opts.deliveryUrl && hook.delivery_url !== opts.deliveryUrl) return { ok: false, problem: "the webhook delivers to another address" };
  return { ok: true, problem: null };
}
