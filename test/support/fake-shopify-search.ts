/**
 * The fake's subset of Shopify's search syntax, enough for what the connector sends:
 * `field:value`, `field:>value` / `>=` / `<` / `<=`, quoted values ('…' or "…" with \ escapes),
 * `(a OR b)`, implicit AND, and bare words (free text). An unknown field fails the request, so a
 * connector change that relies on a filter the fake does not know shows up in tests.
 */
export type Term = { field: string | null; op: ":" | ">" | ">=" | "<" | "<="; value: string };
export type Expr = { or: Expr[] } | { and: Expr[] } | { term: Term };

export function parseSearch(query: string): Expr {
  const tokens = tokenize(query);
  let i = 0;
  const parseOr = (): Expr => {
    const parts = [parseAnd()];
    while (tokens[i] === "OR") {
      i++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0] : { or: parts };
  };
  const parseAnd = (): Expr => {
    const parts: Expr[] = [];
    while (i < tokens.length && tokens[i] !== ")" && tokens[i] !== "OR") {
      const t = tokens[i++];
      if (t === "(") {
        parts.push(parseOr());
        if (tokens[i++] !== ")") throw new Error("unbalanced parentheses in search query");
      } else if (t === "AND") continue;
      else parts.push({ term: parseTerm(t) });
    }
    return { and: parts };
  };
  const expr = parseOr();
  if (i < tokens.length) throw new Error("unexpected ')' in search query");
  return expr;
}

export function matches(expr: Expr, match: (t: Term) => boolean): boolean {
  if ("or" in expr) return expr.or.some((e) => matches(e, match));
  if ("and" in expr) return expr.and.every((e) => matches(e, match));
  return match(expr.term);
}

export function compare(a: string, op: Term["op"], b: string): boolean {
  if (op === ":") return a === b;
  if (op === ">") return a > b;
  if (op === ">=") return a >= b;
  if (op === "<") return a < b;
  return a <= b;
}

function parseTerm(raw: string): Term {
  const m = /^([a-z_]+):(>=|<=|>|<)?(.*)$/s.exec(raw);
  if (!m) return { field: null, op: ":", value: unquote(raw) };
  return { field: m[1], op: (m[2] as Term["op"]) ?? ":", value: unquote(m[3]) };
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === "'" || q === '"') && v.endsWith(q) && v.length >= 2) return v.slice(1, -1).replace(/\\(.)/g, "$1");
  return v;
}

function tokenize(query: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (quote) {
      cur += c;
      if (c === "\\" && i + 1 < query.length) cur += query[++i];
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === "(" || c === ")") {
      if (cur) out.push(cur);
      cur = "";
      out.push(c);
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quote) throw new Error("unterminated quote in search query");
  if (cur) out.push(cur);
  return out;
}
