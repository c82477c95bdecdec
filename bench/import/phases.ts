/**
 * One benchmark phase per child process (started by run.ts with the same Node): its RSS and
 * maxRSS are its own. Usage: node bench/import/phases.ts <phase> '<json options>'; the result
 * goes back to the parent over IPC (or to stdout as JSON when run by hand).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { loadConfig } from "../../app/.server/config.ts";
import { encodeKeyPayload, decodeKeyPayload, type KeyPayload } from "../../app/.server/crypto/key-payload.ts";
import { sealKeys, unpackSeal } from "../../app/.server/crypto/seal-keys.ts";
import { createAccount } from "../../app/.server/db/repositories/accounts-repo.ts";
import { insertBatch } from "../../app/.server/db/repositories/key-batches-repo.ts";
import { openKeyImportWriter } from "../../app/.server/db/repositories/key-import-writer.ts";
import { matchesFormat, normaliseCode } from "../../app/.server/domain/key-code.ts";
import { compileFormat } from "../../app/.server/domain/pool-input.ts";
import { parseKeyFile } from "../../app/.server/import/parse-key-file.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import type { Services } from "../../app/.server/ports.ts";
import { IMPORT_CHUNK, importKeys } from "../../app/.server/use-cases/import-keys.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import type { Worker } from "node:worker_threads";
import { machineBusySeconds, postgresCpuSeconds, RssSampler, rssMiB, Stopwatch, WorkerHeapSampler, type RssPeak } from "./measure.ts";

export type Dialect = "sqlite" | "postgres";

export interface PhaseOptions {
  file: string;
  lines: number;
  pgUrl: string;
  /** bytes of the raw phases' random ciphertext (the real one is 28 + the JSON payload) */
  ciphertextBytes: number;
  keep?: boolean;
}

export interface PhaseResult {
  phase: string;
  ok: boolean;
  problems: string[];
  lines: number;
  added?: number;
  elapsedS?: number;
  keysPerS?: number;
  rss?: RssPeak & { beforeMiB: number };
  /** process CPU seconds (all threads) during the timed section */
  cpuS?: number;
  /** cores' worth of CPU used by other processes (not this one, not Postgres) during the timed section: noise; Linux only */
  otherCores?: number;
  /** cores' worth of CPU used by the local Postgres server during the timed section */
  postgresCores?: number;
  notes: string[];
  /** profile steps: name → seconds (or another unit given in the name) */
  steps?: { name: string; seconds: number; keysPerS?: number; note?: string }[];
}

const actor = { type: "cli" as const };
const FORMAT = "^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$";
const CHUNK = IMPORT_CHUNK;

// ---------------------------------------------------------------------------------------------
// Fresh databases

interface Env {
  services: Services;
  dataDir: string;
  schema?: string;
  cleanup(): Promise<void>;
}

async function freshServices(dialect: Dialect, o: PhaseOptions): Promise<Env> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-bench-"));
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  let schema: string | undefined;
  if (dialect === "postgres") {
    schema = await createPgSchema(o.pgUrl);
    env.DATABASE_URL = withSearchPath(o.pgUrl, schema);
    env.KEYRELAY_MASTER_KEY = crypto.randomBytes(32).toString("base64");
    env.SESSION_SECRET = crypto.randomBytes(32).toString("base64");
  }
  const services = await createServices(loadConfig(env));
  return {
    services,
    dataDir,
    schema,
    async cleanup() {
      await services.close().catch(() => {});
      if (o.keep) return;
      if (schema) await dropPgSchema(o.pgUrl, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createPgSchema(url: string): Promise<string> {
  const schema = `bench_${crypto.randomBytes(6).toString("hex")}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`create schema ${schema}`);
  } finally {
    await c.end();
  }
  return schema;
}

async function dropPgSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await c.end();
  }
}

function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function accountAndPool(s: Services): Promise<{ accountId: string; poolId: string; costMinor: number | null }> {
  // The account through its repository, as the integration tests do: the admin-user use-case would
  // also run scrypt (32 MiB), which has nothing to do with importing.
  const accountId = (await createAccount(s.db, { name: "Bench merchant" })).id;
  const pool = await createPool(s, accountId, { name: "Bench pool", lowStockThreshold: 10, defaultCost: "1.25", currency: "USD", formatRegex: FORMAT }, actor);
  return { accountId, poolId: pool.id, costMinor: pool.default_cost_minor };
}

// ---------------------------------------------------------------------------------------------
// The real import path

async function realImport(dialect: Dialect, o: PhaseOptions): Promise<PhaseResult> {
  const env = await freshServices(dialect, o);
  const s = env.services;
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    const { accountId, poolId } = await accountAndPool(s);
    const beforeMiB = rssMiB();
    const sampler = new RssSampler();
    // Diagnostics only: the sealer's worker threads are private to KeySealer.
    const workerHeaps = new WorkerHeapSampler(() => (s.sealer as unknown as { workers: Worker[] }).workers);
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const pg0 = postgresCpuSeconds();
    sampler.start();
    workerHeaps.start();
    const t0 = performance.now();
    const report = await importKeys(s, { accountId, poolId, format: "csv", source: fs.createReadStream(o.file), sourceName: path.basename(o.file), actor });
    const elapsedS = (performance.now() - t0) / 1000;
    const peak = sampler.stop();
    const cpu = process.cpuUsage(cpu0);
    const busy1 = machineBusySeconds();
    const pgCpu = postgresCpuSeconds() - pg0;
    const heaps = workerHeaps.stop();

    // Verification (not timed).
    const expect = (what: string, got: unknown, want: unknown) => {
      if (got !== want) problems.push(`${what}: got ${String(got)}, expected ${String(want)}`);
    };
    expect("records", report.records, o.lines);
    expect("added", report.added, o.lines);
    expect("duplicates in file", report.duplicates.inFile, 0);
    expect("duplicates in stock", report.duplicates.inStock, 0);
    expect("invalid", report.invalid.count, 0);
    if (!report.batchId) problems.push("no batch id");
    const counts = await s.db
      .selectFrom("keys")
      .select((eb) => [eb.fn.countAll<number>().as("all"), eb.fn.count<number>("fingerprint").distinct().as("fps")])
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    const available = await s.db
      .selectFrom("keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("pool_id", "=", poolId)
      .where("state", "=", "available")
      .executeTakeFirstOrThrow();
    expect("keys in the database", Number(counts.all), o.lines);
    expect("distinct fingerprints", Number(counts.fps), o.lines);
    expect("available keys in the pool", Number(available.n), o.lines);
    const batch = await s.db.selectFrom("key_batches").select(["status", "key_count"]).where("id", "=", report.batchId ?? "").executeTakeFirst();
    expect("batch status", batch?.status, "active");
    expect("batch key_count", Number(batch?.key_count), o.lines);
    // The first and the last line of the file are found by fingerprint and open to their code and PIN.
    const [first, last] = fileEnds(o.file);
    for (const [label, want] of [["first", first], ["last", last]] as const) {
      const row = await s.db.selectFrom("keys").select(["ciphertext", "key_id"]).where("account_id", "=", accountId).where("fingerprint", "=", s.fingerprinter.fingerprint(want.code)).executeTakeFirst();
      const got = row ? decodeKeyPayload(s.cipher.openString({ ciphertext: Buffer.from(row.ciphertext), keyId: row.key_id }, accountId)) : undefined;
      if (!got || got.code !== want.code || got.fields.pin !== want.pin) problems.push(`the ${label} line of the file is not stored as it was read`);
    }
    notes.push(await idOrder(s, accountId, o.file));
    if (dialect === "sqlite") {
      const file = s.config.database.dialect === "sqlite" ? s.config.database.file : "";
      notes.push(`database file ${(fs.statSync(file).size / 1024 / 1024).toFixed(0)} MiB`);
    }
    notes.push(`report.elapsedMs ${report.elapsedMs}`);
    const a = peak.atPeak;
    notes.push(
      `main thread at the sampled peak: V8 heap ${a.heapUsed.toFixed(0)}/${a.heapTotal.toFixed(0)} MiB used/total, external ${a.external.toFixed(0)} MiB (array buffers ${a.arrayBuffers.toFixed(0)})` +
        `; main thread's largest heapUsed ${peak.maxHeapUsedMiB.toFixed(0)} MiB` +
        `; sealer workers' peak V8 heap: ${heaps.length ? heaps.map((h) => `${h.toFixed(0)} MiB`).join(", ") : "none"}`,
    );
    return {
      phase: `real-${dialect}`,
      ok: problems.length === 0,
      problems,
      lines: o.lines,
      added: report.added,
      elapsedS,
      keysPerS: report.added / elapsedS,
      rss: { ...peak, beforeMiB },
      cpuS: (cpu.user + cpu.system) / 1e6,
      otherCores: otherCores(busy0, busy1, (cpu.user + cpu.system) / 1e6 + pgCpu, elapsedS),
      postgresCores: pgCpu / elapsedS,
      notes,
    };
  } finally {
    await env.cleanup();
  }
}

/**
 * Informational: do key ids follow the file's order? (Allocation hands out the lowest id first.)
 * Looks up every 1000th line by fingerprint and counts ids smaller than the previous sample's.
 */
async function idOrder(s: Services, accountId: string, file: string): Promise<string> {
  const codes: string[] = [];
  let n = 0;
  let rest = "";
  for await (const chunk of fs.createReadStream(file, { encoding: "utf8" })) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const l of parts) if (n++ % 1000 === 1) codes.push(l.slice(0, l.indexOf(",")));
  }
  let previous = 0;
  let inversions = 0;
  for (const code of codes) {
    const row = await s.db.selectFrom("keys").select("id").where("account_id", "=", accountId).where("fingerprint", "=", s.fingerprinter.fingerprint(code)).executeTakeFirst();
    const id = Number(row?.id ?? 0);
    if (id < previous) inversions += 1;
    previous = id;
  }
  return `key ids vs file order: ${inversions} of ${codes.length} sampled lines (every 1000th) have a smaller id than the sample before them`;
}

function otherCores(busy0: number | undefined, busy1: number | undefined, ownCpuS: number, elapsedS: number): number | undefined {
  if (busy0 === undefined || busy1 === undefined) return undefined;
  return Math.max(0, busy1 - busy0 - ownCpuS) / elapsedS;
}

function fileEnds(file: string): [{ code: string; pin: string }, { code: string; pin: string }] {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(4096, size));
    fs.readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(4096, size));
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const firstLine = head.toString("utf8").split("\n")[1];
    const tailLines = tail.toString("utf8").trimEnd().split("\n");
    const lastLine = tailLines[tailLines.length - 1];
    const split = (l: string) => {
      const [code, pin] = l.split(",");
      return { code, pin };
    };
    return [split(firstLine), split(lastLine)];
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw limits

const INSERT_COLUMNS = "account_id, pool_id, batch_id, ciphertext, key_id, fingerprint, state, cost_minor, expires_at, state_changed_at, created_at";

/** A fresh database with the app's schema (migrations) and an account, pool and batch to point at. */
async function rawSetup(dialect: Dialect, o: PhaseOptions) {
  const env = await freshServices(dialect, o);
  const s = env.services;
  const { accountId, poolId, costMinor } = await accountAndPool(s);
  const batch = await insertBatch(s.db, { accountId, poolId });
  return { env, accountId, poolId, batchId: batch.id, costMinor, keyId: s.cipher.currentKeyId };
}

/** Plain better-sqlite3: one transaction, one prepared statement, the app's keys table and pragmas. */
async function rawSqlite(o: PhaseOptions): Promise<PhaseResult> {
  const { env, accountId, poolId, batchId, costMinor, keyId } = await rawSetup("sqlite", o);
  const file = env.services.config.database.dialect === "sqlite" ? env.services.config.database.file : "";
  await env.services.close();
  const db = new SQLite(file);
  const problems: string[] = [];
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");
    const insert = db.prepare(`insert into keys (${INSERT_COLUMNS}) values (?, ?, ?, ?, ?, ?, 'available', ?, null, ?, ?)`);
    const beforeMiB = rssMiB();
    const sampler = new RssSampler();
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const pg0 = postgresCpuSeconds();
    sampler.start();
    const t0 = performance.now();
    const now = new Date().toISOString();
    db.transaction(() => {
      for (let i = 0; i < o.lines; i++) {
        insert.run(accountId, poolId, batchId, crypto.randomBytes(o.ciphertextBytes), keyId, crypto.randomBytes(32), costMinor, now, now);
      }
    })();
    const elapsedS = (performance.now() - t0) / 1000;
    const peak = sampler.stop();
    const cpu = process.cpuUsage(cpu0);
    const busy1 = machineBusySeconds();
    const pgCpu = postgresCpuSeconds() - pg0;
    const n = (db.prepare("select count(*) as n from keys where batch_id = ? and state = 'available'").get(batchId) as { n: number }).n;
    if (n !== o.lines) problems.push(`raw rows: got ${n}, expected ${o.lines}`);
    return {
      phase: "raw-sqlite",
      ok: problems.length === 0,
      problems,
      lines: o.lines,
      added: n,
      elapsedS,
      keysPerS: o.lines / elapsedS,
      rss: { ...peak, beforeMiB },
      cpuS: (cpu.user + cpu.system) / 1e6,
      otherCores: otherCores(busy0, busy1, (cpu.user + cpu.system) / 1e6 + pgCpu, elapsedS),
      postgresCores: pgCpu / elapsedS,
      notes: [
        `one transaction, one prepared single-row INSERT, the app's keys table (4 indexes + 3 foreign keys, foreign_keys=ON), WAL, synchronous=NORMAL; ${o.ciphertextBytes}+32 random bytes per row from crypto.randomBytes inside the timed loop`,
      ],
    };
  } finally {
    db.close();
    if (!o.keep) fs.rmSync(env.dataDir, { recursive: true, force: true });
  }
}

/** Plain pg: one transaction, multi-row INSERT … SELECT FROM unnest($arrays) in batches of 10,000. */
async function rawPostgres(o: PhaseOptions): Promise<PhaseResult> {
  const { env, accountId, poolId, batchId, costMinor, keyId } = await rawSetup("postgres", o);
  await env.services.close();
  const c = new pg.Client({ connectionString: withSearchPath(o.pgUrl, env.schema!) });
  await c.connect();
  const problems: string[] = [];
  const BATCH = 10_000;
  try {
    const beforeMiB = rssMiB();
    const sampler = new RssSampler();
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const pg0 = postgresCpuSeconds();
    sampler.start();
    const t0 = performance.now();
    const now = new Date().toISOString();
    await c.query("begin");
    for (let i = 0; i < o.lines; i += BATCH) {
      const n = Math.min(BATCH, o.lines - i);
      const cts: Buffer[] = [];
      const fps: Buffer[] = [];
      for (let k = 0; k < n; k++) {
        cts.push(crypto.randomBytes(o.ciphertextBytes));
        fps.push(crypto.randomBytes(32));
      }
      await c.query(
        `insert into keys (${INSERT_COLUMNS})
         select $1, $2, $3, ct, $4, fp, 'available', $5, null, $6, $6 from unnest($7::bytea[], $8::bytea[]) as t(ct, fp)`,
        [accountId, poolId, batchId, keyId, costMinor, now, cts, fps],
      );
    }
    await c.query("commit");
    const elapsedS = (performance.now() - t0) / 1000;
    const peak = sampler.stop();
    const cpu = process.cpuUsage(cpu0);
    const busy1 = machineBusySeconds();
    const pgCpu = postgresCpuSeconds() - pg0;
    const n = Number((await c.query("select count(*) as n from keys where batch_id = $1 and state = 'available'", [batchId])).rows[0].n);
    if (n !== o.lines) problems.push(`raw rows: got ${n}, expected ${o.lines}`);
    return {
      phase: "raw-postgres",
      ok: problems.length === 0,
      problems,
      lines: o.lines,
      added: n,
      elapsedS,
      keysPerS: o.lines / elapsedS,
      rss: { ...peak, beforeMiB },
      cpuS: (cpu.user + cpu.system) / 1e6,
      otherCores: otherCores(busy0, busy1, (cpu.user + cpu.system) / 1e6 + pgCpu, elapsedS),
      postgresCores: pgCpu / elapsedS,
      notes: [`one transaction, INSERT … SELECT FROM unnest(bytea[], bytea[]) in statements of ${BATCH} rows into the app's keys table; random bytes generated inside the timed loop`],
    };
  } finally {
    await c.end();
    if (!o.keep) await dropPgSchema(o.pgUrl, env.schema!);
    fs.rmSync(env.dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Profile: where the real path's time goes, one stage at a time (SQLite)

async function profile(o: PhaseOptions): Promise<PhaseResult> {
  const steps: NonNullable<PhaseResult["steps"]> = [];
  const step = (name: string, seconds: number, keys?: number, note?: string) => steps.push({ name, seconds, keysPerS: keys ? keys / seconds : undefined, note });
  const format = compileFormat(FORMAT);

  // 1. Parse only: the import loop minus sealing and writing.
  {
    const t0 = performance.now();
    const parsed = await parseKeyFile(fs.createReadStream(o.file), { format: "csv" });
    let n = 0;
    for await (const row of parsed.lines) {
      if (row.kind !== "key") continue;
      const code = normaliseCode(row.code, false);
      if (code && matchesFormat(code, format)) n += 1;
    }
    step("parse: parseKeyFile + normaliseCode + format check (main thread)", (performance.now() - t0) / 1000, n);
  }

  // Keep the parsed keys for the sealing steps (memory is not measured in this phase).
  const keys: KeyPayload[] = [];
  {
    const parsed = await parseKeyFile(fs.createReadStream(o.file), { format: "csv" });
    for await (const row of parsed.lines) if (row.kind === "key") keys.push({ code: normaliseCode(row.code, false), fields: row.fields });
  }

  const env = await freshServices("sqlite", o);
  const s = env.services;
  try {
    const { accountId, poolId, costMinor } = await accountAndPool(s);

    // 2. Sealing on one thread, split into its parts, over the first ≤200k keys.
    const sample = keys.slice(0, Math.min(keys.length, 200_000));
    {
      const enc = new Stopwatch();
      const aes = new Stopwatch();
      const hmac = new Stopwatch();
      for (const k of sample) {
        const json = enc.time(() => encodeKeyPayload(k));
        aes.time(() => s.cipher.seal(json, accountId));
        hmac.time(() => s.fingerprinter.fingerprint(k.code));
      }
      const us = (sw: Stopwatch) => `${((sw.ms * 1000) / sample.length).toFixed(2)} µs/key`;
      step(`seal parts, 1 thread, ${sample.length} keys: JSON payload`, enc.ms / 1000, sample.length, us(enc));
      step(`seal parts, 1 thread, ${sample.length} keys: AES-256-GCM (incl. 12-byte randomBytes nonce)`, aes.ms / 1000, sample.length, us(aes));
      step(`seal parts, 1 thread, ${sample.length} keys: HMAC fingerprint`, hmac.ms / 1000, sample.length, us(hmac));
      const t0 = performance.now();
      for (let i = 0; i < sample.length; i += CHUNK) unpackSeal(sealKeys(s.cipher, s.fingerprinter, { accountId, keys: sample.slice(i, i + CHUNK) }));
      const sec = (performance.now() - t0) / 1000;
      step(`sealKeys + unpackSeal in chunks of ${CHUNK}, 1 thread, ${sample.length} keys`, sec, sample.length, `${((sec * 1e6) / sample.length).toFixed(2)} µs/key → ${((sec * keys.length) / sample.length).toFixed(1)} s for ${keys.length}`);
    }

    // 3. Sealing on the KeySealer's worker pool (what the import uses), all keys, ≤4 chunks in flight.
    {
      const sealer = s.sealer;
      await sealer.seal({ accountId, keys: keys.slice(0, 100) }); // start the workers outside the timing
      const t0 = performance.now();
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        inFlight.push(sealer.seal({ accountId, keys: keys.slice(i, i + CHUNK) }));
        if (inFlight.length >= 4) await inFlight.shift();
      }
      await Promise.all(inFlight);
      const sec = (performance.now() - t0) / 1000;
      step(`seal on KeySealer workers (${os.availableParallelism()} threads), all keys, main thread otherwise idle`, sec, keys.length);
    }
    keys.length = 0;

    // 4. The import's writes alone: its KeyImportWriter (CHUNK-row transactions of importing rows), then the commit.
    {
      const batch = await insertBatch(s.db, { accountId, poolId });
      const writer = await openKeyImportWriter(s.database, { accountId, poolId, batchId: batch.id });
      const write = new Stopwatch();
      for (let i = 0; i < o.lines; i += CHUNK) {
        const n = Math.min(CHUNK, o.lines - i);
        const rows = Array.from({ length: n }, () => ({ ciphertext: crypto.randomBytes(o.ciphertextBytes), keyId: s.cipher.currentKeyId, fingerprint: crypto.randomBytes(32), costMinor, expiresAt: null }));
        await write.timeAsync(() => writer.write(rows));
      }
      step(`write: KeyImportWriter.write, ${CHUNK}-row transactions, state importing (random rows prepared outside the timer)`, write.ms / 1000, o.lines);
      const t0 = performance.now();
      await writer.commit(o.lines);
      const sec = (performance.now() - t0) / 1000;
      step(`commit: KeyImportWriter.commit, importing → available (20k-row UPDATEs)`, sec, o.lines);
    }
  } finally {
    await env.cleanup();
  }

  // 5. The same writes with raw better-sqlite3: what Kysely and the importing → available flip cost.
  {
    const { env: rawEnv, accountId, poolId, batchId, costMinor, keyId } = await rawSetup("sqlite", o);
    const file = rawEnv.services.config.database.dialect === "sqlite" ? rawEnv.services.config.database.file : "";
    await rawEnv.services.close();
    const db = new SQLite(file);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("synchronous = NORMAL");
      const insert = db.prepare(`insert into keys (${INSERT_COLUMNS}) values (?, ?, ?, ?, ?, ?, 'importing', ?, null, ?, ?) on conflict (account_id, fingerprint) do nothing`);
      const write = new Stopwatch();
      for (let i = 0; i < o.lines; i += CHUNK) {
        const n = Math.min(CHUNK, o.lines - i);
        const rows = Array.from({ length: n }, () => [crypto.randomBytes(o.ciphertextBytes), crypto.randomBytes(32)] as const);
        const now = new Date().toISOString();
        write.time(() =>
          db.transaction(() => {
            for (const [ct, fp] of rows) insert.run(accountId, poolId, batchId, ct, keyId, fp, costMinor, now, now);
          })(),
        );
      }
      step(`write: raw better-sqlite3 prepared single-row INSERT, ${CHUNK}-row transactions, state importing`, write.ms / 1000, o.lines);
      const t0 = performance.now();
      const r = db.prepare("update keys set state = 'available', state_changed_at = ? where batch_id = ? and state = 'importing'").run(new Date().toISOString(), batchId);
      const sec = (performance.now() - t0) / 1000;
      step(`commit: raw single UPDATE importing → available (${r.changes} keys)`, sec, r.changes);
    } finally {
      db.close();
      if (!o.keep) fs.rmSync(rawEnv.dataDir, { recursive: true, force: true });
    }
  }

  return { phase: "profile", ok: true, problems: [], lines: o.lines, notes: [], steps };
}

// ---------------------------------------------------------------------------------------------

const phases: Record<string, (o: PhaseOptions) => Promise<PhaseResult>> = {
  "real-sqlite": (o) => realImport("sqlite", o),
  "real-postgres": (o) => realImport("postgres", o),
  "raw-sqlite": rawSqlite,
  "raw-postgres": rawPostgres,
  profile,
};

async function main() {
  const [name, json] = process.argv.slice(2);
  const run = phases[name];
  if (!run) throw new Error(`unknown phase ${name}; one of ${Object.keys(phases).join(", ")}`);
  const result = await run(JSON.parse(json) as PhaseOptions);
  if (process.send) await new Promise<void>((resolve) => process.send!(result, () => resolve()));
  else console.log(JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (process.send) process.send({ error: message }, () => process.exit(1));
    else {
      console.error(message);
      process.exit(1);
    }
  },
);
