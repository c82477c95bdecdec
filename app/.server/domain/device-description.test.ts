import { describe, expect, it } from "vitest";
import { describeDevice } from "./device-description.ts";

describe("describeDevice", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.7444.59 Safari/537.36", "Chrome 142 · Linux"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari 17 · iOS"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 · Windows"],
    ["curl/8.5.0", "curl 8.5.0"],
    ["node", "node"],
  ])("%s → %s", (ua, expected) => {
    expect(describeDevice(ua)).toBe(expected);
  });

  it("is null without a User-Agent", () => {
    expect(describeDevice(null)).toBeNull();
    expect(describeDevice("   ")).toBeNull();
  });

  it("keeps at most 80 characters and no control characters", () => {
    const d = describeDevice(`evil\u001b[31m/${"x".repeat(500)}`)!;
    expect(d.length).toBeLessThanOrEqual(80);
    expect(d).not.toMatch(/[\x00-\x1f]/);
  });
});
