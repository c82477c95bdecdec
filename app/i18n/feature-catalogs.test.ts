import { describe, expect, it } from "vitest";
import { mergeCatalogs } from "./feature-catalogs.ts";

describe("mergeCatalogs", () => {
  it("merges nested namespaces from several catalogs", () => {
    const merged = mergeCatalogs({ errors: { a: "A" }, nav: { x: "X" } }, [{ errors: { b: "B" } }, { risk: { t: "T" } }]);
    expect(merged).toEqual({ errors: { a: "A", b: "B" }, nav: { x: "X" }, risk: { t: "T" } });
  });

  it("refuses a key defined twice, naming it", () => {
    expect(() => mergeCatalogs({ errors: { a: "A" } }, [{ errors: { a: "again" } }])).toThrow("errors.a");
    expect(() => mergeCatalogs({ nav: { x: "X" } }, [{ nav: "flat" }])).toThrow("nav");
  });

  it("leaves the base catalog untouched", () => {
    const base = { errors: { a: "A" } };
    mergeCatalogs(base, [{ errors: { b: "B" } }]);
    expect(base).toEqual({ errors: { a: "A" } });
  });
});
