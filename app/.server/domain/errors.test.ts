import { describe, expect, it } from "vitest";
import { errorKindOf, IgnoredError, InvalidInputError, PermanentError, RetryableError } from "./errors.ts";

describe("error kinds", () => {
  it("classifies each kind and treats unknown errors as retryable", () => {
    expect(errorKindOf(new RetryableError("x", "m"))).toBe("retryable");
    expect(errorKindOf(new PermanentError("x", "m"))).toBe("permanent");
    expect(errorKindOf(new IgnoredError("x", "m"))).toBe("ignored");
    expect(errorKindOf(new InvalidInputError("x", "m", { field: "email" }))).toBe("invalid_input");
    expect(errorKindOf(new TypeError("boom"))).toBe("retryable");
  });
});
