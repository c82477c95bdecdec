import { describe, expect, it } from "vitest";
import { formatLinkCode, linkCodeState, linkRefusal, mayManageStoreLinks, normaliseLinkCode, splitRefusal } from "./store-link.ts";

describe("link codes", () => {
  it("reads what a merchant types: any case, spaces, dashes, look-alike letters", () => {
    expect(normaliseLinkCode("abcde-12345")).toBe("ABCDE12345");
    expect(normaliseLinkCode(" AbCdE 12345 ")).toBe("ABCDE12345");
    expect(normaliseLinkCode("oiLde-12345")).toBe("011DE12345");
    expect(formatLinkCode("ABCDE12345")).toBe("ABCDE-12345");
  });
  it("refuses what cannot be a code", () => {
    expect(normaliseLinkCode("")).toBeNull();
    expect(normaliseLinkCode("ABCDE-1234")).toBeNull();
    expect(normaliseLinkCode("ABCDE-123456")).toBeNull();
    expect(normaliseLinkCode("ABCDE-1234U")).toBeNull();
    expect(normaliseLinkCode("ABCDE-1234!")).toBeNull();
  });
  it("is usable once, until it expires", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    expect(linkCodeState({ used_at: null, expires_at: "2026-01-01T12:00:01Z" }, now)).toBe("usable");
    expect(linkCodeState({ used_at: null, expires_at: "2026-01-01T12:00:00Z" }, now)).toBe("expired");
    expect(linkCodeState({ used_at: "2026-01-01T11:59:00Z", expires_at: "2026-01-01T12:10:00Z" }, now)).toBe("used");
  });
});

describe("linking and splitting", () => {
  it("links only a store whose account holds no pools, into another account", () => {
    expect(linkRefusal({ sameAccount: false, pools: 0 })).toBeNull();
    expect(linkRefusal({ sameAccount: true, pools: 0 })).toEqual({ code: "link_same_account" });
    expect(linkRefusal({ sameAccount: false, pools: 2 })).toEqual({ code: "account_has_pools", pools: 2 });
  });
  it("splits off neither the last store nor one whose orders hold the account's keys", () => {
    expect(splitRefusal({ storesInAccount: 2, keyedOrders: 0 })).toBeNull();
    expect(splitRefusal({ storesInAccount: 1, keyedOrders: 0 })).toEqual({ code: "split_last_store" });
    expect(splitRefusal({ storesInAccount: 3, keyedOrders: 4 })).toEqual({ code: "split_store_has_key_orders", orders: 4 });
  });
  it("lets admins of both surfaces and the CLI manage links, nobody else", () => {
    for (const type of ["admin", "shopify_staff", "cli"]) expect(mayManageStoreLinks({ type })).toBe(true);
    for (const type of ["reseller", "system"]) expect(mayManageStoreLinks({ type })).toBe(false);
  });
});
