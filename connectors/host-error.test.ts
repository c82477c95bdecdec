import { describe, expect, it } from "vitest";
import { HostError, isHostError } from "./host-error.ts";

// The same file under another URL: a second, independent module instance.
const secondCopy: string = new URL("./host-error.ts?second-copy", import.meta.url).href;

describe("HostError", () => {
  it("is recognised across copies of the module (connectors loaded outside the route bundle)", async () => {
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import("./host-error.ts");
    expect(other.HostError).not.toBe(HostError);
    const e = new other.HostError("unauthorized", "keys revoked", { status: 401 });
    expect(isHostError(e)).toBe(true);
    expect(e instanceof HostError).toBe(true);
    expect(isHostError(new Error("plain"))).toBe(false);
  });
});
