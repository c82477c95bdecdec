import { AccountScope } from "../db/repositories/account-scope.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { insertBatch, setBatchStatus, touchBatch } from "../db/repositories/key-batches-repo.ts";
import { activateBatchKeys, deleteImportingKeys, findFingerprints, insertImportingKeys } from "../db/repositories/keys-repo.ts";
import type { AuditLogTable } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { maskCode, matchesFormat, normaliseCode } from "../domain/key-code.ts";
import { compileFormat, toMinorUnits } from "../domain/pool-input.ts";
import { parseKeyFile, type ImportFormat, type TextEncodingName } from "../import/parse-key-file.ts";
import type { Services } from "../runtime/services.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";

export interface ImportKeysInput {
  accountId: string;
  poolId: string;
  source: AsyncIterable<Uint8Array>;
  sourceName?: string;
  format: ImportFormat;
  encoding?: TextEncodingName;
  map?: Record<string, string>;
  dryRun?: boolean;
  batch?: { supplier?: string; notes?: string; cost?: string; currency?: string; expiresAt?: string };
  maxBytes?: number;
  actor: { type: AuditLogTable["actor_type"]; id?: string | null };
  onProgress?: (p: { lines: number; added: number }) => void;
}

export type InvalidLineReason = string;

export interface ImportReport {
  dryRun: boolean;
  batchId: string | null;
  encoding: TextEncodingName;
  /** Non-blank records read. */
  records: number;
  /** Keys written (or, in a dry run, that would be). */
  added: number;
  duplicates: { inFile: number; inStock: number; inFileLines: number[]; inStockLines: number[] };
  invalid: { count: number; lines: { line: number; reason: InvalidLineReason }[] };
  /** The first rows as parsed, masked. */
  preview: { line: number; code: string; fields: Record<string, string> }[];
  elapsedMs: number;
}

export const REPORT_LINE_LIMIT = 100;
const PREVIEW_ROWS = 10;
const CHUNK = 2_000;

interface PendingKey {
  line: number;
  code: string;
  fields: Record<string, string>;
  costMinor: number | null;
  expiresAt: string | null;
}

/**
 * Imports a file of keys into a pool, streaming: parse → seal on worker threads → insert in short
 * transactions as `importing` → commit the batch. All valid keys become available, or none do
 * (a failure removes the batch's keys; a crash is cleaned up by recoverImports).
 */
export async function importKeys(s: Pick<Services, "db" | "sealer" | "fingerprinter" | "log" | "jobs">, input: ImportKeysInput): Promise<ImportReport> {
  const started = Date.now();
  const pool = await new AccountScope(s.db, input.accountId).getPool(input.poolId);
  if (!pool || pool.archived_at) throw new InvalidInputError("pool_not_found", "no such pool", { field: "pool", params: { id: input.poolId } });
  const format = compileFormat(pool.format_regex);
  const caseInsensitive = pool.case_insensitive === 1;
  const batchCost = input.batch?.cost?.trim() ? parseBatchCost(input.batch.cost) : null;
  const batchExpiry = input.batch?.expiresAt?.trim() ? parseBatchExpiry(input.batch.expiresAt) : null;

  const parsed = await parseKeyFile(input.source, { format: input.format, encoding: input.encoding, map: input.map, maxBytes: input.maxBytes });
  const report: ImportReport = {
    dryRun: Boolean(input.dryRun),
    batchId: null,
    encoding: parsed.encoding,
    records: 0,
    added: 0,
    duplicates: { inFile: 0, inStock: 0, inFileLines: [], inStockLines: [] },
    invalid: { count: 0, lines: [] },
    preview: [],
    elapsedMs: 0,
  };
  const invalid = (line: number, reason: string) => {
    report.invalid.count += 1;
    if (report.invalid.lines.length < REPORT_LINE_LIMIT) report.invalid.lines.push({ line, reason });
  };
  const duplicate = (line: number, where: "inFile" | "inStock") => {
    report.duplicates[where] += 1;
    const lines = where === "inFile" ? report.duplicates.inFileLines : report.duplicates.inStockLines;
    if (lines.length < REPORT_LINE_LIMIT) lines.push(line);
  };

  const sink = input.dryRun ? dryRunSink(s, input.accountId, report, duplicate) : await writeSink(s, input, pool.id, report, duplicate);
  let chunk: PendingKey[] = [];
  const inFlight: Promise<void>[] = [];
  try {
    for await (const row of parsed.lines) {
      report.records += 1;
      if (row.kind === "invalid") {
        invalid(row.line, row.reason);
        continue;
      }
      const code = normaliseCode(row.code, caseInsensitive);
      if (!code) {
        invalid(row.line, "empty_code");
        continue;
      }
      if (!matchesFormat(code, format)) {
        invalid(row.line, "format_mismatch");
        continue;
      }
      if (report.preview.length < PREVIEW_ROWS) {
        report.preview.push({ line: row.line, code: maskCode(code), fields: Object.fromEntries(Object.entries(row.fields).map(([k, v]) => [k, maskCode(v)])) });
      }
      chunk.push({ line: row.line, code, fields: row.fields, costMinor: row.costMinor ?? batchCost ?? pool.default_cost_minor, expiresAt: row.expiresAt ?? batchExpiry });
      if (chunk.length >= CHUNK) {
        inFlight.push(sink.write(chunk));
        chunk = [];
        // Keep the sealing workers busy while earlier chunks are written, with bounded memory.
        if (inFlight.length >= 3) await inFlight.shift();
        input.onProgress?.({ lines: report.records, added: report.added });
      }
    }
    if (chunk.length) inFlight.push(sink.write(chunk));
    await Promise.all(inFlight);
    await sink.finish();
  } catch (e) {
    await Promise.allSettled(inFlight);
    await sink.abort().catch((err) => s.log.error({ err: (err as Error).message, batchId: report.batchId }, "could not remove an aborted import; recovery will"));
    throw e;
  }
  input.onProgress?.({ lines: report.records, added: report.added });
  report.elapsedMs = Date.now() - started;
  return report;
}

interface Sink {
  write(chunk: PendingKey[]): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/** Dry run: count what would happen; writes nothing. In-file duplicates by a set of fingerprint prefixes. */
function dryRunSink(s: Pick<Services, "db" | "fingerprinter">, accountId: string, report: ImportReport, duplicate: (line: number, where: "inFile" | "inStock") => void): Sink {
  const seen = new Set<string>();
  let queue = Promise.resolve();
  return {
    write(chunk) {
      // Serialised so line order (and the first-100 lists) stays the file's order.
      queue = queue.then(async () => {
        const fps = chunk.map((k) => s.fingerprinter.fingerprint(k.code));
        const fresh: { line: number; fp: Buffer }[] = [];
        chunk.forEach((k, i) => {
          // 16 bytes of a 32-byte HMAC: collisions are out of reach at any file size here.
          const key = fps[i].toString("latin1", 0, 16);
          if (seen.has(key)) duplicate(k.line, "inFile");
          else {
            seen.add(key);
            fresh.push({ line: k.line, fp: fps[i] });
          }
        });
        const existing = await findFingerprints(s.db, accountId, fresh.map((f) => f.fp));
        for (const f of fresh) {
          if (existing.has(f.fp.toString("base64"))) duplicate(f.line, "inStock");
          else report.added += 1;
        }
      });
      return queue;
    },
    async finish() {},
    async abort() {},
  };
}

async function writeSink(
  s: Pick<Services, "db" | "sealer" | "log" | "jobs">,
  input: ImportKeysInput,
  poolId: string,
  report: ImportReport,
  duplicate: (line: number, where: "inFile" | "inStock") => void,
): Promise<Sink> {
  const batch = await insertBatch(s.db, {
    accountId: input.accountId,
    poolId,
    supplier: input.batch?.supplier ?? null,
    notes: input.batch?.notes ?? null,
    sourceName: input.sourceName ?? null,
    costMinor: input.batch?.cost?.trim() ? parseBatchCost(input.batch.cost) : null,
    currency: input.batch?.currency ?? null,
    expiresAt: input.batch?.expiresAt?.trim() ? parseBatchExpiry(input.batch.expiresAt) : null,
    createdBy: input.actor.id ?? null,
  });
  report.batchId = batch.id;
  let writes = Promise.resolve();
  const abort = async () => {
    await setBatchStatus(s.db, batch.id, "importing", "aborted");
    await deleteImportingKeys(s.db, batch.id);
  };
  return {
    async write(chunk) {
      // Sealing runs in parallel on the worker threads; inserts are serialised in file order (a
      // later chunk may finish sealing first), so ids follow the file and the first copy wins.
      const sealing = s.sealer.seal({ accountId: input.accountId, keys: chunk.map((k) => ({ code: k.code, fields: k.fields })) });
      sealing.catch(() => {}); // observed below, in order; this only keeps an early failure from being "unhandled"
      writes = writes.then(async () => {
        const sealed = await sealing;
        const now = new Date().toISOString();
        const skipped = await s.db.transaction().execute(async (trx) => {
          await touchBatch(trx, batch.id);
          return insertImportingKeys(
            trx,
            { accountId: input.accountId, poolId, batchId: batch.id, now },
            sealed.map((k, i) => ({ ciphertext: k.ciphertext, keyId: k.keyId, fingerprint: k.fingerprint, costMinor: chunk[i].costMinor, expiresAt: chunk[i].expiresAt })),
          );
        });
        report.added += chunk.length - skipped.length;
        if (skipped.length) {
          // Where the existing copy lives says which kind of duplicate: this batch (an earlier line
          // of the file) or stock from before.
          const where = await findFingerprints(s.db, input.accountId, skipped.map((i) => sealed[i].fingerprint));
          for (const i of skipped) {
            const holder = where.get(sealed[i].fingerprint.toString("base64"));
            duplicate(chunk[i].line, holder?.batchId === batch.id ? "inFile" : "inStock");
          }
        }
      });
      return writes;
    },
    async finish() {
      if (report.added === 0) {
        await abort();
        report.batchId = null;
        return;
      }
      await touchBatch(s.db, batch.id);
      await setBatchStatus(s.db, batch.id, "importing", "committing", report.added);
      await activateBatchKeys(s.db, batch.id);
      await setBatchStatus(s.db, batch.id, "committing", "active");
      await recordAudit(s.db, {
        accountId: input.accountId,
        actorType: input.actor.type,
        actorId: input.actor.id ?? null,
        action: "keys.imported",
        subjectType: "key_batch",
        subjectId: batch.id,
        details: { poolId, added: report.added, duplicates: report.duplicates.inFile + report.duplicates.inStock, invalid: report.invalid.count, source: input.sourceName ?? null },
      });
      await refreshLowStock(s, input.accountId, poolId);
    },
    abort,
  };
}

function parseBatchCost(v: string): number {
  if (!/^\d{1,12}(\.\d{1,4})?$/.test(v.trim())) throw new InvalidInputError("pool_cost", "bad batch cost", { field: "cost" });
  return toMinorUnits(v.trim());
}

function parseBatchExpiry(v: string): string {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? `${v.trim()}T23:59:59.999Z` : v.trim());
  if (Number.isNaN(t)) throw new InvalidInputError("bad_expiry", "bad batch expiry", { field: "expiresAt" });
  return new Date(t).toISOString();
}
