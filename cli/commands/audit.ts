import { exportAuditCsv, listAudit, localDateTime } from "../../app/.server/use-cases/list-audit.ts";
import { pruneAudit } from "../../app/.server/use-cases/prune-audit.ts";
import { verifyAudit } from "../../app/.server/use-cases/seal-audit.ts";
import type { Command, OptionValues } from "../command.ts";
import { UsageError } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * `audit list` (issue 16): the Audit log page's rows, filters and export on the terminal. Human
 * lines newest first, one JSON document with --json, or the page's CSV (BOM, formula-safe; the
 * export audited as the CLI) with --csv. Public names: README, "Audit log".
 */
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export const auditList: Command = {
  options: { account: { type: "string" }, from: { type: "string" }, to: { type: "string" }, action: { type: "string" }, "actor-type": { type: "string" }, q: { type: "string" }, limit: { type: "string" }, csv: { type: "boolean" } },
  needs: "services",
  validate(v: OptionValues) {
    if (v.csv && v.json) throw new UsageError("unknownOption", { detail: "--csv with --json" });
  },
  async run(s, v, out) {
    const accountId = await resolveAccount(s, v.account);
    const input = { from: str(v.from), to: str(v.to), action: str(v.action), actorType: str(v["actor-type"]), q: str(v.q), limit: str(v.limit) };
    if (v.csv) {
      const { csv } = await exportAuditCsv(s, accountId, input, { type: "cli" });
      process.stdout.write(csv);
      return;
    }
    const page = await listAudit(s, accountId, input);
    for (const r of page.rows) {
      const who = r.actorName ?? r.actorId ?? "";
      const subject = r.subjectType ? `${r.subjectType}:${r.subjectId ?? ""}` : "";
      out.say(`${String(r.id).padStart(7)}  ${localDateTime(r.at, page.timeZone)}  ${`${r.actorType}${who ? ` ${who}` : ""}`.padEnd(32)} ${r.action.padEnd(28)} ${subject.padEnd(30)} ${r.ip ?? ""}`);
    }
    out.result({ accountId, timeZone: page.timeZone, rows: page.rows, nextCursor: page.nextCursor });
  },
};

/** `audit verify`: recompute every account's chain (or --account's); exit 1 naming the first row edited, removed or inserted out of order. */
export const auditVerify: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountIds = v.account ? [await resolveAccount(s, v.account)] : (await s.db.selectFrom("accounts").select("id").orderBy("created_at").execute()).map((a) => a.id);
    const results = [];
    for (const accountId of accountIds) {
      const r = await verifyAudit(s, accountId);
      results.push(r);
      if (r.ok) out.say(out.t("cli.auditVerifyOk", { account: accountId, sealed: r.sealedRows, unsealed: r.notYetSealed }));
      else {
        const p = r.firstProblem!;
        out.say(out.t(`cli.auditVerifyProblem.${p.kind}`, { account: accountId, id: "auditId" in p ? p.auditId : "", problems: r.problems }));
      }
    }
    const ok = results.every((r) => r.ok);
    out.result({ ok, accounts: results });
    return ok ? 0 : 1;
  },
};

/** `audit prune [--account ID]`: delete sealed rows older than each account's audit.retention_days now (the worker does it every few hours); exit 1 when a chain does not verify. */
export const auditPrune: Command = {
  options: { account: { type: "string" } },
  needs: "services",
  async run(s, v, out) {
    const accountId = v.account ? await resolveAccount(s, v.account) : undefined;
    const results = await pruneAudit(s, { accountId, actor: { type: "cli" } });
    for (const r of results) {
      if (r.refused) out.say(out.t("cli.auditPruneRefused", { account: r.accountId }));
      else if (r.retentionDays === null) out.say(out.t("cli.auditPruneOff", { account: r.accountId }));
      else out.say(out.t("cli.auditPruned", { account: r.accountId, count: r.pruned, days: r.retentionDays, before: r.before }));
    }
    const ok = results.every((r) => !r.refused);
    out.result({ ok, accounts: results });
    return ok ? 0 : 1;
  },
};
