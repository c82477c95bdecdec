import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { Kysely, Selectable } from "kysely";
import type { KeyCipher } from "../../crypto/key-cipher.ts";
import type { Database, ShopifySessionsTable } from "../schema.ts";

/**
 * Shopify's SessionStorage on our own Kysely database (SQLite or Postgres). Access and refresh
 * tokens are sealed with the master key (bound to the session id): a database dump does not hand
 * out write access to every shop.
 */
export class KyselySessionStorage implements SessionStorage {
  private readonly db: Kysely<Database>;
  private readonly cipher: KeyCipher;
  constructor(db: Kysely<Database>, cipher: KeyCipher) {
    this.db = db;
    this.cipher = cipher;
  }

  private seal(id: string, token: string | undefined): string | null {
    if (!token) return null;
    const s = this.cipher.seal(token, `shopify-session:${id}`);
    return `v1:${s.keyId}:${s.ciphertext.toString("base64")}`;
  }

  private open(id: string, stored: string | null): string | undefined {
    if (!stored) return undefined;
    const [version, keyId, data] = stored.split(":");
    if (version !== "v1" || !keyId || !data) return undefined;
    return this.cipher.openString({ keyId, ciphertext: Buffer.from(data, "base64") }, `shopify-session:${id}`);
  }

  async storeSession(session: Session): Promise<boolean> {
    const row = { ...toRow(session), access_token: this.seal(session.id, session.accessToken), refresh_token: this.seal(session.id, session.refreshToken) };
    await this.db
      .insertInto("shopify_sessions")
      .values(row)
      .onConflict((oc) => oc.column("id").doUpdateSet(row))
      .execute();
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.db.selectFrom("shopify_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? this.fromStored(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.db.deleteFrom("shopify_sessions").where("id", "=", id).execute();
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    if (ids.length) await this.db.deleteFrom("shopify_sessions").where("id", "in", ids).execute();
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.db.selectFrom("shopify_sessions").selectAll().where("shop", "=", shop).execute();
    return rows.map((r) => this.fromStored(r));
  }

  private fromStored(row: Selectable<ShopifySessionsTable>): Session {
    const session = fromRow(row);
    session.accessToken = this.open(row.id, row.access_token);
    session.refreshToken = this.open(row.id, row.refresh_token);
    return session;
  }
}

const flag = (v: boolean | undefined | null) => (v == null ? null : v ? (1 as const) : (0 as const));

function toRow(s: Session): ShopifySessionsTable {
  const u = s.onlineAccessInfo?.associated_user;
  return {
    id: s.id,
    shop: s.shop,
    state: s.state,
    is_online: s.isOnline ? 1 : 0,
    scope: s.scope ?? null,
    expires: s.expires ? s.expires.getTime() : null,
    access_token: s.accessToken ?? null,
    refresh_token: s.refreshToken ?? null,
    refresh_token_expires: s.refreshTokenExpires ? s.refreshTokenExpires.getTime() : null,
    user_id: u?.id != null ? String(u.id) : null,
    first_name: u?.first_name ?? null,
    last_name: u?.last_name ?? null,
    email: u?.email ?? null,
    account_owner: flag(u?.account_owner),
    locale: u?.locale ?? null,
    collaborator: flag(u?.collaborator),
    email_verified: flag(u?.email_verified),
  };
}

function fromRow(r: Selectable<ShopifySessionsTable>): Session {
  const session = new Session({ id: r.id, shop: r.shop, state: r.state, isOnline: r.is_online === 1 });
  session.scope = r.scope ?? undefined;
  session.expires = r.expires != null ? new Date(Number(r.expires)) : undefined;
  session.accessToken = r.access_token ?? undefined;
  session.refreshToken = r.refresh_token ?? undefined;
  session.refreshTokenExpires = r.refresh_token_expires != null ? new Date(Number(r.refresh_token_expires)) : undefined;
  if (r.user_id) {
    session.onlineAccessInfo = {
      expires_in: 0,
      associated_user_scope: r.scope ?? "",
      associated_user: {
        id: Number(r.user_id),
        first_name: r.first_name ?? "",
        last_name: r.last_name ?? "",
        email: r.email ?? "",
        account_owner: r.account_owner === 1,
        locale: r.locale ?? "",
        collaborator: r.collaborator === 1,
        email_verified: r.email_verified === 1,
      },
    } as Session["onlineAccessInfo"];
  }
  return session;
}
