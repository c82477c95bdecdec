import { InvalidInputError } from "./errors.ts";

/**
 * The buyer's delivery email as a merchant writes it (per pool) or the catalog supplies it: a
 * subject, an HTML body and a plain-text body with placeholders.
 *
 *   {{shop}}      the store's name
 *   {{order}}     the order's name (#1001)
 *   {{buyer}}     the buyer's name ("" when the host gave none)
 *   {{products}}  the product titles, joined ("Game card and Gift card")
 *   {{keys}}      the keys block: per product, its keys and what is still to come (bodies only),
 *                 then the link to the buyer's key page when there is one
 *
 * Substitution is one pass over the template, so a value that itself looks like a placeholder (a
 * shop called "{{keys}}") stays text. In HTML every value is escaped — keys included: a key is
 * whatever the supplier sold, and `<b>&"'` must reach the buyer as those five characters.
 */
export const EMAIL_PLACEHOLDERS = ["shop", "order", "buyer", "products", "keys"] as const;
export type EmailPlaceholder = (typeof EMAIL_PLACEHOLDERS)[number];

export interface EmailTemplate {
  subject: string;
  html: string;
  text: string;
}

export type EmailTemplateField = keyof EmailTemplate;

/** One product as the email shows it; keys are already formatted, notes already translated. */
export interface EmailLine {
  title: string;
  keys: string[];
  /** Sentences under the keys: what will follow when restocked, what was withdrawn. */
  notes: string[];
}

export interface EmailContext {
  shop: string;
  order: string;
  buyer: string;
  /** A BCP 47 tag, for joining the product titles the way the buyer's language does. */
  locale: string;
  lines: EmailLine[];
  /** The signed key page: shown at the end of {{keys}}, so every template carries it. */
  link?: { url: string; label: string; text: string };
}

export const EMAIL_TEMPLATE_LIMITS = { subject: 300, html: 100_000, text: 50_000 } as const;

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function renderEmail(template: EmailTemplate, ctx: EmailContext): EmailTemplate {
  const values = {
    shop: ctx.shop,
    order: ctx.order,
    buyer: ctx.buyer,
    products: joinTitles(ctx.lines.map((l) => l.title), ctx.locale),
  };
  return {
    // A subject is one header line: a product title with a line break must not start a new header.
    subject: fill(template.subject, (name) => (name === "keys" ? undefined : oneLine(values[name as keyof typeof values]))).trim(),
    html: fill(template.html, (name) => (name === "keys" ? keysHtml(ctx.lines) + linkHtml(ctx.link) : mapOrUndefined(values, name, escapeHtml))),
    text: fill(template.text, (name) => (name === "keys" ? keysText(ctx.lines) + (ctx.link ? `\n\n${ctx.link.text}` : "") : mapOrUndefined(values, name, (v) => v))),
  };
}

/**
 * Checks a merchant's template before it is saved (the pool form, the CLI). A field left empty
 * means "use the default" and comes back null. Both bodies must carry {{keys}} — a template
 * without it would mail the buyer everything except what they paid for — and the subject must not:
 * subjects show in inbox lists, lock-screen notifications and mail server logs.
 */
export function validateEmailTemplate(input: Partial<Record<EmailTemplateField, string | null | undefined>>): Record<EmailTemplateField, string | null> {
  const out: Record<EmailTemplateField, string | null> = { subject: null, html: null, text: null };
  for (const field of ["subject", "html", "text"] as const) {
    const raw = input[field];
    const value = raw == null ? "" : field === "subject" ? raw.trim() : raw;
    if (value.trim() === "") continue;
    const limit = EMAIL_TEMPLATE_LIMITS[field];
    if (value.length > limit) {
      throw new InvalidInputError("email_template_too_long", `the email ${field} is longer than ${limit} characters`, { field, params: { limit } });
    }
    if (field === "subject" && /[\r\n]/.test(value)) {
      throw new InvalidInputError("email_template_subject", "the email subject must be a single line", { field, params: { limit } });
    }
    for (const m of value.matchAll(PLACEHOLDER)) {
      if (!(EMAIL_PLACEHOLDERS as readonly string[]).includes(m[1])) {
        throw new InvalidInputError("email_template_placeholder", `unknown placeholder ${m[0]} in the email ${field}; available: ${allowedList()}`, {
          field,
          params: { name: m[0], allowed: allowedList() },
        });
      }
    }
    const names = [...value.matchAll(PLACEHOLDER)].map((m) => m[1]);
    if (field === "subject" && names.includes("keys")) {
      throw new InvalidInputError("email_template_keys_in_subject", "keys cannot go in the email subject", { field, params: { name: "{{keys}}" } });
    }
    if (field !== "subject" && !names.includes("keys")) {
      throw new InvalidInputError("email_template_keys_required", `the email ${field} body must contain {{keys}}`, { field, params: { name: "{{keys}}" } });
    }
    out[field] = value;
  }
  return out;
}

/**
 * A pool's own template over the catalog's: each of subject/HTML/text falls back on its own when
 * the pool leaves it empty or holds one that no longer validates (`onInvalid` hears which). The
 * delivery email and the settings page's preview both go through here, so the preview is the email.
 */
export function templateWithOverrides(
  fallback: EmailTemplate,
  own: Record<EmailTemplateField, string | null>,
  onInvalid?: (field: EmailTemplateField, code: string) => void,
): EmailTemplate {
  const out = { ...fallback };
  for (const field of ["subject", "html", "text"] as const) {
    if (!own[field]) continue;
    try {
      out[field] = validateEmailTemplate({ [field]: own[field] })[field] ?? fallback[field];
    } catch (e) {
      onInvalid?.(field, e instanceof InvalidInputError ? e.code : "invalid");
    }
  }
  return out;
}

function allowedList(): string {
  return EMAIL_PLACEHOLDERS.map((p) => `{{${p}}}`).join(" ");
}

/** Unknown placeholders (a template that skipped validation) are left exactly as written. */
function fill(template: string, valueOf: (name: string) => string | undefined): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => valueOf(name) ?? whole);
}

function mapOrUndefined(values: Record<string, string>, name: string, f: (v: string) => string): string | undefined {
  return Object.hasOwn(values, name) ? f(values[name]) : undefined;
}

function oneLine(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.replace(/[\r\n\t\u0000-\u001f]+/g, " ");
}

function joinTitles(titles: string[], locale: string): string {
  const unique = [...new Set(titles)];
  try {
    return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(unique);
  } catch {
    return unique.join(", ");
  }
}

const CODE_STYLE = "font-family:SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:15px;background:#f4f5f7;padding:2px 6px;border-radius:3px";

function keysHtml(lines: EmailLine[]): string {
  return lines
    .map((l) => {
      const keys = l.keys.length ? `<ul style="padding-left:20px;margin:4px 0">${l.keys.map((k) => `<li style="margin:4px 0"><code style="${CODE_STYLE}">${escapeHtml(k)}</code></li>`).join("")}</ul>` : "";
      const notes = l.notes.map((n) => `<p style="margin:4px 0;color:#555">${escapeHtml(n)}</p>`).join("");
      return `<div style="margin:16px 0"><p style="margin:0;font-weight:bold">${escapeHtml(l.title)}</p>${keys}${notes}</div>`;
    })
    .join("\n");
}

function linkHtml(link: EmailContext["link"]): string {
  if (!link) return "";
  return `\n<p style="margin:16px 0"><a href="${escapeHtml(link.url)}" style="color:#005bd3">${escapeHtml(link.label)}</a></p>`;
}

function keysText(lines: EmailLine[]): string {
  return lines.map((l) => [l.title, ...l.keys.map((k) => `  ${k}`), ...l.notes.map((n) => `  ${n}`)].join("\n")).join("\n\n");
}
