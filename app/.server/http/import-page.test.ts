import { describe, expect, it } from "vitest";
import { columnMap, importFormOptions } from "./import-page.ts";

const options = (fields: Record<string, string>) => importFormOptions(new URLSearchParams(fields));

describe("import form options", () => {
  it("reads the form, defaulting format and encoding to automatic and the currency to the pool's", () => {
    const o = importFormOptions(new URLSearchParams({ format: "exe", encoding: "latin1", cost: " 1.25 " }), { currency: "CNY" });
    expect(o).toMatchObject({ format: "auto", encoding: "auto", cost: "1.25", currency: "CNY" });
    expect(options({ format: "csv", encoding: "gb18030", currency: "usd" })).toMatchObject({ format: "csv", encoding: "gb18030", currency: "USD" });
  });

  it("builds the CSV column map only when a column is named", () => {
    expect(columnMap(options({}))).toBeUndefined();
    expect(columnMap(options({ codeColumn: "Serial", extraFields: "pin=PIN, password = Pass，note", costColumn: "Cost" }))).toEqual({
      code: "Serial",
      cost: "Cost",
      pin: "PIN",
      password: "Pass",
      note: "note",
    });
  });

  it("refuses an extra field it cannot read, naming the entry", () => {
    expect(() => columnMap(options({ extraFields: "=PIN" }))).toThrow(expect.objectContaining({ code: "bad_map", field: "extraFields" }));
    expect(() => columnMap(options({ extraFields: "code=Other" }))).toThrow(expect.objectContaining({ code: "bad_map" }));
    expect(() => columnMap(options({ extraFields: "pin=PIN, pin=PIN2" }))).toThrow(expect.objectContaining({ code: "bad_map", params: { entry: "pin=PIN2" } }));
  });
});
