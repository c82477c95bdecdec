import { describe, expect, it } from "vitest";
import { textTranslator as translator } from "../../i18n/i18n.ts";
import { renderDeliveryNote } from "./delivery-note.ts";

const line = (over: Partial<Parameters<typeof renderDeliveryNote>[1][number]> = {}) => ({
  orderLineId: "l1",
  externalLineId: "1",
  title: "Steam $20",
  keys: [{ code: "AAAA-BBBB", fields: {} }, { code: "CCCC", fields: { pin: "1234" } }],
  pendingUnits: 0,
  releasedUnits: 0,
  ...over,
});

describe("renderDeliveryNote", () => {
  it("lists every key per product, with extra fields, as plain text", () => {
    expect(renderDeliveryNote(translator("en"), [line()])).toBe("Your keys\n\nSteam $20\n  AAAA-BBBB\n  CCCC (pin: 1234)");
  });
  it("says what still waits for stock and what was withdrawn", () => {
    const text = renderDeliveryNote(translator("en"), [line({ keys: [], pendingUnits: 2, releasedUnits: 1 })]);
    expect(text).toContain("2 more keys for this item will be delivered as soon as they are restocked.");
    expect(text).toContain("1 key was withdrawn after a refund or cancellation.");
  });
  it("speaks the buyer's language", () => {
    const text = renderDeliveryNote(translator("zh-CN"), [line({ pendingUnits: 1 })], { keyPageUrl: "https://k.example/o/x" });
    expect(text).toContain("您的卡密");
    expect(text).toContain("此商品还有 1 个卡密待补货");
    expect(text).toContain("在线查看您的卡密：https://k.example/o/x");
  });
  it("leaves out lines with nothing to say", () => {
    expect(renderDeliveryNote(translator("en"), [line({ keys: [] })])).toBe("Your keys");
  });
});
