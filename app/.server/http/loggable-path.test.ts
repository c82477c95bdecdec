import { describe, expect, it } from "vitest";
import { loggablePath } from "./loggable-path.ts";

describe("loggablePath", () => {
  it("hides the token of a key page and of an invitation", () => {
    expect(loggablePath("/k/3q2-secret_TOKEN")).toBe("/k/:token");
    expect(loggablePath("/invite/abcDEF123456")).toBe("/invite/:token");
    expect(loggablePath("/invite/abcDEF123456/accept")).toBe("/invite/:token/accept");
    expect(loggablePath("/reset-password/abcDEF123456")).toBe("/reset-password/:token");
    expect(loggablePath("/portal/invite/abcDEF123456")).toBe("/portal/invite/:token");
    expect(loggablePath("/portal/invite/abcDEF123456.data")).toBe("/portal/invite/:token");
  });

  it("leaves other paths as they are", () => {
    expect(loggablePath("/admin/pools/7")).toBe("/admin/pools/7");
    expect(loggablePath("/kiosk/1")).toBe("/kiosk/1");
    expect(loggablePath("/admin/invite/1")).toBe("/admin/invite/1");
    expect(loggablePath("/portal/orders/1")).toBe("/portal/orders/1");
  });
});
