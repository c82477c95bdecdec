import { AccountScope } from "../db/repositories/account-scope.ts";
import { recordAudit } from "../db/repositories/audit-repo.ts";
import { insertBatch } from "../db/repositories/key-batches-repo.ts";
import { openKeyImportWriter } from "../db/repositories/key-import-writer.ts";
import { findFingerprints } from "../db/repositories/keys-repo.ts";
import type { AuditLogTable } from "../db/schema.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { maskCode, matchesFormat, normaliseCode } from "../domain/key-code.ts";
import { compileFormat, toMinorUnits } from "../domain/pool-input.ts";
import { FingerprintSet } from "../import/fingerprint-set.ts";
import { parseKeyFile, type ImportFormat, type TextEncodingName } from "../import/parse-key-file.ts";
import type { Services } from "../ports.ts";
import { refreshLowStock } from "./refresh-low-stock.ts";
import { poolStockChanged } from "./schedule-stock-sync.ts";

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
/**
 * Keys per sealing request and per write transaction. Bigger chunks amortise each transaction's
 * commit and the worker round trip (2k → 10k saved ~10 s per million keys); at 10k a SQLite write
 * holds the lock (and, better-sqlite3 being synchronous, this thread) for ~0.2 s.
 */
export const IMPORT_CHUNK = 10_000;
/** …or fewer, when the keys are long (up to 512 + n × 1024 characters each): memory stays flat whatever the file. */
const CHUNK_CHARS = 2 * 1024 * 1024;
/** Chunks parsed but not yet written: enough to keep the sealer busy while one is written, and memory flat. */
const MAX_IN_FLIGHT = 3;

interface PendingKey {
  line: number;
  code: string;
  fields: Record<string, string>;
  costMinor: number | null;
  expiresAt: string | null;
}

/**
 * Imports a file of keys into a pool, streaming: parse → seal on worker threads → write in file
 * order → commit the batch. All valid keys become available, or none do (a failure removes what
 * was written; a crash is cleaned up by the database or by recoverImports — see KeyImportWriter).
 */
export async function importKeys(s: Pick<Services, "db" | "database" | "sealer" | "fingerprinter" | "log" | "jobs">, input: ImportKeysInput): Promise<ImportReport> {
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
  let chunkChars = 0;
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
      chunkChars += code.length;
      for (const k in row.fields) chunkChars += row.fields[k].length;
      if (chunk.length >= IMPORT_CHUNK || chunkChars >= CHUNK_CHARS) {
        inFlight.push(sink.write(chunk));
        chunk = [];
        chunkChars = 0;
        // Keep the sealing workers busy while earlier chunks are written, with bounded memory.
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
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

/** Dry run: count what would happen; writes nothing. In-file duplicates by a compact set of fingerprint prefixes. */
function dryRunSink(s: Pick<Services, "db" | "fingerprinter">, accountId: string, report: ImportReport, duplicate: (line: number, where: "inFile" | "inStock") => void): Sink {
  const seen = new FingerprintSet();
  let queue = Promise.resolve();
  return {
    write(chunk) {
      // Serialised so line order (and the first-100 lists) stays the file's order.
      queue = queue.then(async () => {
        const fps = chunk.map((k) => s.fingerprinter.fingerprint(k.code));
        const fresh: { line: number; fp: Buffer }[] = [];
        chunk.forEach((k, i) => {
          if (seen.add(fps[i])) fresh.push({ line: k.line, fp: fps[i] });
          else duplicate(k.line, "inFile");
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
  s: Pick<Services, "db" | "database" | "sealer" | "log" | "jobs">,
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
  const writer = await openKeyImportWriter(s.database, { accountId: input.accountId, poolId, batchId: batch.id });
  let writes = Promise.resolve();
  return {
    write(chunk) {
      // Sealing runs in parallel on the worker threads; writes are serialised in file order (a
      // later chunk may finish sealing first), so ids follow the file and the first copy wins.
      const sealing = s.sealer.seal({ accountId: input.accountId, keys: chunk.map((k) => ({ code: k.code, fields: k.fields })) });
      sealing.catch(() => {}); // observed below, in order; this only keeps an early failure from being "unhandled"
      writes = writes.then(async () => {
        const sealed = await sealing;
        const skipped = await writer.write(sealed.map((k, i) => ({ ciphertext: k.ciphertext, keyId: k.keyId, fingerprint: k.fingerprint, costMinor: chunk[i].costMinor, expiresAt: chunk[i].expiresAt })));
        report.added += chunk.length - skipped.length;
        for (const { index, where } of skipped) duplicate(chunk[index].line, where);
      });
      return writes;
    },
    async finish() {
      if (report.added === 0) {
        await writer.abort();
        report.batchId = null;
        return;
      }
      await writer.commit(report.added);
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
      await poolStockChanged(s, input.accountId, poolId);
    },
    abort: () => writer.abort(),
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
