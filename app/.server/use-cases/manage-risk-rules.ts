import { recordAudit } from "../db/repositories/audit-repo.ts";
import type { Executor } from "../db/repositories/job-rows.ts";
import { bumpRuleSetVersion, closeRule, createRuleSet, currentRuleSetVersion, insertRule, listRules, nextRulePosition, setRulePosition, type StoredRule } from "../db/repositories/risk-rules-repo.ts";
import { InvalidInputError, PermanentError, RetryableError } from "../domain/errors.ts";
import { parseCondition } from "../domain/risk-condition.ts";
import { DEFAULT_RULES, parseRuleInput, type RiskRule, type RuleInput, type RuleSet } from "../domain/risk-rules.ts";
import type { Services } from "../ports.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * An account's risk rule set (issue 13). The first read creates version 1 with the default rules
 * (README, "Risk control"), so every account starts protected. Each change — add, remove — is one
 * transaction that moves the version by one with a compare-and-set: atomic, versioned, and a
 * concurrent change makes one of the two fail instead of both writing "version N+1".
 */
export async function ensureRuleSet(db: Executor, accountId: string, now: string): Promise<number> {
  const v = await currentRuleSetVersion(db, accountId);
  if (v !== null) return v;
  await createRuleSet(db, accountId, DEFAULT_RULES.map((d) => ({ name: d.name, condition: d.when, action: d.then, shadow: false })), now);
  return (await currentRuleSetVersion(db, accountId))!;
}

function toRiskRule(r: StoredRule): RiskRule {
  try {
    return { id: r.id, name: r.name, when: parseCondition(r.condition), action: r.action, shadow: r.shadow };
  } catch {
    // Stored rules were parsed when saved; one that no longer parses is a bug to surface, not to skip.
    throw new PermanentError("risk_rule_unreadable", `stored rule ${r.id} no longer parses`, { id: r.id });
  }
}

/** The rule set in force, parsed (inside the caller's transaction on the hot path). */
export async function loadRuleSet(db: Executor, accountId: string, now: string): Promise<RuleSet> {
  const version = await ensureRuleSet(db, accountId, now);
  return { version, rules: (await listRules(db, accountId)).map(toRiskRule) };
}

export interface RuleView {
  id: string;
  position: number;
  name: string;
  when: string;
  then: RiskRule["action"];
  shadow: boolean;
}

const view = (r: StoredRule): RuleView => ({ id: r.id, position: r.position, name: r.name, when: r.condition, then: r.action, shadow: r.shadow });

export async function listRiskRules(s: Pick<Services, "db">, accountId: string): Promise<{ version: number; rules: RuleView[] }> {
  return s.db.transaction().execute(async (trx) => {
    const version = await ensureRuleSet(trx, accountId, new Date().toISOString());
    return { version, rules: (await listRules(trx, accountId)).map(view) };
  });
}

async function change<T>(s: Pick<Services, "db">, accountId: string, work: (trx: Executor, next: number, now: string) => Promise<T>): Promise<{ version: number; result: T }> {
  return s.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const version = await ensureRuleSet(trx, accountId, now);
    const result = await work(trx, version + 1, now);
    if (!(await bumpRuleSetVersion(trx, accountId, version, now))) {
      throw new RetryableError("risk_rules_changed", "the rule set changed meanwhile; try again");
    }
    return { version: version + 1, result };
  });
}

/** Adds a rule at the end; a wrong condition is refused naming its token, and nothing is saved. */
export async function addRiskRule(s: Pick<Services, "db">, accountId: string, input: RuleInput, actor: Actor): Promise<{ version: number; rule: RuleView }> {
  const rule = parseRuleInput(input);
  const { version, result } = await change(s, accountId, async (trx, next, now) => {
    const position = await nextRulePosition(trx, accountId);
    const id = await insertRule(trx, accountId, { name: rule.name, condition: rule.when.source, action: rule.action, shadow: rule.shadow }, position, next, now);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.rule_added", subjectType: "risk_rule", subjectId: id, details: { name: rule.name, when: rule.when.source, then: rule.action, shadow: rule.shadow, version: next } });
    return { id, position, name: rule.name, when: rule.when.source, then: rule.action, shadow: rule.shadow };
  });
  return { version, rule: result };
}

export async function removeRiskRule(s: Pick<Services, "db">, accountId: string, ruleId: string, actor: Actor): Promise<{ version: number }> {
  const { version } = await change(s, accountId, async (trx, next) => {
    if (!(await closeRule(trx, accountId, ruleId, next))) throw new InvalidInputError("risk_rule_not_found", "no such rule", { field: "id", params: { id: ruleId } });
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.rule_removed", subjectType: "risk_rule", subjectId: ruleId, details: { version: next } });
  });
  return { version };
}

/**
 * Moves a rule one place up or down among the rules of its action (allow, block and review are
 * checked group by group, so only the order within a group changes what decides): one version
 * bump, audited. The two rules swap positions in place — a decision records the rules it matched
 * and the one that decided, so no stored decision depends on a past version's order.
 */
export async function moveRiskRule(s: Pick<Services, "db">, accountId: string, ruleId: string, direction: unknown, actor: Actor): Promise<{ version: number }> {
  if (direction !== "up" && direction !== "down") throw new InvalidInputError("risk_rule_bad_direction", "direction must be up or down", { field: "direction", params: { value: String(direction ?? "") } });
  const { version } = await change(s, accountId, async (trx, next) => {
    const live = await listRules(trx, accountId);
    const rule = live.find((r) => r.id === ruleId);
    if (!rule) throw new InvalidInputError("risk_rule_not_found", "no such rule", { field: "id", params: { id: ruleId } });
    const group = live.filter((r) => r.action === rule.action);
    const i = group.indexOf(rule);
    const other = group[direction === "up" ? i - 1 : i + 1];
    if (!other) throw new InvalidInputError("risk_rule_cannot_move", `the rule is already the ${direction === "up" ? "first" : "last"} of its action`, { field: "direction", params: { direction } });
    await setRulePosition(trx, accountId, rule.id, other.position);
    await setRulePosition(trx, accountId, other.id, rule.position);
    await recordAudit(trx, { accountId, actorType: actor.type, actorId: actor.id ?? null, action: "risk.rule_moved", subjectType: "risk_rule", subjectId: ruleId, details: { direction, swappedWith: other.id, version: next } });
  });
  return { version };
}
