import { describe, expect, it } from "vitest";
import { adminCsp, createCspNonce, embeddedShop, withoutScriptPreloads } from "./admin-csp.ts";

/** The policy as a map of directive → sources. */
function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );
}

describe("adminCsp", () => {
  it("standalone: scripts only by nonce (and what they load), no plugins, no base, forms to self, never framed", () => {
    const p = parse(adminCsp({ nonce: "abc+/=", frame: "none" }));
    expect(p.get("script-src")).toEqual(["'nonce-abc+/='", "'strict-dynamic'", "'self'"]);
    expect(p.get("object-src")).toEqual(["'none'"]);
    expect(p.get("base-uri")).toEqual(["'none'"]);
    expect(p.get("form-action")).toEqual(["'self'"]);
    expect(p.get("frame-ancestors")).toEqual(["'none'"]);
    // Inline style attributes (Polaris) but no inline style elements.
    expect(p.get("style-src-elem")).toEqual(["'self'"]);
    expect(p.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(p.get("script-src")).not.toContain("'unsafe-inline'");
    expect(p.has("default-src")).toBe(false);
  });

  it("embedded: the same script rule, framed only by the shop and Shopify's admin", () => {
    const standalone = parse(adminCsp({ nonce: "n1", frame: "none" }));
    const p = parse(adminCsp({ nonce: "n1", frame: { shop: "ada-cards.myshopify.com" } }));
    expect(p.get("script-src")).toEqual(standalone.get("script-src"));
    expect(p.get("frame-ancestors")).toEqual(["https://ada-cards.myshopify.com", "https://admin.shopify.com"]);
    expect(parse(adminCsp({ nonce: "n1", frame: { shop: null } })).get("frame-ancestors")).toEqual(["https://admin.shopify.com"]);
  });

  it("dev server: no script or style rule (Vite's HMR), the rest stays", () => {
    const p = parse(adminCsp({ nonce: "n", frame: "none", dev: true }));
    expect(p.has("script-src")).toBe(false);
    expect([...p.keys()].some((k) => k.startsWith("style-src"))).toBe(false);
    expect(p.get("frame-ancestors")).toEqual(["'none'"]);
    expect(p.get("object-src")).toEqual(["'none'"]);
  });
});

describe("createCspNonce", () => {
  it("is 16 random bytes in base64, new every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createCspNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe("embeddedShop", () => {
  const shop = (q: string) => embeddedShop(new URL(`https://keyrelay.example/app?${q}`));
  it("takes a <name>.myshopify.com shop, lowercased", () => {
    expect(shop("shop=Ada-Cards.myshopify.com")).toBe("ada-cards.myshopify.com");
  });
  it("refuses anything that could widen the policy or break the header", () => {
    for (const q of [
      "",
      "shop=",
      "shop=evil.example",
      "shop=ada.myshopify.com.evil.example",
      "shop=ada.myshopify.com%20https://evil.example",
      "shop=ada.myshopify.com;script-src%20*",
      "shop=*.myshopify.com",
      "shop=https://ada.myshopify.com",
      "shop=-ada.myshopify.com",
    ]) {
      expect(shop(q), q).toBeNull();
    }
  });
});

describe("withoutScriptPreloads", () => {
  it("drops the library's App Bridge and Polaris preloads and keeps the preconnect", () => {
    const link =
      '<https://cdn.shopify.com>; rel="preconnect", <https://cdn.shopify.com/shopifycloud/app-bridge.js>; rel="preload"; as="script", <https://cdn.shopify.com/shopifycloud/polaris.js>; rel="preload"; as="script"';
    expect(withoutScriptPreloads(link)).toBe('<https://cdn.shopify.com>; rel="preconnect"');
    expect(withoutScriptPreloads('</a.css>; rel="preload"; as="style"')).toBe('</a.css>; rel="preload"; as="style"');
  });
});
