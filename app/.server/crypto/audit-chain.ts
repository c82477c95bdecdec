import { createHash } from "node:crypto";

/**
 * The audit chain's hash (issue 16): sha256 over the previous hash and the row's canonical fields
 * (a JSON array in a fixed order, the time as an ISO instant so SQLite text and Postgres
 * timestamptz hash alike). The first row of an account chains onto GENESIS.
 */

export const GENESIS = "0".repeat(64);

export interface ChainRow {
  id: number;
  account_id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: string | null;
  ip: string | null;
  created_at: string | Date;
}

export function canonicalRow(r: ChainRow): string {
  return JSON.stringify([Number(r.id), r.account_id, r.actor_type, r.actor_id, r.action, r.subject_type, r.subject_id, r.details, r.ip, new Date(r.created_at).toISOString()]);
}

export function rowHash(prevHash: string, r: ChainRow): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalRow(r)).digest("hex");
}
