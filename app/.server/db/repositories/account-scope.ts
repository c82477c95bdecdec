import type { Kysely } from "kysely";
import type { Database, KeyState, Order, Pool, Store } from "../schema.ts";

/**
 * Reads on behalf of one account. Every query here carries `account_id = ?`: a route or use-case
 * holding an AccountScope cannot see another merchant's pools, keys, orders or stores, even by id.
 */
export interface KeySummary {
  id: number;
  poolId: string;
  batchId: string;
  state: KeyState;
  createdAt: string;
}

export class AccountScope {
  private readonly db: Kysely<Database>;
  readonly accountId: string;
  constructor(db: Kysely<Database>, accountId: string) {
    this.db = db;
    this.accountId = accountId;
  }

  listPools(opts: { includeArchived?: boolean } = {}): Promise<Pool[]> {
    let q = this.db.selectFrom("pools").selectAll().where("account_id", "=", this.accountId);
    if (!opts.includeArchived) q = q.where("archived_at", "is", null);
    return q.orderBy("name").execute();
  }

  getPool(id: string): Promise<Pool | undefined> {
    return this.db.selectFrom("pools").selectAll().where("account_id", "=", this.accountId).where("id", "=", id).executeTakeFirst();
  }

  async listKeys(opts: { poolId?: string; afterId?: number; limit?: number } = {}): Promise<KeySummary[]> {
    let q = this.db
      .selectFrom("keys")
      .select(["id", "pool_id", "batch_id", "state", "created_at"])
      .where("account_id", "=", this.accountId);
    if (opts.poolId) q = q.where("pool_id", "=", opts.poolId);
    if (opts.afterId) q = q.where("id", ">", opts.afterId);
    const rows = await q.orderBy("id").limit(opts.limit ?? 100).execute();
    return rows.map((r) => ({ id: Number(r.id), poolId: r.pool_id, batchId: r.batch_id, state: r.state, createdAt: r.created_at }));
  }

  async getKey(id: number): Promise<KeySummary | undefined> {
    const r = await this.db
      .selectFrom("keys")
      .select(["id", "pool_id", "batch_id", "state", "created_at"])
      .where("account_id", "=", this.accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    return r && { id: Number(r.id), poolId: r.pool_id, batchId: r.batch_id, state: r.state, createdAt: r.created_at };
  }

  listOrders(opts: { limit?: number } = {}): Promise<Order[]> {
    return this.db
      .selectFrom("orders")
      .selectAll()
      .where("account_id", "=", this.accountId)
      .orderBy("created_at", "desc")
      .limit(opts.limit ?? 50)
      .execute();
  }

  getOrder(id: string): Promise<Order | undefined> {
    return this.db.selectFrom("orders").selectAll().where("account_id", "=", this.accountId).where("id", "=", id).executeTakeFirst();
  }

  listStores(): Promise<Store[]> {
    return this.db.selectFrom("stores").selectAll().where("account_id", "=", this.accountId).orderBy("created_at").execute();
  }

  /** Counted through the account's pools, so the (pool, state) index serves it. */
  async keyCountsByState(): Promise<Partial<Record<KeyState, number>>> {
    const rows = await this.db
      .selectFrom("keys")
      .select((eb) => ["state", eb.fn.countAll<number>().as("n")])
      .where("pool_id", "in", (eb) => eb.selectFrom("pools").select("pools.id").where("pools.account_id", "=", this.accountId))
      .groupBy("state")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async countOrdersSince(since: string): Promise<number> {
    const r = await this.db
      .selectFrom("orders")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", this.accountId)
      .where("created_at", ">=", since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
