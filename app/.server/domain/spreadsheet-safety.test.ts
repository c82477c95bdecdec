import { describe, expect, it } from "vitest";
import { csvLine, neutraliseCell } from "./spreadsheet-safety.ts";

describe("spreadsheet formula injection", () => {
  it("neutralises every dangerous first character and leaves the rest", () => {
    for (const bad of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]) expect(neutraliseCell(bad)).toBe(`'${bad}`);
    expect(neutraliseCell("ABCD-1234")).toBe("ABCD-1234");
    expect(neutraliseCell("a=b")).toBe("a=b");
  });

  it("quotes cells with commas, quotes and newlines after neutralising", () => {
    expect(csvLine(["=HYPERLINK(\"x\")", "a,b", 'say "hi"', null, 5])).toBe(`"'=HYPERLINK(""x"")","a,b","say ""hi""",,5`);
  });
});
