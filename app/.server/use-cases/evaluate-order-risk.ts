import { sql } from "kysely";
import type { Executor } from "../db/repositories/job-rows.ts";
import { candidateListEntries } from "../db/repositories/risk-lists-repo.ts";
import { hasEarlierOrder, velocityFigures } from "../db/repositories/risk-velocity-repo.ts";
import type { HostRiskValue, VelocitySpec } from "../domain/risk-attributes.ts";
import { cardKey, type CardFacts } from "../domain/risk-card.ts";
import { conditionsReadCard, velocityNeeds, type Condition } from "../domain/risk-condition.ts";
import { emailDomain, listCandidates, matchLists } from "../domain/risk-lists.ts";
import { decide, type OrderFacts, type RiskVerdict, type RuleSet } from "../domain/risk-rules.ts";
import type { RiskLookups } from "../risk/risk-lookups.ts";

/** What the hot path (or a back-test) knows of an order before its facts are gathered. */
export interface RiskOrder {
  orderId: string;
  accountId: string;
  storeId: string | null;
  platform: string | null;
  email: string | null;
  customerId: string | null;
  ip: string | null;
  billingCountry: string | null;
  totalMinor: number | null;
  currency: string | null;
  keys: number;
  poolIds: string[];
  hostRisk: HostRiskValue;
  /**
   * The card paid with: null = unknown (none shown, another payment method, the read failed);
   * undefined = not read (the host was not asked: the rules did not read a card when it was planned).
   */
  card?: CardFacts | null;
  /** When it happened: velocity windows end here (inclusive). */
  at: Date;
}

/** What a set of conditions reads, so only those facts are fetched. */
function reads(conditions: Condition[]) {
  const names = new Set<string>();
  let lists = false;
  for (const c of conditions) {
    for (const cl of c.clauses) {
      names.add(cl.attribute.name);
      if (cl.type === "in_named" && cl.set !== "disposable") lists = true;
      if (cl.attribute.name === "on_allow_list" || cl.attribute.name === "on_block_list") lists = true;
    }
  }
  return { names, lists, velocity: velocityNeeds(conditions), card: conditionsReadCard(conditions) };
}

function subjectValue(o: RiskOrder, spec: VelocitySpec): string | null {
  switch (spec.subject) {
    case "email":
      return o.email;
    case "ip":
      return o.ip;
    case "customer":
      return o.customerId;
    case "store":
      return o.storeId;
    case "card":
      return o.card ? cardKey(o.card) : null;
  }
}

/**
 * Serialises decisions that count the same subjects (Postgres): two concurrent orders from one IP
 * must not both count "5 before me". A transaction-scoped advisory lock per (account, subject),
 * taken in sorted order so two orders never wait on each other crosswise. SQLite has one writer.
 */
export async function lockVelocitySubjects(db: Executor, dialect: "sqlite" | "postgres", o: RiskOrder, specs: VelocitySpec[]): Promise<void> {
  if (dialect !== "postgres" || specs.length === 0) return;
  const keys = [...new Set(specs.map((s) => `${s.subject}:${subjectValue(o, s) ?? ""}`).filter((k) => !k.endsWith(":")))].sort();
  if (keys.length === 0) return;
  // One round trip: unnest yields the sorted keys in array order, and the locks are taken row by row in that order.
  const names = keys.map((k) => `risk:${o.accountId}:${k}`);
  await sql`select count(pg_advisory_xact_lock(hashtext(k))) from unnest(cast(${names} as text[])) as k`.execute(db);
}

/** Gathers exactly the facts the rule set reads (indexed look-ups only) and decides. */
export async function evaluateOrderRisk(
  db: Executor,
  lookups: RiskLookups,
  ruleSet: RuleSet,
  o: RiskOrder,
  opts: { dialect?: "sqlite" | "postgres"; live?: boolean } = {},
): Promise<{ verdict: RiskVerdict; facts: OrderFacts; cardWanted: boolean }> {
  const r = reads(ruleSet.rules.map((x) => x.when));
  const email = o.email?.trim().toLowerCase() || null;
  const order = { ...o, email };
  const ipCountry = r.names.has("ip_country") || r.lists ? lookups.ipCountry(o.ip) : null;
  if (opts.dialect) await lockVelocitySubjects(db, opts.dialect, order, r.velocity);
  const velocity: Record<string, number> = {};
  // One query for every subject (email, IP, customer, store, card) and all of its figures.
  const bySubject = new Map<VelocitySpec["subject"], VelocitySpec[]>();
  for (const spec of r.velocity) if (subjectValue(order, spec) !== null) bySubject.set(spec.subject, [...(bySubject.get(spec.subject) ?? []), spec]);
  const asked = [...bySubject].map(([subject, specs]) => ({ subject, value: subjectValue(order, specs[0])!, specs }));
  const counted = await velocityFigures(db, o.accountId, asked, o.at, o.orderId, { bounded: !opts.live });
  for (const { subject, specs } of asked) {
    const before = counted.get(subject) ?? {};
    for (const spec of specs) {
      const own = spec.measure === "orders" ? 1 : spec.measure === "keys" ? o.keys : o.currency === spec.currency ? (o.totalMinor ?? 0) : 0;
      velocity[spec.name] = (before[spec.name] ?? 0) + own;
    }
  }
  const card = o.card ? cardKey(o.card) : null;
  const subject = { email, ip: o.ip, country: [ipCountry, o.billingCountry], customerId: o.customerId, card };
  // A card not read: the same query also says whether the account lists any card (then the card is wanted).
  const entries = r.lists ? await candidateListEntries(db, o.accountId, listCandidates(subject), o.at.toISOString(), { anyCard: o.card === undefined }) : [];
  const listHits = r.lists ? matchLists(entries, subject, o.at) : [];
  const cardWanted = r.card || entries.some((e) => e.kind === "card");
  const facts: OrderFacts = {
    email,
    customerId: o.customerId,
    ip: o.ip,
    ipCountry,
    billingCountry: o.billingCountry,
    totalMinor: o.totalMinor,
    currency: o.currency,
    keys: o.keys,
    firstOrder: r.names.has("first_order") ? !(await hasEarlierOrder(db, o.accountId, { email, customerId: o.customerId }, o.at.toISOString(), o.orderId)) : false,
    disposableEmail: r.names.has("disposable_email") || r.names.has("email_domain") || r.names.has("email") ? lookups.isDisposableDomain(emailDomain(email)) : false,
    platform: o.platform,
    storeId: o.storeId,
    poolIds: o.poolIds,
    hostRisk: o.hostRisk,
    velocity,
    listHits,
    card: o.card ?? null,
  };
  return { verdict: decide(ruleSet, facts), facts, cardWanted };
}
