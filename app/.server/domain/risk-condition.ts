import ipaddr from "ipaddr.js";
import {
  ATTRIBUTES,
  currencyExponent,
  HOST_RISK_VALUES,
  isCountryCode,
  isCurrencyCode,
  isPlainAttribute,
  MAX_WINDOW_MINUTES,
  MEASURES,
  NAMED_SETS,
  PLATFORM_VALUES,
  SUBJECTS,
  WINDOW_UNITS,
  type AttributeKind,
  type NamedSet,
  type PlainAttribute,
  type VelocitySpec,
  type WindowUnit,
} from "./risk-attributes.ts";
import { InvalidInputError } from "./errors.ts";
import { CARD_ATTRIBUTES } from "./risk-attributes.ts";
import { isCardBin, isCardLast4, parseCardValue } from "./risk-card.ts";

/**
 * The condition language of a risk rule (issue 13): clauses joined by `and`, each
 *
 *   <attribute> <op> <value>        total > 50.00 USD · ip_country != billing_country · host_risk = CANCEL
 *   <attribute> [not] in <set>      email_domain in disposable · ip in 10.0.0.0/8 · ip_country in [RU, KP]
 *   [not] <flag>                    first_order · not on_allow_list
 *
 * ops: = != > >= < <=; values: numbers, money (`50.00 USD`, the currency's own decimals), country
 * codes, CIDR ranges, words or 'quoted text', `[a, b]` lists, the sets `disposable`, `allow_list`,
 * `block_list`, and (for countries) another country attribute. Text compares case-insensitively.
 * A fact the order does not have (no IP, no billing country) makes its clause false.
 *
 * A mistake is an InvalidInputError whose params name the wrong token and its column (1-based).
 */

export type CompareOp = "=" | "!=" | ">" | ">=" | "<" | "<=";

export type AttributeRef = { kind: AttributeKind; name: PlainAttribute; velocity?: undefined } | { kind: "count" | "money"; name: string; velocity: VelocitySpec };

export type SetMember =
  | { type: "text"; value: string }
  | { type: "cidr"; range: string }
  | { type: "country"; value: string };

export type Clause =
  | { type: "flag"; attribute: AttributeRef; negated: boolean }
  | { type: "compare"; attribute: AttributeRef; op: CompareOp; value: number }
  | { type: "money"; attribute: AttributeRef; op: CompareOp; minor: number; currency: string }
  | { type: "equals"; attribute: AttributeRef; negated: boolean; value: string }
  | { type: "same"; attribute: AttributeRef; negated: boolean; other: AttributeRef }
  | { type: "in"; attribute: AttributeRef; negated: boolean; members: SetMember[] }
  | { type: "in_named"; attribute: AttributeRef; negated: boolean; set: NamedSet };

export interface Condition {
  /** The text as the merchant wrote it (shown back, stored). */
  source: string;
  clauses: Clause[];
}

interface Token {
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
  quoted?: boolean;
}

export class RiskConditionError extends InvalidInputError {
  static override readonly tag: string = "RiskConditionError";
  constructor(code: string, token: Token | null, source: string, extra: Record<string, string | number> = {}) {
    const column = token?.column ?? source.length + 1;
    const shown = token?.text ?? "";
    super(`risk_condition_${code}`, `${code.replaceAll("_", " ")}: "${shown}" at column ${column}`, {
      field: "when",
      params: { token: shown, column, ...extra },
    });
  }
}

const OPS = new Set(["=", "!=", ">", ">=", "<", "<="]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const column = i + 1;
    if (c === "[" || c === "]" || c === ",") {
      tokens.push({ text: c, column });
      i++;
    } else if (c === "=" || c === "!" || c === "<" || c === ">") {
      const two = source.slice(i, i + 2);
      const text = two === "!=" || two === ">=" || two === "<=" ? two : c;
      if (text === "!") throw new RiskConditionError("unexpected_token", { text, column }, source);
      tokens.push({ text, column });
      i += text.length;
    } else if (c === "'" || c === '"') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw new RiskConditionError("unterminated_text", { text: source.slice(i), column }, source);
      tokens.push({ text: source.slice(i + 1, end), column, quoted: true });
      i = end + 1;
    } else {
      let j = i;
      while (j < source.length && !/[\s[\],=!<>'"]/.test(source[j]!)) j++;
      tokens.push({ text: source.slice(i, j), column });
      i = j;
    }
  }
  return tokens;
}

/** Parses a condition; throws RiskConditionError pointing at the first wrong token. */
export function parseCondition(source: string): Condition {
  const text = typeof source === "string" ? source : "";
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new RiskConditionError("empty", null, text);
  let at = 0;
  const peek = () => tokens[at] ?? null;
  const next = (what: string): Token => {
    const t = tokens[at++];
    if (!t) throw new RiskConditionError(`expected_${what}`, null, text);
    return t;
  };
  const isWord = (t: Token | null, w: string) => t !== null && !t.quoted && t.text.toLowerCase() === w;

  const clauses: Clause[] = [];
  for (;;) {
    clauses.push(parseClause());
    const t = peek();
    if (t === null) break;
    if (!isWord(t, "and")) throw new RiskConditionError("expected_and", t, text);
    at++;
  }
  return { source: text.trim(), clauses };

  function parseClause(): Clause {
    let negatedFlag = false;
    if (isWord(peek(), "not")) {
      at++;
      negatedFlag = true;
    }
    const attrToken = next("attribute");
    const attribute = parseAttribute(attrToken, text);
    if (attribute.kind === "flag") return { type: "flag", attribute, negated: negatedFlag };
    if (negatedFlag) throw new RiskConditionError("not_a_flag", attrToken, text);

    let opToken = next("operator");
    let negated = false;
    if (isWord(opToken, "not")) {
      negated = true;
      opToken = next("operator");
      if (!isWord(opToken, "in")) throw new RiskConditionError("expected_in", opToken, text);
    }
    if (isWord(opToken, "in")) return parseIn(attribute, attrToken, negated);
    if (opToken.quoted || !OPS.has(opToken.text)) throw new RiskConditionError("expected_operator", opToken, text);
    const op = opToken.text as CompareOp;
    const ordered = op !== "=" && op !== "!=";
    if (ordered && attribute.kind !== "count" && attribute.kind !== "money") throw new RiskConditionError("operator_not_allowed", opToken, text, { attribute: attribute.name });
    const valueToken = next("value");

    switch (attribute.kind) {
      case "count": {
        if (!/^\d+$/.test(valueToken.text) || valueToken.quoted) throw new RiskConditionError("bad_number", valueToken, text);
        return { type: "compare", attribute, op, value: Number(valueToken.text) };
      }
      case "money": {
        const currencyToken = next("currency");
        const currency = currencyToken.text.toUpperCase();
        if (!/^[A-Z]{3}$/.test(currency) || !isCurrencyCode(currency)) throw new RiskConditionError("bad_currency", currencyToken, text);
        const m = /^(\d+)(?:\.(\d+))?$/.exec(valueToken.text);
        const exp = currencyExponent(currency);
        if (!m || valueToken.quoted || (m[2] ?? "").length > exp) throw new RiskConditionError("bad_money", valueToken, text, { currency, decimals: exp });
        const minor = Number(m[1]) * 10 ** exp + Number(((m[2] ?? "") + "0".repeat(exp)).slice(0, exp) || "0");
        return { type: "money", attribute, op, minor, currency };
      }
      case "country": {
        if (!valueToken.quoted && isPlainAttribute(valueToken.text) && ATTRIBUTES[valueToken.text] === "country") {
          return { type: "same", attribute, negated: op === "!=", other: { kind: "country", name: valueToken.text } };
        }
        return { type: "equals", attribute, negated: op === "!=", value: countryOf(valueToken) };
      }
      case "ip":
        return { type: "equals", attribute, negated: op === "!=", value: ipOf(valueToken) };
      case "host_risk":
        return { type: "equals", attribute, negated: op === "!=", value: enumOf(valueToken, HOST_RISK_VALUES, "bad_host_risk", true) };
      case "platform":
        return { type: "equals", attribute, negated: op === "!=", value: enumOf(valueToken, PLATFORM_VALUES, "bad_platform", false) };
      case "card":
      case "card_bin":
      case "card_last4":
        return { type: "equals", attribute, negated: op === "!=", value: cardPartOf(attribute.kind, valueToken) };
      default:
        return { type: "equals", attribute, negated: op === "!=", value: textOf(attribute, valueToken) };
    }
  }

  function parseIn(attribute: AttributeRef, attrToken: Token, negated: boolean): Clause {
    const first = next("value");
    if (!first.quoted && first.text !== "[") {
      const set = first.text.toLowerCase() as NamedSet;
      if (!(NAMED_SETS as readonly string[]).includes(set)) {
        // A bare CIDR range is a set of one: `ip in 10.0.0.0/8`.
        if (attribute.kind === "ip") return { type: "in", attribute, negated, members: [memberOf(attribute, first)] };
        throw new RiskConditionError("expected_set", first, text);
      }
      if (set === "disposable" && attribute.name !== "email_domain" && attribute.name !== "email") throw new RiskConditionError("set_not_allowed", first, text, { attribute: attribute.name });
      if (set !== "disposable" && !["email", "email_domain", "customer_id", "ip", "ip_country", "billing_country", "card"].includes(attribute.name)) {
        throw new RiskConditionError("set_not_allowed", first, text, { attribute: attribute.name });
      }
      return { type: "in_named", attribute, negated, set };
    }
    if (first.quoted) throw new RiskConditionError("expected_set", first, text);
    if (attribute.kind === "count" || attribute.kind === "money" || attribute.kind === "flag") throw new RiskConditionError("operator_not_allowed", attrToken, text, { attribute: attribute.name });
    const members: SetMember[] = [];
    for (;;) {
      const t = next("value");
      if (t.text === "]" && !t.quoted && members.length === 0) throw new RiskConditionError("expected_value", t, text);
      members.push(memberOf(attribute, t));
      const sep = next("comma");
      if (sep.text === "]" && !sep.quoted) break;
      if (sep.text !== "," || sep.quoted) throw new RiskConditionError("expected_comma", sep, text);
    }
    return { type: "in", attribute, negated, members };
  }

  function memberOf(attribute: AttributeRef, t: Token): SetMember {
    switch (attribute.kind) {
      case "ip":
        return { type: "cidr", range: cidrOf(t) };
      case "country":
        return { type: "country", value: countryOf(t) };
      case "host_risk":
        return { type: "text", value: enumOf(t, HOST_RISK_VALUES, "bad_host_risk", true) };
      case "platform":
        return { type: "text", value: enumOf(t, PLATFORM_VALUES, "bad_platform", false) };
      case "card":
      case "card_bin":
      case "card_last4":
        return { type: "text", value: cardPartOf(attribute.kind, t) };
      default:
        return { type: "text", value: textOf(attribute, t) };
    }
  }

  /** 424242…4242 for `card`, 6–8 digits for `card_bin`, 4 for `card_last4`; anything else names the token. */
  function cardPartOf(kind: AttributeKind, t: Token): string {
    if (kind === "card") {
      const v = parseCardValue(t.text);
      if (v === null) throw new RiskConditionError("bad_card", t, text);
      return v;
    }
    if (kind === "card_bin" ? !isCardBin(t.text) : !isCardLast4(t.text)) throw new RiskConditionError(kind === "card_bin" ? "bad_card_bin" : "bad_card_last4", t, text);
    return t.text;
  }

  function countryOf(t: Token): string {
    const code = t.text.toUpperCase();
    if (!isCountryCode(code)) throw new RiskConditionError("bad_country", t, text);
    return code;
  }

  function ipOf(t: Token): string {
    if (!isStrictIp(t.text)) throw new RiskConditionError("bad_ip", t, text);
    return normaliseIp(t.text);
  }

  function cidrOf(t: Token): string {
    const r = parseCidr(t.text);
    if (r === null) throw new RiskConditionError("bad_cidr", t, text);
    return r;
  }

  function enumOf(t: Token, values: readonly string[], code: string, upper: boolean): string {
    const v = upper ? t.text.toUpperCase() : t.text.toLowerCase();
    if (!values.includes(v)) throw new RiskConditionError(code, t, text, { allowed: values.join(", ") });
    return v;
  }

  function textOf(attribute: AttributeRef, t: Token): string {
    if (t.text === "" || (!t.quoted && (t.text === "]" || t.text === ","))) throw new RiskConditionError("expected_value", t, text);
    if (attribute.name === "currency") {
      const c = t.text.toUpperCase();
      if (!isCurrencyCode(c)) throw new RiskConditionError("bad_currency", t, text);
      return c;
    }
    // Emails and domains are compared as hosts compare them: case-insensitively.
    return attribute.name === "email" || attribute.name === "email_domain" ? t.text.trim().toLowerCase() : t.text.trim();
  }
}

function parseAttribute(t: Token, source: string): AttributeRef {
  if (t.quoted) throw new RiskConditionError("unknown_attribute", t, source);
  const name = t.text.toLowerCase();
  if (isPlainAttribute(name)) return { kind: ATTRIBUTES[name], name };
  const v = /^([a-z]+)_per_([a-z]+)_(.+)$/.exec(name);
  if (!v || !(MEASURES as readonly string[]).includes(v[1]!) || !(SUBJECTS as readonly string[]).includes(v[2]!)) {
    throw new RiskConditionError("unknown_attribute", t, source);
  }
  const w = /^(-?)(\d+)([a-z]+)$/.exec(v[3]!);
  if (!w || !Object.prototype.hasOwnProperty.call(WINDOW_UNITS, w[3]!)) throw new RiskConditionError("bad_window", t, source);
  if (w[1] === "-") throw new RiskConditionError("negative_window", t, source);
  const minutes = Number(w[2]) * WINDOW_UNITS[w[3] as WindowUnit];
  if (minutes <= 0 || minutes > MAX_WINDOW_MINUTES) throw new RiskConditionError("bad_window", t, source);
  const velocity: VelocitySpec = { measure: v[1] as VelocitySpec["measure"], subject: v[2] as VelocitySpec["subject"], minutes, name };
  return { kind: velocity.measure === "money" ? "money" : "count", name, velocity };
}

/** `10.0.0.0/8` → canonical "10.0.0.0/8"; a lone address is its own /32 or /128; null if not a range. */
export function parseCidr(text: string): string | null {
  try {
    if (text.includes("/")) {
      if (!ipaddr.isValidCIDR(text) || !isStrictIp(text.slice(0, text.indexOf("/")))) return null;
      const [addr, bits] = ipaddr.parseCIDR(text);
      const plain = addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
      const shift = plain.kind() === addr.kind() ? 0 : 96;
      return `${plain.toString()}/${bits - shift}`;
    }
    if (!isStrictIp(text)) return null;
    const a = ipaddr.process(text);
    return `${a.toString()}/${a.kind() === "ipv4" ? 32 : 128}`;
  } catch {
    return null;
  }
}

/** A dotted-quad IPv4 or an IPv6 address; not the legacy shorthands ("1.2.3", "0x7f.1") ipaddr.js also takes. */
export function isStrictIp(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

/** An address as one spelling (IPv4-mapped IPv6 as IPv4, IPv6 compressed), so equal addresses compare equal. */
export function normaliseIp(text: string): string {
  return ipaddr.process(text).toString();
}

export function ipInRange(ip: string, range: string): boolean {
  try {
    const addr = ipaddr.process(ip);
    const [net, bits] = ipaddr.parseCIDR(range);
    return addr.kind() === net.kind() && addr.match(net, bits);
  } catch {
    return false;
  }
}

/** Whether a set of conditions reads the order's card: a card attribute or a per-card velocity figure. */
export function conditionsReadCard(conditions: Condition[]): boolean {
  return conditions.some((c) => c.clauses.some((cl) => (CARD_ATTRIBUTES as readonly string[]).includes(cl.attribute.name) || cl.attribute.velocity?.subject === "card"));
}

/** The velocity figures a set of conditions reads, once each. */
export function velocityNeeds(conditions: Condition[]): VelocitySpec[] {
  const out = new Map<string, VelocitySpec>();
  for (const c of conditions) {
    for (const clause of c.clauses) {
      const spec = velocityKey(clause);
      if (spec) out.set(spec.name, spec);
    }
  }
  return [...out.values()];
}

/** The velocity figure a clause reads, under the name the facts carry it. */
export function velocityKey(clause: Clause): VelocitySpec | null {
  const v = clause.attribute.velocity;
  if (!v) return null;
  return clause.type === "money" ? { ...v, currency: clause.currency, name: `${v.name}:${clause.currency}` } : v;
}
