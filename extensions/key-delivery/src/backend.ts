import { BACKEND_URL } from "./backend-url.ts";
import { classify, type Outcome } from "./key-state.ts";

export type Surface = "checkout" | "customer-account";

/**
 * One read of the order's keys from keyrelay, with a fresh session token as the Bearer header
 * (Shopify caches and renews it). A network error is an outcome like any other.
 */
export async function fetchKeys(opts: {
  surface: Surface;
  orderId: string;
  /** The thank-you page's order confirmation number: a guest's proof that the order is theirs. */
  confirmation?: string;
  reveal: boolean;
  token: () => Promise<string>;
  fetch?: typeof fetch;
}): Promise<Outcome> {
  try {
    const token = await opts.token();
    const query = `surface=${opts.surface}${opts.reveal ? "&reveal=1" : ""}`;
    const res = await (opts.fetch ?? fetch)(`${BACKEND_URL}/api/buyer/orders/${encodeURIComponent(opts.orderId)}/keys?${query}`, {
      headers: { Authorization: `Bearer ${token}`, ...(opts.confirmation ? { "X-Keyrelay-Confirmation": opts.confirmation } : {}) },
    });
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    return classify(res.status, body, res.headers.get("Retry-After"));
  } catch {
    return classify(0, null, null);
  }
}
