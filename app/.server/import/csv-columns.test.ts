import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../domain/errors.ts";
import { planColumns } from "./csv-columns.ts";

function missing(header: string[], map: Record<string, string>): unknown {
  try {
    planColumns(header, map);
  } catch (error) {
    return error;
  }
  return null;
}

describe("planColumns", () => {
  it("maps targets to header positions: code, extras, cost and expiry", () => {
    expect(planColumns(["Serial", "PIN", "Cost", "Expires", "Note"], { code: "Serial", pin: "PIN", cost: "Cost", expiry: "Expires" })).toEqual({
      code: 0,
      fields: [{ name: "pin", index: 1 }],
      cost: 2,
      expiry: 3,
    });
  });

  it("matches a mapped header exactly first, else case-insensitively, ignoring surrounding spaces", () => {
    expect(planColumns(["pin", "PIN", "serial"], { code: " SERIAL ", pin: "PIN" })).toEqual({ code: 2, fields: [{ name: "pin", index: 1 }] });
    expect(planColumns(["Pin", "serial"], { pin: "PIN" })).toEqual({ code: 1, fields: [{ name: "pin", index: 0 }] });
  });

  it("finds the default code column by name, else uses the first column", () => {
    expect(planColumns(["No", "卡号", "密码"], { pwd: "密码" }).code).toBe(1);
    expect(planColumns(["id", "KEY"], {}).code).toBe(1);
    expect(planColumns(["a", "b"], {}).code).toBe(0);
  });

  it("without a map keeps every other column as an extra field named by its header", () => {
    expect(planColumns(["序号", "卡号", "密码", "", "密码"], undefined)).toEqual({
      code: 1,
      fields: [
        { name: "序号", index: 0 },
        { name: "密码", index: 2 },
        { name: "column_4", index: 3 },
        { name: "密码_5", index: 4 },
      ],
    });
  });

  it("refuses a mapped header that is not there, naming it", () => {
    for (const [header, map, column] of [
      [["Serial", "PIN"], { code: "Code" }, "Code"],
      [["Serial", "PIN"], { code: "Serial", pin: "Password" }, "Password"],
      [["Serial", "PIN"], { cost: "Cost" }, "Cost"],
      [["Serial", ""], { pin: "" }, ""],
    ] as const) {
      const error = missing([...header], map);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: "csv_missing_column", kind: "invalid_input", params: { column } });
    }
  });
});
