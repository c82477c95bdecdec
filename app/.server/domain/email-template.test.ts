import { describe, expect, it } from "vitest";
import { renderEmail, validateEmailTemplate, type EmailContext, type EmailTemplate } from "./email-template.ts";
import { KeyrelayError } from "./errors.ts";

const template: EmailTemplate = {
  subject: "Your keys for order {{order}} from {{shop}}",
  html: "<p>Hello {{buyer}}, thanks for {{products}} at {{ shop }}.</p>{{keys}}",
  text: "Hello {{buyer}}, thanks for {{products}} at {{shop}}.\n\n{{keys}}",
};

const ctx = (over: Partial<EmailContext> = {}): EmailContext => ({
  shop: "Tom & Jerry's <Shop>",
  order: "#1001",
  buyer: 'Ada "A" Buyer',
  locale: "en",
  lines: [
    { title: "Game <card>", keys: ["<b>&\"'", "PLAIN-1234"], notes: [] },
    { title: "Gift card", keys: [], notes: ["2 more keys for Gift card will follow by email as soon as they are restocked."] },
  ],
  ...over,
});

function thrown(f: () => unknown): KeyrelayError {
  try {
    f();
  } catch (e) {
    if (e instanceof KeyrelayError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("renderEmail", () => {
  it("escapes every value in HTML, keys included, and puts each key in a monospace element", () => {
    const { html } = renderEmail(template, ctx());
    expect(html).toContain("Hello Ada &quot;A&quot; Buyer, thanks for Game &lt;card&gt; and Gift card at Tom &amp; Jerry&#39;s &lt;Shop&gt;.");
    expect(html).toContain("<code");
    expect(html).toMatch(/<li[^>]*><code style="[^"]*monospace[^"]*">&lt;b&gt;&amp;&quot;&#39;<\/code><\/li>/);
    expect(html).toMatch(/<code[^>]*>PLAIN-1234<\/code>/);
    expect(html).toContain("<p style=\"margin:0;font-weight:bold\">Game &lt;card&gt;</p>");
    expect(html).toContain("2 more keys for Gift card will follow");
    // Nothing of a value escaped its escaping.
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<Shop>");
  });

  it("leaves plain text unescaped: the product title, then its keys indented", () => {
    const { text, subject } = renderEmail(template, ctx());
    expect(text).toBe(
      [
        "Hello Ada \"A\" Buyer, thanks for Game <card> and Gift card at Tom & Jerry's <Shop>.",
        "",
        "Game <card>",
        "  <b>&\"'",
        "  PLAIN-1234",
        "",
        "Gift card",
        "  2 more keys for Gift card will follow by email as soon as they are restocked.",
      ].join("\n"),
    );
    expect(subject).toBe("Your keys for order #1001 from Tom & Jerry's <Shop>");
  });

  it("substitutes once: a value that looks like a placeholder stays text", () => {
    const r = renderEmail(template, ctx({ shop: "{{keys}}", buyer: "{{order}}" }));
    expect(r.subject).toBe("Your keys for order #1001 from {{keys}}");
    expect(r.text.startsWith("Hello {{order}}, thanks")).toBe(true);
    expect(r.text.match(/PLAIN-1234/g)).toHaveLength(1);
  });

  it("keeps the subject on one line and never puts keys in it", () => {
    const r = renderEmail({ ...template, subject: "{{products}} {{keys}}" }, ctx({ lines: [{ title: "A\r\nBcc: x@evil", keys: ["K-1"], notes: [] }] }));
    expect(r.subject).toBe("A Bcc: x@evil {{keys}}");
    expect(r.subject).not.toContain("K-1");
  });

  it("joins product titles the buyer's way and only once each", () => {
    const lines = [
      { title: "游戏点卡", keys: ["K1"], notes: [] },
      { title: "会员卡", keys: ["K2"], notes: [] },
      { title: "游戏点卡", keys: ["K3"], notes: [] },
    ];
    expect(renderEmail({ ...template, subject: "{{products}}" }, ctx({ locale: "zh-CN", lines })).subject).toBe("游戏点卡和会员卡");
    expect(renderEmail({ ...template, subject: "{{products}}" }, ctx({ lines })).subject).toBe("游戏点卡 and 会员卡");
  });

  it("leaves an unknown placeholder as written", () => {
    expect(renderEmail({ ...template, text: "{{coupon}} {{keys}}" }, ctx()).text.startsWith("{{coupon}} Game <card>")).toBe(true);
  });
});

describe("validateEmailTemplate", () => {
  it("accepts a template and returns empty fields as null (use the default)", () => {
    expect(validateEmailTemplate({ subject: "  Keys for {{order}}  ", html: "<p>{{ keys }}</p>", text: "" })).toEqual({ subject: "Keys for {{order}}", html: "<p>{{ keys }}</p>", text: null });
    expect(validateEmailTemplate({})).toEqual({ subject: null, html: null, text: null });
  });

  it("rejects an unknown placeholder, naming it and the ones available", () => {
    const e = thrown(() => validateEmailTemplate({ text: "Hi {{customer}}\n{{keys}}" }));
    expect(e).toMatchObject({ kind: "invalid_input", code: "email_template_placeholder", field: "text", params: { name: "{{customer}}" } });
    expect(e.message).toContain("{{customer}}");
    expect(e.message).toContain("{{shop}} {{order}} {{buyer}} {{products}} {{keys}}");
    expect(thrown(() => validateEmailTemplate({ subject: "{{}}" })).code).toBe("email_template_placeholder");
  });

  it("requires {{keys}} in both bodies and refuses it in the subject", () => {
    expect(thrown(() => validateEmailTemplate({ html: "<p>Thanks for {{products}}</p>" }))).toMatchObject({ code: "email_template_keys_required", field: "html" });
    expect(thrown(() => validateEmailTemplate({ text: "Thanks" }))).toMatchObject({ code: "email_template_keys_required", field: "text" });
    expect(thrown(() => validateEmailTemplate({ subject: "Your key: {{keys}}" }))).toMatchObject({ code: "email_template_keys_in_subject", field: "subject" });
  });

  it("limits lengths and keeps the subject to one line", () => {
    expect(thrown(() => validateEmailTemplate({ subject: "x".repeat(301) }))).toMatchObject({ code: "email_template_too_long", params: { limit: 300 } });
    expect(thrown(() => validateEmailTemplate({ text: "{{keys}}" + "x".repeat(50_000) }))).toMatchObject({ code: "email_template_too_long", field: "text" });
    expect(thrown(() => validateEmailTemplate({ subject: "a\nb" }))).toMatchObject({ code: "email_template_subject" });
  });
});
