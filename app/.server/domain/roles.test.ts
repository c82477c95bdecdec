import { describe, expect, it } from "vitest";
import { assertMayAssignRole, assertOwnerRemains, can, firstStaffRole, ForbiddenError, invitationState, parseRole, PERMISSION_NAMES, PERMISSIONS, ROLES } from "./roles.ts";

describe("roles", () => {
  it("owner holds every permission; viewer only views", () => {
    for (const p of PERMISSION_NAMES) expect(can("owner", p)).toBe(true);
    expect(PERMISSION_NAMES.filter((p) => can("viewer", p)).every((p) => p.endsWith(".view"))).toBe(true);
  });

  it("says what the issue says of each role", () => {
    expect(can("manager", "team.manage")).toBe(false);
    expect(can("manager", "keys.rotate_master")).toBe(false);
    expect(can("manager", "keys.export")).toBe(true);
    expect(can("support", "keys.export")).toBe(false);
    expect(can("support", "keys.reveal")).toBe(false);
    expect(can("support", "keys.reveal_in_order")).toBe(true);
    expect(can("support", "orders.resend")).toBe(true);
    expect(can("support", "orders.rerun")).toBe(true);
    expect(can("support", "reviews.decide")).toBe(true);
    expect(can("viewer", "keys.reveal_in_order")).toBe(false);
    expect(can("viewer", "orders.resend")).toBe(false);
  });

  it("every role listed for a permission is a real role", () => {
    for (const roles of Object.values(PERMISSIONS)) for (const r of roles) expect(ROLES).toContain(r);
  });

  it("refuses removing or demoting the last owner, allows it when another owner is left", () => {
    expect(() => assertOwnerRemains({ from: "owner", to: null, owners: 1 }, "a@b.co")).toThrow(expect.objectContaining({ code: "team_last_owner" }));
    expect(() => assertOwnerRemains({ from: "owner", to: "manager", owners: 1 }, "a@b.co")).toThrow(expect.objectContaining({ code: "team_last_owner", field: "role" }));
    expect(() => assertOwnerRemains({ from: "owner", to: null, owners: 2 }, "a@b.co")).not.toThrow();
    expect(() => assertOwnerRemains({ from: "manager", to: null, owners: 1 }, "a@b.co")).not.toThrow();
    expect(() => assertOwnerRemains({ from: "owner", to: "owner", owners: 1 }, "a@b.co")).not.toThrow();
  });

  it("only owners assign roles; nobody raises their own", () => {
    for (const role of ["manager", "support", "viewer"] as const) {
      expect(() => assertMayAssignRole({ role, self: true }, { from: role, to: "owner" })).toThrow(ForbiddenError);
      expect(() => assertMayAssignRole({ role, self: false }, { from: "viewer", to: "support" })).toThrow(ForbiddenError);
    }
    expect(() => assertMayAssignRole({ role: "owner", self: false }, { from: "viewer", to: "owner" })).not.toThrow();
    expect(() => assertMayAssignRole({ role: "owner", self: true }, { from: "owner", to: "manager" })).not.toThrow();
  });

  it("parses a role or refuses naming the field", () => {
    expect(parseRole("support")).toBe("support");
    for (const bad of ["staff", "Owner", "", undefined, "admin"]) expect(() => parseRole(bad)).toThrow(expect.objectContaining({ code: "team_role_invalid", field: "role" }));
  });

  it("an invitation is pending until accepted, revoked or past its deadline", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const base = { accepted_at: null, revoked_at: null, expires_at: "2026-01-01T00:00:01Z" };
    expect(invitationState(base, now)).toBe("pending");
    expect(invitationState({ ...base, expires_at: "2026-01-01T00:00:00Z" }, now)).toBe("expired");
    expect(invitationState({ ...base, accepted_at: "x" }, now)).toBe("accepted");
    expect(invitationState({ ...base, revoked_at: "x" }, now)).toBe("revoked");
  });

  it("a first-seen Shopify staff member: support beside an owner; owner of a new account without one; manager of an account from before roles", () => {
    expect(firstStaffRole({ owners: 1, predatesRoles: false })).toBe("support");
    expect(firstStaffRole({ owners: 1, predatesRoles: true })).toBe("support");
    expect(firstStaffRole({ owners: 0, predatesRoles: false })).toBe("owner");
    expect(firstStaffRole({ owners: 0, predatesRoles: true })).toBe("manager");
  });
});
