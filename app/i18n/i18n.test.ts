import { describe, expect, it } from "vitest";
import { catalogs, createI18n, formatMoney, negotiateLocale, SUPPORTED_LOCALES } from "./i18n.ts";

/** Flattens a catalog to its keys, with plural suffixes folded (zh has only _other). */
function keysOf(obj: Record<string, unknown>, prefix = ""): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object") for (const sub of keysOf(v as Record<string, unknown>, key)) out.add(sub);
    else out.add(key.replace(/_(zero|one|two|few|many|other)$/, ""));
  }
  return out;
}

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
}

function leaves(obj: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object") for (const [a, b] of leaves(v as Record<string, unknown>, key)) out.set(a, b);
    else out.set(key, String(v));
  }
  return out;
}

describe("message catalogs", () => {
  const en = keysOf(catalogs.en);
  for (const locale of SUPPORTED_LOCALES) {
    it(`${locale} has exactly the keys of en`, () => {
      const other = keysOf(catalogs[locale]);
      expect([...en].filter((k) => !other.has(k)), "missing in " + locale).toEqual([]);
      expect([...other].filter((k) => !en.has(k)), "extra in " + locale).toEqual([]);
    });

    it(`${locale} uses the same placeholders as en`, () => {
      const enLeaves = leaves(catalogs.en);
      const byBase = new Map<string, string[]>();
      for (const [k, v] of enLeaves) byBase.set(k.replace(/_(one|other)$/, ""), placeholders(v));
      for (const [k, v] of leaves(catalogs[locale])) {
        const base = k.replace(/_(one|other)$/, "");
        expect(placeholders(v), `${locale}:${k}`).toEqual(byBase.get(base));
      }
    });
  }

  it("pluralises in English and keeps one form in Chinese", () => {
    expect(createI18n("en").t("dashboard.jobs.summary", { count: 1 })).toBe("1 job waiting");
    expect(createI18n("en").t("dashboard.jobs.summary", { count: 3 })).toBe("3 jobs waiting");
    expect(createI18n("zh-CN").t("dashboard.jobs.summary", { count: 1 })).toBe("1 个任务排队中");
    expect(createI18n("zh-CN").t("dashboard.stats.available")).toBe("卡密库存");
  });
});

describe("locale negotiation", () => {
  it("picks by quality and maps Chinese variants", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale("fr-FR,en-GB;q=0.7")).toBe("en");
    expect(negotiateLocale("en;q=0.5,zh-Hans-CN;q=0.9")).toBe("zh-CN");
    expect(negotiateLocale("zh-TW")).toBeUndefined();
    expect(negotiateLocale("")).toBeUndefined();
  });

  it("formats money for the locale and currency", () => {
    expect(formatMoney("en", 12345, "USD")).toBe("$123.45");
    expect(formatMoney("zh-CN", 12345, "CNY")).toBe("¥123.45");
    expect(formatMoney("en", 500, "JPY")).toBe("¥500");
  });
});
