import { describe, expect, it } from "vitest";
import { localDay, parseSetting, parseSettingKey, parseSettingsPatch, settingsDiff, type AccountSettings } from "./account-settings.ts";
import { InvalidInputError } from "./errors.ts";

function refusal(f: () => unknown): { code: string; field?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error("accepted");
}

describe("account settings", () => {
  it("takes IANA zones (and UTC), refuses made-up ones naming the key", () => {
    expect(parseSetting("account.timezone", "Asia/Shanghai")).toBe("Asia/Shanghai");
    expect(parseSetting("account.timezone", " UTC ")).toBe("UTC");
    expect(refusal(() => parseSetting("account.timezone", "Mars/Olympus_Mons"))).toEqual({ code: "settings_timezone_invalid", field: "account.timezone" });
    expect(refusal(() => parseSetting("account.timezone", "+08:00")).code).toBe("settings_timezone_invalid");
  });

  it("takes ISO 4217 currencies in any case, refuses three letters that are none", () => {
    expect(parseSetting("account.currency", "cny")).toBe("CNY");
    expect(refusal(() => parseSetting("account.currency", "ABC"))).toEqual({ code: "settings_currency_invalid", field: "account.currency" });
    expect(refusal(() => parseSetting("account.currency", "US")).code).toBe("settings_currency_invalid");
  });

  it("takes en and zh-CN only", () => {
    expect(parseSetting("account.language", "zh-CN")).toBe("zh-CN");
    expect(refusal(() => parseSetting("account.language", "fr")).code).toBe("settings_language_invalid");
  });

  it("refuses CR/LF in the sender name and the reply-to (header injection)", () => {
    expect(parseSetting("email.sender_name", "  Key Shop 卡密商店 ")).toBe("Key Shop 卡密商店");
    expect(refusal(() => parseSetting("email.sender_name", "Shop\r\nBcc: victim@example.com"))).toEqual({ code: "settings_sender_control", field: "email.sender_name" });
    expect(refusal(() => parseSetting("email.sender_name", "Shop\nX"))).toEqual({ code: "settings_sender_control", field: "email.sender_name" });
    expect(refusal(() => parseSetting("email.sender_name", "x".repeat(101))).code).toBe("settings_sender_too_long");
    expect(parseSetting("email.reply_to", "Help@Shop.example")).toBe("help@shop.example");
    expect(refusal(() => parseSetting("email.reply_to", "help@shop.example\r\nBcc: a@b.example"))).toEqual({ code: "settings_email_control", field: "email.reply_to" });
    expect(refusal(() => parseSetting("email.reply_to", "not an address")).code).toBe("settings_email_invalid");
  });

  it("clears the optional ones with an empty value", () => {
    expect(parseSetting("email.sender_name", "   ")).toBeNull();
    expect(parseSetting("email.reply_to", "")).toBeNull();
    expect(parseSetting("low_stock.alert_email", "")).toBeNull();
    expect(refusal(() => parseSetting("account.name", " ")).code).toBe("settings_name_required");
  });

  it("takes non-negative whole thresholds only", () => {
    expect(parseSetting("low_stock.threshold", "25")).toBe(25);
    expect(parseSetting("low_stock.threshold", 0)).toBe(0);
    for (const bad of ["-1", "1.5", "ten", "", 10_000_001]) expect(refusal(() => parseSetting("low_stock.threshold", bad)).code).toBe("settings_threshold_invalid");
  });

  it("the wait for the host's risk is 1 to 1440 whole minutes; the fallback is review or allow", () => {
    expect(parseSetting("risk.host_wait_minutes", "10")).toBe(10);
    expect(parseSetting("risk.host_wait_minutes", 1440)).toBe(1440);
    for (const bad of ["0", "-5", "2.5", "", 1441]) expect(refusal(() => parseSetting("risk.host_wait_minutes", bad)).code).toBe("settings_host_wait_invalid");
    expect(parseSetting("risk.host_fallback", "allow")).toBe("allow");
    expect(refusal(() => parseSetting("risk.host_fallback", "block")).code).toBe("settings_host_fallback_invalid");
  });

  it("refuses unknown keys, and a patch with one bad value as a whole", () => {
    expect(refusal(() => parseSettingKey("account.owner")).code).toBe("settings_key_unknown");
    expect(refusal(() => parseSettingsPatch({ "account.name": "Fine", "account.currency": "XYZ" })).field).toBe("account.currency");
  });

  it("diffs only what changed", () => {
    const before = { "account.name": "A", "account.timezone": "UTC", "low_stock.threshold": 0 } as AccountSettings;
    expect(settingsDiff(before, { "account.name": "A", "low_stock.threshold": 5 })).toEqual({ "low_stock.threshold": { before: 0, after: 5 } });
  });

  it("puts an instant on the account's calendar day", () => {
    const at = new Date("2025-03-01T20:30:00Z");
    expect(localDay(at, "UTC")).toBe("2025-03-01");
    expect(localDay(at, "Asia/Shanghai")).toBe("2025-03-02");
    expect(localDay(new Date("2025-03-01T03:00:00Z"), "America/Los_Angeles")).toBe("2025-02-28");
  });
});
