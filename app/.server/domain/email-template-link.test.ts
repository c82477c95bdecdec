import { describe, expect, it } from "vitest";
import { renderEmail } from "./email-template.ts";

describe("the key-page link in the delivery email", () => {
  const template = { subject: "Keys for {{order}}", html: "<p>{{keys}}</p>", text: "{{keys}}" };
  const lines = [{ title: "Game card", keys: ["AAAA-1111"], notes: [] }];
  const link = { url: "https://keys.example.com/k/abc_-DEF?x=1&y=2", label: "View your keys online", text: "View online: https://keys.example.com/k/abc_-DEF?x=1&y=2" };

  it("ends the keys block of both bodies, escaped in HTML, never in the subject", () => {
    const mail = renderEmail(template, { shop: "Shop", order: "#1", buyer: "", locale: "en", lines, link });
    expect(mail.text).toBe("Game card\n  AAAA-1111\n\nView online: https://keys.example.com/k/abc_-DEF?x=1&y=2");
    expect(mail.html).toContain('<a href="https://keys.example.com/k/abc_-DEF?x=1&amp;y=2"');
    expect(mail.html).toContain(">View your keys online</a>");
    expect(mail.subject).toBe("Keys for #1");
  });

  it("is absent when there is no link", () => {
    const mail = renderEmail(template, { shop: "Shop", order: "#1", buyer: "", locale: "en", lines });
    expect(mail.text).toBe("Game card\n  AAAA-1111");
    expect(mail.html).not.toContain("<a ");
  });
});
