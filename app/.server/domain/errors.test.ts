import { describe, expect, it } from "vitest";
import { errorKindOf, IgnoredError, InvalidInputError, PermanentError, RetryableError } from "./errors.ts";

// The same file under another URL: a second, independent module instance.
const secondCopy: string = new URL("./errors.ts?second-copy", import.meta.url).href;

describe("error kinds", () => {
  it("classifies each kind and treats unknown errors as retryable", () => {
    expect(errorKindOf(new RetryableError("x", "m"))).toBe("retryable");
    expect(errorKindOf(new PermanentError("x", "m"))).toBe("permanent");
    expect(errorKindOf(new IgnoredError("x", "m"))).toBe("ignored");
    expect(errorKindOf(new InvalidInputError("x", "m", { field: "email" }))).toBe("invalid_input");
    expect(errorKindOf(new TypeError("boom"))).toBe("retryable");
  });
});

describe("errors across copies of the module", () => {
  it("are recognised by instanceof in another copy (the server bundle vs. the unbundled services), subclass by subclass", async () => {
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import("./errors.ts");
    const mine = await import("./errors.ts");
    expect(other.KeyrelayError).not.toBe(mine.KeyrelayError);
    const e = new other.RetryableError("x", "m", { retryAfterMs: 5 });
    expect(e instanceof mine.KeyrelayError).toBe(true);
    expect(e instanceof mine.RetryableError).toBe(true);
    expect(e instanceof mine.PermanentError).toBe(false);
    expect(mine.errorKindOf(new other.PermanentError("x", "m"))).toBe("permanent");
    expect(new mine.InvalidInputError("x", "m") instanceof other.InvalidInputError).toBe(true);
    expect(new TypeError("t") instanceof mine.KeyrelayError).toBe(false);
  });
});

describe("a subclass without its own tag", () => {
  it("matches only its own instances", async () => {
    const { KeyrelayError, InvalidInputError } = await import("./errors.ts");
    class TooMany extends InvalidInputError {}
    expect(new InvalidInputError("x", "m") instanceof TooMany).toBe(false);
    expect(new TooMany("x", "m") instanceof TooMany).toBe(true);
    expect(new TooMany("x", "m") instanceof InvalidInputError).toBe(true);
    expect(new TooMany("x", "m") instanceof KeyrelayError).toBe(true);
  });
});
