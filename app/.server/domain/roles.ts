import { InvalidInputError } from "./errors.ts";

/**
 * Who may do what: the one table every surface asks (admin pages and actions on both shells,
 * exports, the team page). The CLI acts as `owner` on the machine it runs on.
 *
 * - owner: everything, including the team and master-key rotation
 * - manager: pools, imports, mappings, stores' day-to-day settings, orders, risk review,
 *   reports, resellers; not the team, not key rotation, not moving stores between accounts
 * - support: orders (view, resend, re-run, review decisions); keys masked, a key revealed only
 *   within its order (audited); no export, no reveal from a pool's key list
 * - viewer: read-only, never a key in plaintext
 */

export const ROLES = ["owner", "manager", "support", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

/** Every permission with the roles that hold it. Adding a route means naming its permission here. */
export const PERMISSIONS = {
  "dashboard.view": ["owner", "manager", "support", "viewer"],
  "pools.view": ["owner", "manager", "support", "viewer"],
  "pools.manage": ["owner", "manager"],
  "imports.run": ["owner", "manager"],
  /** Look a key up by its code (answers its id and state, never the code). */
  "keys.find": ["owner", "manager", "support"],
  /** Reveal a key from a pool's key list. */
  "keys.reveal": ["owner", "manager"],
  /** Reveal a key on the page of the order it was delivered in. */
  "keys.reveal_in_order": ["owner", "manager", "support"],
  /** CSV export, masked or plaintext. */
  "keys.export": ["owner", "manager"],
  "keys.rotate_master": ["owner"],
  "mappings.view": ["owner", "manager", "support", "viewer"],
  "mappings.manage": ["owner", "manager"],
  "stores.view": ["owner", "manager", "support", "viewer"],
  /** Connect a store, its settings, its stock location. */
  "stores.manage": ["owner", "manager"],
  /** Link codes, linking a store into another account, splitting one off: moves stores and orders between accounts. */
  "stores.link": ["owner"],
  "orders.view": ["owner", "manager", "support", "viewer"],
  "orders.resend": ["owner", "manager", "support"],
  /** Re-read an order from its store, retry its failed delivery job. */
  "orders.rerun": ["owner", "manager", "support"],
  "orders.revoke": ["owner", "manager"],
  "reviews.decide": ["owner", "manager", "support"],
  /** Change the risk rules and the allow / block lists, back-test a rule (what holds or blocks orders). */
  "risk.manage": ["owner", "manager"],
  "reports.view": ["owner", "manager", "viewer"],
  "resellers.manage": ["owner", "manager"],
  /** Read and export the audit log (who did what, when, from where). */
  "audit.view": ["owner", "manager"],
  "settings.manage": ["owner"],
  "team.manage": ["owner"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** The permissions a role holds (the UI hides the rest; the server refuses them). */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSION_NAMES.filter((p) => can(role, p));
}

/** A refusal of these is written to the audit log: someone tried to read keys or run the account. */
export const AUDITED_REFUSALS: ReadonlySet<Permission> = new Set<Permission>([
  "keys.export",
  "keys.reveal",
  "keys.reveal_in_order",
  "keys.rotate_master",
  "team.manage",
  "settings.manage",
  "stores.link",
]);

/** Thrown when a signed-in member asks for what their role does not allow (403). */
export class ForbiddenError extends InvalidInputError {
  static override readonly tag: string = "ForbiddenError";
  readonly permission: Permission;
  readonly role: Role;
  constructor(role: Role, permission: Permission) {
    super("forbidden", `The ${role} role may not ${permission}.`, { params: { role, permission } });
    this.permission = permission;
    this.role = role;
  }
}

/** Throws ForbiddenError unless `role` holds `permission`. */
export function requirePermission(role: Role, permission: Permission): void {
  if (!can(role, permission)) throw new ForbiddenError(role, permission);
}

/**
 * The role of a Shopify staff member keyrelay sees for the first time in an account (Shopify does
 * not say who the shop owner is). With an owner already: support, until an owner decides. Without
 * one, in an account created after roles existed: owner — on a fresh install the first to open the
 * app is the person who installed it. Without one, in an account from before roles (every staff
 * member could do everything and any of them may be first after the upgrade): manager, what they
 * effectively had minus the team and key rotation, so nobody is locked out of their own shop and
 * nobody at random becomes its only owner; an owner is named with `team set-role`.
 */
export function firstStaffRole(account: { owners: number; predatesRoles: boolean }): Role {
  if (account.owners > 0) return "support";
  return account.predatesRoles ? "manager" : "owner";
}

/** An owner-count question a team change must answer before it happens. */
export interface OwnerChange {
  /** The member's role now. */
  from: Role;
  /** Their role after the change; null when they are removed. */
  to: Role | null;
  /** Owners of the account now (standalone logins and embedded Shopify staff alike). */
  owners: number;
}

/**
 * The last owner stays: an account nobody may run the team of is locked out of itself. One rule for
 * the team page, `team remove` and `admin remove`.
 */
export function assertOwnerRemains(change: OwnerChange, subject: string): void {
  if (change.from === "owner" && change.to !== "owner" && change.owners <= 1) {
    throw new InvalidInputError("team_last_owner", `${subject} is the account's last owner; make someone else owner first.`, {
      field: change.to === null ? "member" : "role",
      params: { member: subject },
    });
  }
}

/**
 * Who may give whom which role: only a holder of team.manage (owners), and never a role above
 * their own (there is none above owner, so this is for any future role between). A member's own
 * role is not theirs to raise.
 */
export function assertMayAssignRole(actor: { role: Role; self: boolean }, target: { from: Role | null; to: Role }): void {
  requirePermission(actor.role, "team.manage");
  if (actor.self && target.from !== null && rank(target.to) > rank(target.from)) {
    throw new ForbiddenError(actor.role, "team.manage");
  }
  if (rank(target.to) > rank(actor.role)) throw new ForbiddenError(actor.role, "team.manage");
}

function rank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}

/** Parses a role from a form or a flag: a clear error naming the field, never a default. */
export function parseRole(v: unknown, field = "role"): Role {
  if (isRole(v)) return v;
  throw new InvalidInputError("team_role_invalid", `role must be one of ${ROLES.join(", ")}`, { field, params: { roles: ROLES.join(", ") } });
}

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export function invitationState(inv: { accepted_at: string | null; revoked_at: string | null; expires_at: string }, now: Date): InvitationState {
  if (inv.accepted_at) return "accepted";
  if (inv.revoked_at) return "revoked";
  if (Date.parse(inv.expires_at) <= now.getTime()) return "expired";
  return "pending";
}
