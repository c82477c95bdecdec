import { describe, expect, it } from "vitest";
import { matchLocale } from "../../i18n/i18n.ts";
import { chooseBuyerLocale } from "./buyer-locale.ts";

describe("chooseBuyerLocale", () => {
  it("prefers the order's language, then the store's, then the account's", () => {
    expect(chooseBuyerLocale({ order: "zh-CN", store: "en", account: "en" }, matchLocale, "en")).toBe("zh-CN");
    expect(chooseBuyerLocale({ order: null, store: "zh_CN", account: "en" }, matchLocale, "en")).toBe("zh-CN");
    expect(chooseBuyerLocale({ order: "fr", store: "de", account: "zh-CN" }, matchLocale, "en")).toBe("zh-CN");
    expect(chooseBuyerLocale({}, matchLocale, "en")).toBe("en");
  });
});
