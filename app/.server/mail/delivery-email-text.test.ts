import { describe, expect, it } from "vitest";
import { SUPPORTED_LOCALES, translator } from "../../i18n/i18n.ts";
import { renderEmail, validateEmailTemplate } from "../domain/email-template.ts";
import { defaultDeliveryTemplate, deliveryEmailLines } from "./delivery-email-text.ts";

describe("the catalog's delivery email", () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const kind of ["delivery", "backorder-filled", "resend"] as const) {
      it(`${locale} ${kind}: a valid template whose placeholders survive the catalog`, () => {
        const template = defaultDeliveryTemplate(translator(locale), kind, { locale, hasBuyerName: true });
        expect(() => validateEmailTemplate(template)).not.toThrow();
        expect(template.subject).toContain("{{order}}");
        expect(template.text).toContain("{{buyer}}");
        const mail = renderEmail(template, { shop: "S&S", order: "#7", buyer: "Bo", locale, lines: [{ title: "T", keys: ["K-1"], notes: [] }] });
        expect(mail.subject).not.toContain("{{");
        expect(mail.text).not.toContain("{{");
        expect(mail.html).not.toContain("{{");
        expect(mail.html).toContain("S&amp;S");
      });
    }
  }

  it("differs by kind and greets without a name when there is none", () => {
    const t = translator("en");
    const subjects = (["delivery", "backorder-filled", "resend"] as const).map((k) => defaultDeliveryTemplate(t, k, { locale: "en", hasBuyerName: false }).subject);
    expect(new Set(subjects).size).toBe(3);
    expect(defaultDeliveryTemplate(t, "delivery", { locale: "en", hasBuyerName: false }).text.startsWith("Hello,\n")).toBe(true);
  });

  it("says what will follow and what was withdrawn, in the buyer's language, and drops empty lines", () => {
    const line = { orderLineId: "l1", externalLineId: "1", title: "Game card", keys: [{ code: "A-1", fields: { PIN: "12" } }], pendingUnits: 1, releasedUnits: 2 };
    const empty = { ...line, orderLineId: "l2", title: null, keys: [], pendingUnits: 0, releasedUnits: 0 };
    expect(deliveryEmailLines(translator("en"), [line, empty])).toEqual([
      {
        title: "Game card",
        keys: ["A-1 (PIN: 12)"],
        notes: ["1 more key for Game card will follow by email as soon as it is restocked.", "2 keys for Game card were withdrawn after a refund or cancellation."],
      },
    ]);
    expect(deliveryEmailLines(translator("zh-CN"), [{ ...line, title: null, releasedUnits: 0, pendingUnits: 3 }])[0].notes).toEqual(["「商品」还有 3 个卡密暂时缺货，补货后将第一时间通过邮件发送给您。"]);
  });
});
