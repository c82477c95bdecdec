import { describe, expect, it } from "vitest";
import { parseStoreSettings, sendsOwnEmail } from "./store-settings.ts";

describe("store settings", () => {
  it("defaults keyrelay's own email on for Shopify and off for WooCommerce (its customer note already mails the keys)", () => {
    expect(sendsOwnEmail("shopify", parseStoreSettings("{}"))).toBe(true);
    expect(sendsOwnEmail("woocommerce", parseStoreSettings("{}"))).toBe(false);
  });
  it("follows the merchant's choice", () => {
    expect(sendsOwnEmail("woocommerce", parseStoreSettings('{"sendEmail":true}'))).toBe(true);
    expect(sendsOwnEmail("shopify", parseStoreSettings('{"sendEmail":false}'))).toBe(false);
  });
  it("treats unreadable settings as defaults", () => {
    expect(parseStoreSettings("not json")).toEqual({});
    expect(parseStoreSettings('{"sendEmail":"yes"}')).toEqual({});
  });
});
