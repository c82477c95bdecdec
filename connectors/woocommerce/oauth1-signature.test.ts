import { describe, expect, it } from "vitest";
import { normalizedQuery, oauthNonce, oauthSignature, signUrl } from "./oauth1-signature.ts";

// Vectors produced by @woocommerce/woocommerce-rest-api 1.0.2 (oauth-1.0a 2.2.6) with its nonce and
// timestamp pinned: `api.get("orders", {...})` and `api.post("orders/42/notes", {...})` against
// http://shop.example/.
const key = "ck_0123456789abcdef0123456789abcdef01234567";
const secret = "cs_fedcba9876543210fedcba9876543210fedcba98";
const nonce = "abcdefghijklmnopqrstuvwxyz012345";
const timestamp = 1764000000;

describe("OAuth 1.0a signature (WooCommerce over HTTP)", () => {
  it("matches the npm client for a GET with query parameters (spaces, slashes, non-ASCII, commas)", () => {
    const query = normalizedQuery({ status: "processing,completed", modified_after: "2026-11-25T03:00:00", per_page: 50, page: 2, dates_are_gmt: true, search: "a b/é" });
    expect(query).toBe("dates_are_gmt=true&modified_after=2026-11-25T03%3A00%3A00&page=2&per_page=50&search=a%20b%2F%C3%A9&status=processing%2Ccompleted");
    const url = `http://shop.example/wp-json/wc/v3/orders?${query}`;
    expect(oauthSignature({ method: "GET", url, consumerKey: key, consumerSecret: secret, nonce, timestamp }).signature).toBe("hnRokEJ3Jqwv5QYbxiGqazv51oWhGzff9RvNzRU4rfc=");
  });

  it("matches the npm client for a POST (the JSON body is not signed)", () => {
    const signed = signUrl({ method: "POST", url: "http://shop.example/wp-json/wc/v3/orders/42/notes", consumerKey: key, consumerSecret: secret, nonce, timestamp });
    expect(signed).toBe(
      "http://shop.example/wp-json/wc/v3/orders/42/notes?oauth_consumer_key=ck_0123456789abcdef0123456789abcdef01234567&oauth_nonce=abcdefghijklmnopqrstuvwxyz012345&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1764000000&oauth_version=1.0&oauth_signature=Mf3W0dCNe2SzTbmFA%2Ba5b%2BYtRcsZhCcZVYfCOdqSTPo%3D",
    );
  });

  it("changes with the method, the secret and the query", () => {
    const base = { url: "http://shop.example/wp-json/wc/v3/orders/42/notes", consumerKey: key, consumerSecret: secret, nonce, timestamp };
    const post = oauthSignature({ ...base, method: "POST" }).signature;
    expect(oauthSignature({ ...base, method: "GET" }).signature).not.toBe(post);
    expect(oauthSignature({ ...base, method: "POST", consumerSecret: "cs_other" }).signature).not.toBe(post);
    expect(oauthSignature({ ...base, method: "POST", url: `${base.url}?x=1` }).signature).not.toBe(post);
  });

  it("makes 32-character alphanumeric nonces", () => {
    expect(oauthNonce()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(oauthNonce()).not.toBe(oauthNonce());
  });
});
