import type { TFunction } from "i18next";
import { formatKey, type DeliveryLine } from "../domain/delivery-content.ts";
import { escapeHtml, type EmailLine, type EmailTemplate } from "../domain/email-template.ts";

export type DeliveryEmailKind = "delivery" | "backorder-filled" | "resend";

const SUBJECT = { delivery: "subject", "backorder-filled": "subjectBackorderFilled", resend: "subjectResend" } as const;
const INTRO = { delivery: "intro", "backorder-filled": "introBackorderFilled", resend: "introResend" } as const;

/**
 * The catalog's delivery email, as a template in the same placeholder language a merchant writes
 * (domain/email-template.ts): the catalog sentences keep their {{order}}/{{shop}} untouched
 * (skipInterpolation) and the renderer fills and escapes them like any merchant template.
 * The kind changes only the subject and the first sentence.
 */
export function defaultDeliveryTemplate(t: TFunction, kind: DeliveryEmailKind, opts: { locale: string; hasBuyerName: boolean }): EmailTemplate {
  const raw = (key: string) => t(`emails.delivery.${key}`, { skipInterpolation: true });
  const greeting = raw(opts.hasBuyerName ? "greeting" : "greetingNoName");
  const intro = raw(INTRO[kind]);
  const keep = raw("keep");
  const signOff = raw("signOff");
  const p = (s: string) => `<p style="margin:0 0 12px">${escapeHtml(s)}</p>`;
  return {
    subject: raw(SUBJECT[kind]),
    text: [greeting, "", intro, "", "{{keys}}", "", keep, "", signOff, "{{shop}}"].join("\n"),
    html: [
      `<!doctype html><html lang="${escapeHtml(opts.locale)}"><head><meta charset="utf-8"></head>`,
      `<body style="font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',sans-serif;font-size:15px;line-height:1.5;color:#202223">`,
      p(greeting),
      p(intro),
      "{{keys}}",
      p(keep),
      `<p style="margin:0">${escapeHtml(signOff)}<br>{{shop}}</p>`,
      "</body></html>",
    ].join("\n"),
  };
}

/**
 * Each line as the email shows it: formatted keys, and in the buyer's language what is still to
 * come (so the first email of a backordered order says the rest will follow, whatever template
 * the merchant wrote: these sentences are part of {{keys}}) and what was withdrawn.
 */
export function deliveryEmailLines(t: TFunction, lines: DeliveryLine[]): EmailLine[] {
  return lines
    .filter((l) => l.keys.length > 0 || l.pendingUnits > 0 || l.releasedUnits > 0)
    .map((l) => {
      const title = l.title ?? t("emails.delivery.product");
      const notes: string[] = [];
      if (l.pendingUnits > 0) notes.push(t("emails.delivery.pending", { count: l.pendingUnits, product: title }));
      if (l.releasedUnits > 0) notes.push(t("emails.delivery.released", { count: l.releasedUnits, product: title }));
      return { title, keys: l.keys.map(formatKey), notes };
    });
}
