import { isCountryCode } from "./risk-attributes.ts";
import { ipInRange, isStrictIp, normaliseIp, parseCidr } from "./risk-condition.ts";
import { InvalidInputError } from "./errors.ts";
import { parseCardValue } from "./risk-card.ts";

/**
 * An account's allow and block lists (issue 13): emails, email domains, IPs and CIDR ranges,
 * countries, host customer ids and cards (`BIN…LAST4`, where the host shows the card). An entry can expire ("block this IP for 7 days"); an expired
 * entry matches nothing. Values are stored normalised, so `Bad@X.com` and `bad@x.com` are one.
 */
export const LIST_KINDS = ["email", "domain", "ip", "country", "customer", "card"] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type ListAction = "allow" | "block";

export interface ListEntry {
  id: string;
  kind: ListKind;
  /** Normalised: lower-case email/domain, canonical CIDR (a lone IP is /32 or /128), upper-case country. */
  value: string;
  action: ListAction;
  expiresAt: string | null;
}

export interface ListHit {
  entryId: string;
  kind: ListKind;
  action: ListAction;
  value: string;
}

export function parseListKind(raw: unknown): ListKind {
  if (typeof raw === "string" && (LIST_KINDS as readonly string[]).includes(raw)) return raw as ListKind;
  throw new InvalidInputError("risk_list_bad_kind", `kind must be one of ${LIST_KINDS.join(", ")}`, { field: "kind", params: { value: String(raw ?? ""), allowed: LIST_KINDS.join(", ") } });
}

export function parseListAction(raw: unknown): ListAction {
  if (raw === "allow" || raw === "block") return raw;
  throw new InvalidInputError("risk_list_bad_action", "action must be allow or block", { field: "action", params: { value: String(raw ?? "") } });
}

/** Checks and normalises a value for its kind; a bad one is refused naming the field `value`. */
export function parseListValue(kind: ListKind, raw: unknown): string {
  const text = typeof raw === "string" ? raw.trim() : "";
  const bad = (code: string) => new InvalidInputError(code, `not a valid ${kind}: ${text}`, { field: "value", params: { value: text, kind } });
  switch (kind) {
    case "email": {
      const v = text.toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw bad("risk_list_bad_email");
      return v;
    }
    case "domain": {
      const v = text.toLowerCase().replace(/^@/, "");
      if (!/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$/.test(v)) throw bad("risk_list_bad_domain");
      return v;
    }
    case "ip": {
      const v = parseCidr(text);
      if (v === null) throw bad("risk_list_bad_cidr");
      return v;
    }
    case "country": {
      const v = text.toUpperCase();
      if (!isCountryCode(v)) throw bad("risk_list_bad_country");
      return v;
    }
    case "customer":
      if (text === "" || text.length > 200) throw bad("risk_list_bad_customer");
      return text;
    case "card": {
      // The BIN and the last four, masked between: 424242…4242, 424242*4242 (never a whole number).
      const v = parseCardValue(text);
      if (v === null) throw bad("risk_list_bad_card");
      return v;
    }
  }
}

/** `30m`, `12h`, `7d` → minutes; refuses zero, negatives and anything past a year. */
export function parseExpiry(raw: unknown): number {
  const m = typeof raw === "string" ? /^(\d+)([mhd])$/.exec(raw.trim()) : null;
  const minutes = m ? Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as "m" | "h" | "d"] : 0;
  if (!m || minutes <= 0 || minutes > 365 * 1440) {
    throw new InvalidInputError("risk_list_bad_expiry", "expires-in must be like 30m, 12h or 7d (up to 365d)", { field: "expires-in", params: { value: String(raw ?? "") } });
  }
  return minutes;
}

export function isActive(entry: Pick<ListEntry, "expiresAt">, now: Date): boolean {
  return entry.expiresAt === null || Date.parse(entry.expiresAt) > now.getTime();
}

/** What of an order the lists are checked against. */
export interface ListSubject {
  email: string | null;
  ip: string | null;
  country: (string | null)[];
  customerId: string | null;
  /** `BIN…LAST4` when the card is known. */
  card?: string | null;
}

/** The candidate (kind, value) pairs an order could match exactly; CIDR entries are checked apart. */
export function listCandidates(s: ListSubject): { kind: ListKind; value: string }[] {
  const out: { kind: ListKind; value: string }[] = [];
  const email = s.email?.trim().toLowerCase() || null;
  if (email) {
    out.push({ kind: "email", value: email });
    const domain = emailDomain(email);
    if (domain) out.push({ kind: "domain", value: domain });
  }
  if (s.ip && isStrictIp(s.ip)) out.push({ kind: "ip", value: parseCidr(s.ip)! });
  for (const c of s.country) if (c) out.push({ kind: "country", value: c.toUpperCase() });
  if (s.customerId) out.push({ kind: "customer", value: s.customerId });
  if (s.card) out.push({ kind: "card", value: s.card });
  return out;
}

/** The active entries the order matches (an IP inside a blocked range matches it). */
export function matchLists(entries: ListEntry[], s: ListSubject, now: Date): ListHit[] {
  const exact = new Set(listCandidates(s).map((c) => `${c.kind}\u0000${c.value}`));
  const ip = s.ip && isStrictIp(s.ip) ? normaliseIp(s.ip) : null;
  const hits: ListHit[] = [];
  for (const e of entries) {
    if (!isActive(e, now)) continue;
    const hit = e.kind === "ip" ? ip !== null && ipInRange(ip, e.value) : exact.has(`${e.kind}\u0000${e.value}`);
    if (hit) hits.push({ entryId: e.id, kind: e.kind, action: e.action, value: e.value });
  }
  return hits;
}

export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf("@");
  return at < 0 ? null : email.slice(at + 1).trim().toLowerCase() || null;
}
