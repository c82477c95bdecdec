import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import pg from "pg";
import { KEY_SAMPLE_SIZE, Reservoir, tallyKeyIds, tokenKeyId, type SealedSample } from "./sealed-samples.ts";
import type { CopyContents } from "./sqlite-backup.ts";
import { firstLine, libpqTarget, PgToolFailedError, quoteIdent, spawnTool } from "./pg-tools.ts";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * Postgres side of backups: `pg_dump -Fc` of the installation's schema. The counts in the manifest
 * are taken in the very snapshot pg_dump copies: this connection opens a repeatable-read
 * transaction, exports its snapshot, counts, and pg_dump joins it with --snapshot.
 */
export async function dumpPostgres(url: string, dest: string): Promise<CopyContents & { schema: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("begin isolation level repeatable read read only");
    const snapshot = (await client.query<{ s: string }>("select pg_export_snapshot() as s")).rows[0].s;
    const schema = (await client.query<{ s: string | null }>("select current_schema() as s")).rows[0].s;
    if (!schema) throw new InvalidInputError("backup_pg_no_schema", "the database has no keyrelay schema to back up");
    const contents = await readPostgresContents(client, schema);
    const target = libpqTarget(url);
    // A schema pattern in double quotes matches that name exactly (case and all).
    const r = await spawnTool("pg_dump", ["--format=custom", `--snapshot=${snapshot}`, `--schema=${quoteIdent(schema)}`, "--no-owner", "--no-privileges", `--file=${dest}`, `--dbname=${target.dbname}`], { env: target.env });
    if (r.code !== 0) throw new PgToolFailedError("pg_dump", firstLine(r.stderr));
    await client.query("commit");
    return { ...contents, schema };
  } finally {
    await client.end().catch(() => {});
  }
}

async function readPostgresContents(client: pg.Client, schema: string): Promise<CopyContents> {
  const names = (await client.query<{ t: string }>("select tablename as t from pg_tables where schemaname = $1 order by tablename", [schema])).rows.map((r) => r.t);
  const has = new Set(names);
  const q = (t: string) => `${quoteIdent(schema)}.${quoteIdent(t)}`;
  const tables: Record<string, number> = {};
  for (const n of names) tables[n] = Number((await client.query<{ n: string }>(`select count(*) as n from ${q(n)}`)).rows[0].n);
  const migrations = has.has("kysely_migration") ? (await client.query<{ name: string }>(`select name from ${q("kysely_migration")} order by name`)).rows.map((r) => r.name) : [];
  const masterKeyIds: Record<string, number> = {};
  const add = async (sql: string) => {
    for (const r of (await client.query<{ k: string | null; n: string }>(sql)).rows) if (r.k) masterKeyIds[r.k] = (masterKeyIds[r.k] ?? 0) + Number(r.n);
  };
  if (has.has("keys")) await add(`select key_id as k, count(*) as n from ${q("keys")} group by key_id`);
  if (has.has("system_settings")) await add(`select key_id as k, count(*) as n from ${q("system_settings")} where key_id is not null group by key_id`);
  if (has.has("stores")) {
    await add(`select credentials_key_id as k, count(*) as n from ${q("stores")} where credentials_key_id is not null group by credentials_key_id`);
    await add(`select webhook_secret_key_id as k, count(*) as n from ${q("stores")} where webhook_secret_key_id is not null group by webhook_secret_key_id`);
  }
  if (has.has("admin_two_factor")) await add(`select secret_key_id as k, count(*) as n from ${q("admin_two_factor")} group by secret_key_id`);
  if (has.has("shopify_sessions")) {
    for (const r of (await client.query<{ a: string | null; r: string | null }>(`select access_token as a, refresh_token as r from ${q("shopify_sessions")}`)).rows) {
      tallyKeyIds(masterKeyIds, [tokenKeyId(r.a), tokenKeyId(r.r)]);
    }
  }
  return { tables, migrations, masterKeyIds, samples: [] };
}

// ---- verify: read the archive's data through pg_restore, without any database ----

const COPY_LINE = /^COPY (?:"(?:[^"]|"")+"|[^ .]+)\.("(?:[^"]|"")+"|[^ ]+) \((.*)\) FROM stdin;$/;
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s);
const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** One field of COPY's text format: \N is null, backslash escapes the rest. */
export function copyField(raw: string): string | null {
  if (raw === "\\N") return null;
  return raw.includes("\\") ? raw.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c) : raw;
}

const bytea = (v: string | null) => (v?.startsWith("\\x") ? Buffer.from(v.slice(2), "hex") : undefined);

/**
 * Streams the archive's table data as pg_restore prints it (COPY blocks) and counts every table's
 * rows; the migrations, the key ids and a sample of sealed values come from the same pass. A
 * damaged archive makes pg_restore fail, which is reported as unreadable.
 */
export async function inspectPostgresArchive(file: string, opts: { samples: boolean }): Promise<CopyContents & { unreadable?: string }> {
  const list = await spawnTool("pg_restore", ["--list", file]);
  if (list.code !== 0) return { unreadable: firstLine(list.stderr) || `pg_restore exited ${list.code}`, tables: {}, migrations: [], masterKeyIds: {}, samples: [] };

  const tables: Record<string, number> = {};
  const migrations: string[] = [];
  const masterKeyIds: Record<string, number> = {};
  const keys = new Reservoir<SealedSample>(KEY_SAMPLE_SIZE);
  const firstPerKeyId = new Map<string, SealedSample>();
  const samples: SealedSample[] = [];
  let current: { table: string; cols: Map<string, number> } | undefined;
  let parseError: string | undefined;

  const run = spawnTool("pg_restore", ["--data-only", "--file=-", file], {
    stdio: ["ignore", "pipe", "pipe"],
    onSpawn(child) {
      const rl = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
      // A damaged archive can decompress into lines that are not COPY rows: that is a finding, not a crash.
      rl.on("line", (line) => {
        try {
          onLine(line);
        } catch (e) {
          parseError ??= `unexpected data in the archive (${(e as Error).message})`;
        }
      });
      const onLine = (line: string) => {
        if (!current) {
          const m = COPY_LINE.exec(line);
          if (m) {
            const table = unquote(m[1]);
            current = { table, cols: new Map(m[2].split(", ").map((c, i) => [unquote(c), i])) };
            tables[table] = 0;
          }
          return;
        }
        if (line === "\\.") {
          current = undefined;
          return;
        }
        tables[current.table]++;
        const t = current.table;
        if (t !== "keys" && t !== "system_settings" && t !== "stores" && t !== "admin_two_factor" && t !== "shopify_sessions" && t !== "kysely_migration") return;
        const f = line.split("\t");
        const get = (c: string) => {
          const i = current!.cols.get(c);
          return i === undefined ? null : copyField(f[i]);
        };
        if (t === "kysely_migration") migrations.push(get("name")!);
        else if (t === "keys") {
          const s: SealedSample = { table: "keys", id: get("id")!, keyId: get("key_id")!, ciphertext: bytea(get("ciphertext")) ?? Buffer.alloc(0), aad: get("account_id")! };
          tallyKeyIds(masterKeyIds, [s.keyId]);
          if (opts.samples) {
            keys.offer(s);
            if (!firstPerKeyId.has(s.keyId)) firstPerKeyId.set(s.keyId, s);
          }
        } else if (t === "system_settings") {
          const keyId = get("key_id");
          tallyKeyIds(masterKeyIds, [keyId]);
          if (keyId && opts.samples) samples.push({ table: "system_settings", id: get("name")!, keyId, ciphertext: bytea(get("value")) ?? Buffer.alloc(0), aad: `system:${get("name")}` });
        } else if (t === "stores") {
          const id = get("id")!;
          for (const [data, kid] of [["credentials_ciphertext", "credentials_key_id"], ["webhook_secret_ciphertext", "webhook_secret_key_id"]] as const) {
            const keyId = get(kid);
            tallyKeyIds(masterKeyIds, [keyId]);
            if (keyId && opts.samples) samples.push({ table: "stores", id, keyId, ciphertext: bytea(get(data)) ?? Buffer.alloc(0), aad: id });
          }
        } else if (t === "admin_two_factor") tallyKeyIds(masterKeyIds, [get("secret_key_id")]);
        else tallyKeyIds(masterKeyIds, [tokenKeyId(get("access_token")), tokenKeyId(get("refresh_token"))]);
      };
    },
  });
  const r = await run;
  if (parseError) return { unreadable: parseError, tables, migrations, masterKeyIds, samples: [] };
  if (r.code !== 0) return { unreadable: firstLine(r.stderr) || `pg_restore exited ${r.code}`, tables, migrations, masterKeyIds, samples: [] };
  const chosen = new Map<string, SealedSample>();
  for (const s of [...keys.items, ...firstPerKeyId.values()]) chosen.set(s.id, s);
  return { tables, migrations: migrations.sort(), masterKeyIds, samples: [...chosen.values(), ...samples] };
}

// ---- restore ----

/** The schema the configured connection works in, even when it does not exist (yet, or any more). */
export async function targetSchema(client: pg.Client): Promise<{ name: string; exists: boolean }> {
  const cur = (await client.query<{ s: string | null }>("select current_schema() as s")).rows[0].s;
  if (cur) return { name: cur, exists: true };
  const sp = (await client.query<{ search_path: string }>("show search_path")).rows[0].search_path;
  const first = sp.split(",").map((s) => s.trim()).find((s) => s && s !== '"$user"') ?? "public";
  return { name: unquote(first), exists: false };
}

export async function postgresLiveData(url: string): Promise<{ accounts: number; keys: number; orders: number; schema: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const target = await targetSchema(client);
    const count = async (t: string) => {
      const reg = (await client.query<{ r: string | null }>("select to_regclass($1) as r", [`${quoteIdent(target.name)}.${quoteIdent(t)}`])).rows[0].r;
      return reg ? Number((await client.query<{ n: string }>(`select count(*) as n from ${quoteIdent(target.name)}.${quoteIdent(t)}`)).rows[0].n) : 0;
    };
    return { accounts: await count("accounts"), keys: await count("keys"), orders: await count("orders"), schema: target.name };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Restores an archive into the configured schema in ONE transaction (psql --single-transaction):
 * the live schema is renamed aside, the archive's schema is created and filled, renamed to the
 * target's name if it differs, and the old one dropped. Any error rolls all of it back, so the
 * live data is untouched; a lock held by a running app makes it fail after lock_timeout instead
 * of waiting forever.
 */
export async function restorePostgres(url: string, file: string, sourceSchema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let target: { name: string; exists: boolean };
  try {
    target = await targetSchema(client);
    if (sourceSchema !== target.name) {
      const taken = (await client.query("select 1 from pg_namespace where nspname = $1", [sourceSchema])).rowCount;
      if (taken) throw new InvalidInputError("backup_pg_schema_taken", `schema ${sourceSchema} already exists in this database`, { params: { schema: sourceSchema } });
    }
  } finally {
    await client.end().catch(() => {});
  }
  const old = `${target.name}_prerestore_${crypto.randomBytes(4).toString("hex")}`.slice(0, 63);

  // The archive's own CREATE SCHEMA (if any) is left out: the prelude creates it, so a dump of
  // `public` (which has none) and of any other schema restore the same way.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-restore-"));
  try {
    const listing = await new Promise<string>((resolve, reject) => {
      let out = "";
      spawnTool("pg_restore", ["--list", file], { stdio: ["ignore", "pipe", "pipe"], onSpawn: (c) => c.stdout!.on("data", (d) => (out += d)) })
        .then((r) => (r.code === 0 ? resolve(out) : reject(new PgToolFailedError("pg_restore", firstLine(r.stderr)))))
        .catch(reject);
    });
    const listFile = path.join(tmp, "list");
    fs.writeFileSync(listFile, listing.split("\n").filter((l) => !/^\d+; \d+ \d+ SCHEMA - /.test(l)).join("\n"));

    const prelude = [
      "SET lock_timeout = '10s';",
      target.exists ? `ALTER SCHEMA ${quoteIdent(target.name)} RENAME TO ${quoteIdent(old)};` : "",
      `CREATE SCHEMA ${quoteIdent(sourceSchema)};`,
      "",
    ].join("\n");
    const epilogue = [
      "",
      sourceSchema !== target.name ? `ALTER SCHEMA ${quoteIdent(sourceSchema)} RENAME TO ${quoteIdent(target.name)};` : "",
      target.exists ? `DROP SCHEMA ${quoteIdent(old)} CASCADE;` : "",
      "",
    ].join("\n");

    const conn = libpqTarget(url);
    let restoreStderr = "";
    const psql = spawnTool("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-", `--dbname=${conn.dbname}`], {
      env: conn.env,
      stdio: ["pipe", "ignore", "pipe"],
      onSpawn(psqlChild) {
        const stdin = psqlChild.stdin!;
        stdin.on("error", () => {}); // psql stopping early (an error) is reported by its exit code
        stdin.write(prelude);
        spawnTool("pg_restore", ["--no-owner", "--no-privileges", `--use-list=${listFile}`, "--file=-", file], {
          stdio: ["ignore", "pipe", "pipe"],
          onSpawn: (restore) => restore.stdout!.pipe(stdin, { end: false }),
        }).then(
          (r) => {
            // Only a pg_restore that finished cleanly commits: otherwise a failing statement makes
            // psql roll the whole transaction back.
            if (r.code === 0) stdin.end(epilogue);
            else {
              restoreStderr = firstLine(r.stderr) || `exit ${r.code}`;
              stdin.end("\nSELECT 1/0; -- pg_restore failed\n");
            }
          },
          (e: Error) => {
            restoreStderr = e.message;
            stdin.end("\nSELECT 1/0; -- pg_restore failed\n");
          },
        );
      },
    });
    const r = await psql;
    if (restoreStderr) throw new PgToolFailedError("pg_restore", restoreStderr);
    if (r.code !== 0) throw new PgToolFailedError("psql", firstLine(r.stderr));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
