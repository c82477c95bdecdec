import crypto from "node:crypto";
import SQLite from "better-sqlite3";
import pg from "pg";
import { loadConfig } from "../../app/.server/config.ts";
import { SQLITE_PRAGMAS } from "../../app/.server/db/database.ts";
import { insertBatch } from "../../app/.server/db/repositories/key-batches-repo.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import { installShopifyShop } from "../../app/.server/use-cases/install-shopify-shop.ts";
import { createPool } from "../../app/.server/use-cases/manage-pools.ts";
import type { FreshDatabase } from "./fresh-database.ts";

/**
 * The raw limit: on a fresh database with the app's schema (migrations: the same keys and
 * allocations tables, indexes, foreign keys) and the app's pragmas, the app's claim statement and
 * allocation insert, one transaction per claim, from plain better-sqlite3 / pg — no HTTP, no
 * Kysely, no jobs. SQLite: one connection (one writer anyway). Postgres: `clients` connections
 * claiming concurrently with FOR UPDATE SKIP LOCKED in a CTE, as the app does.
 */
export interface RawResult {
  claims: number;
  seconds: number;
  claimsPerS: number;
  clients: number;
  distinctKeys: number;
}

interface Fixture {
  accountId: string;
  poolId: string;
  lineId: string;
}

async function fixture(db: FreshDatabase, keys: number): Promise<Fixture> {
  const s = await createServices(loadConfig({ ...db.env, LOG_LEVEL: "warn" }));
  try {
    const store = await installShopifyShop(s, { shop: "raw-bench.myshopify.com" });
    const accountId = store.account_id;
    const pool = await createPool(s, accountId, { name: "Raw" }, { type: "cli" });
    const batch = await insertBatch(s.db, { accountId, poolId: pool.id });
    const now = new Date().toISOString();
    const orderId = crypto.randomUUID();
    const lineId = crypto.randomUUID();
    await s.db.insertInto("orders").values({ id: orderId, account_id: accountId, store_id: store.id, external_id: "1", status: "received", created_at: now, updated_at: now } as never).execute();
    await s.db
      .insertInto("order_lines")
      .values({ id: lineId, account_id: accountId, order_id: orderId, external_line_id: "1", quantity: keys, pool_id: pool.id, units_per_item: 1, created_at: now } as never)
      .execute();
    // Keys of the real shape: 86 bytes of ciphertext (a sealed 29-character code), a 32-byte fingerprint.
    for (let i = 0; i < keys; i += 2000) {
      const rows = Array.from({ length: Math.min(2000, keys - i) }, () => ({
        account_id: accountId,
        pool_id: pool.id,
        batch_id: batch.id,
        ciphertext: crypto.randomBytes(86),
        key_id: s.cipher.currentKeyId,
        fingerprint: crypto.randomBytes(32),
        state: "available",
        state_changed_at: now,
        created_at: now,
      }));
      await s.db.insertInto("keys").values(rows as never).execute();
    }
    return { accountId, poolId: pool.id, lineId };
  } finally {
    await s.close();
  }
}

export async function rawSqliteClaims(db: FreshDatabase, claims: number): Promise<RawResult> {
  const f = await fixture(db, claims);
  const sqlite = new SQLite(db.sqliteFile!);
  try {
    for (const p of SQLITE_PRAGMAS) sqlite.pragma(p);
    const claim = sqlite.prepare(
      `update keys set state = 'allocated', allocated_at = ?, state_changed_at = ?
       where id in (select id from keys where pool_id = ? and state = 'available' and (expires_at is null or expires_at > ?) order by id limit 1)
       and state = 'available' returning id`,
    );
    const insert = sqlite.prepare(
      `insert into allocations (account_id, order_line_id, unit_index, pool_id, key_id, status, created_at, fulfilled_at) values (?, ?, ?, ?, ?, 'allocated', ?, ?)`,
    );
    const one = sqlite.transaction((i: number) => {
      const now = new Date().toISOString();
      const row = claim.get(now, now, f.poolId, now) as { id: number } | undefined;
      if (!row) throw new Error("pool ran dry");
      insert.run(f.accountId, f.lineId, i, f.poolId, row.id, now, now);
    });
    const t0 = performance.now();
    for (let i = 0; i < claims; i++) one(i);
    const seconds = (performance.now() - t0) / 1000;
    const distinctKeys = (sqlite.prepare("select count(distinct key_id) as n from allocations where status = 'allocated'").get() as { n: number }).n;
    return { claims, seconds, claimsPerS: claims / seconds, clients: 1, distinctKeys };
  } finally {
    sqlite.close();
  }
}

export async function rawPostgresClaims(db: FreshDatabase, claims: number, clients: number): Promise<RawResult> {
  const f = await fixture(db, claims);
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: db.pgUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    let next = 0;
    const worker = async (c: pg.Client) => {
      for (;;) {
        const i = next++;
        if (i >= claims) return;
        const now = new Date().toISOString();
        await c.query("begin");
        const r = await c.query(
          {
            name: "claim",
            text: `with picked as (
                     select id from keys where pool_id = $1 and state = 'available' and (expires_at is null or expires_at > $2)
                     order by id limit 1 for update skip locked)
                   update keys set state = 'allocated', allocated_at = $2, state_changed_at = $2
                   from picked where keys.id = picked.id and keys.state = 'available' returning keys.id`,
          },
          [f.poolId, now],
        );
        if (r.rows.length !== 1) throw new Error("pool ran dry");
        await c.query(
          { name: "alloc", text: `insert into allocations (account_id, order_line_id, unit_index, pool_id, key_id, status, created_at, fulfilled_at) values ($1, $2, $3, $4, $5, 'allocated', $6, $6)` },
          [f.accountId, f.lineId, i, f.poolId, r.rows[0].id, now],
        );
        await c.query("commit");
      }
    };
    const t0 = performance.now();
    await Promise.all(conns.map(worker));
    const seconds = (performance.now() - t0) / 1000;
    const distinctKeys = Number((await conns[0].query("select count(distinct key_id) as n from allocations where status = 'allocated'")).rows[0].n);
    return { claims, seconds, claimsPerS: claims / seconds, clients, distinctKeys };
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}
