import { describe, expect, it } from "vitest";
import { isHostError } from "../host-error.ts";
import { createWooCommerceRestClient } from "./rest-client.ts";

const consumerKey = "ck_0123456789abcdef0123456789abcdef01234567";
const consumerSecret = "cs_fedcba9876543210fedcba9876543210fedcba98";

function recorder(answer: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=UTF-8", ...headers } });

describe("WooCommerce REST client", () => {
  it("uses Basic auth over HTTPS and keeps credentials out of the URL", async () => {
    const r = recorder(() => json([{ id: 1 }], 200, { "x-wp-totalpages": "3" }));
    const client = createWooCommerceRestClient({ url: "https://shop.example/", consumerKey, consumerSecret, fetch: r.fetch });
    const res = await client("GET", "orders", { query: { per_page: 1, search: "a b" } });
    expect(res.body).toEqual([{ id: 1 }]);
    expect(res.headers.get("x-wp-totalpages")).toBe("3");
    expect(r.calls[0].url).toBe("https://shop.example/wp-json/wc/v3/orders?per_page=1&search=a%20b");
    const auth = (r.calls[0].init.headers as Record<string, string>).Authorization;
    expect(Buffer.from(auth.replace("Basic ", ""), "base64").toString()).toBe(`${consumerKey}:${consumerSecret}`);
  });

  it("signs with OAuth 1.0a in the query over HTTP, never sending the secret", async () => {
    const r = recorder(() => json({ id: 1 }, 201));
    const client = createWooCommerceRestClient({ url: "http://shop.example", consumerKey, consumerSecret, fetch: r.fetch });
    await client("POST", "orders/1/notes", { body: { note: "K-1", customer_note: true } });
    const url = new URL(r.calls[0].url);
    expect(url.searchParams.get("oauth_consumer_key")).toBe(consumerKey);
    expect(url.searchParams.get("oauth_signature_method")).toBe("HMAC-SHA256");
    expect(url.searchParams.get("oauth_signature")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r.calls[0].url).not.toContain(consumerSecret);
    expect((r.calls[0].init.headers as Record<string, string>).Authorization).toBeUndefined();
    expect(r.calls[0].init.body).toBe('{"note":"K-1","customer_note":true}');
  });

  it("reports errors without the query, the key or the secret", async () => {
    const r = recorder(() => json({ code: "woocommerce_rest_authentication_error", message: "Invalid signature - provided signature does not match.", data: { status: 401 } }, 401));
    const client = createWooCommerceRestClient({ url: "http://shop.example", consumerKey, consumerSecret, fetch: r.fetch });
    const e = await client("GET", "orders", { query: { search: "x" } }).catch((err) => err);
    expect(isHostError(e) && e.kind).toBe("unauthorized");
    expect(e.message).toBe("WooCommerce GET /orders: Invalid signature - provided signature does not match. (woocommerce_rest_authentication_error, HTTP 401)");
    for (const secret of [consumerKey, consumerSecret, "oauth_", "search="]) expect(e.message).not.toContain(secret);
  });

  it("treats an HTML page as not WooCommerce, a network failure and a timeout as retryable", async () => {
    const html = createWooCommerceRestClient({ url: "https://shop.example", consumerKey, consumerSecret, fetch: recorder(() => new Response("<html>Hi</html>", { headers: { "content-type": "text/html" } })).fetch });
    await expect(html("GET", "orders")).rejects.toMatchObject({ kind: "not_host" });

    const down = createWooCommerceRestClient({
      url: "https://shop.example",
      consumerKey,
      consumerSecret,
      fetch: (async () => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ECONNREFUSED https://shop.example/?consumer_key=${consumerKey}`), { code: "ECONNREFUSED" }) });
      }) as typeof fetch,
    });
    const e = await down("GET", "orders").catch((err) => err);
    expect(e).toMatchObject({ kind: "retryable", code: "unreachable" });
    expect(e.message).toContain("ECONNREFUSED");
    expect(String(e.cause?.message)).not.toContain(consumerKey);

    const slow = createWooCommerceRestClient({
      url: "https://shop.example",
      consumerKey,
      consumerSecret,
      timeoutMs: 20,
      fetch: ((_u: unknown, init?: RequestInit) =>
        new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)))) as typeof fetch,
    });
    await expect(slow("GET", "orders")).rejects.toMatchObject({ kind: "retryable", code: "timeout" });
  });

  it("does not follow redirects (a signed request would not survive one)", async () => {
    const client = createWooCommerceRestClient({ url: "http://shop.example", consumerKey, consumerSecret, fetch: recorder(() => new Response(null, { status: 301, headers: { location: "https://shop.example/wp-json/wc/v3/orders?oauth_consumer_key=ck_x" } })).fetch });
    const e = await client("GET", "orders").catch((err) => err);
    expect(e).toMatchObject({ kind: "not_host", code: "redirect" });
    expect(e.message).toContain("https://shop.example");
    expect(e.message).not.toContain("ck_x");
  });
});
