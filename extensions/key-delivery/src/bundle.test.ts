import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { buildExtension, SHOPIFY_BUNDLE_LIMIT } from "../../../scripts/build-extension.ts";

describe("the key-delivery extension bundle", () => {
  it("builds offline into one self-contained module under Shopify's 64 KB limit that registers both targets", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-extension-"));
    try {
      const result = await buildExtension({ outDir });
      expect(result.targets).toEqual(["purchase.thank-you.block.render", "customer-account.order-status.block.render"]);
      expect(result.bytes).toBeGreaterThan(1000);
      expect(result.bytes).toBeLessThan(SHOPIFY_BUNDLE_LIMIT);
      const code = fs.readFileSync(result.file, "utf8");
      // Everything bundled: no import left for Shopify's loader to resolve, no React.
      expect(code).not.toMatch(/\bimport\s*[{("'*]|\bfrom\s*["']/);
      expect(code).not.toMatch(/react-dom|__SECRET_INTERNALS/);
      expect(code).toContain("/api/buyer/orders/");
      // Evaluated as Shopify's worker would: each target is registered with a render function.
      const registered: Record<string, unknown> = {};
      vm.runInNewContext(code, { shopify: { extend: (target: string, fn: unknown) => (registered[target] = fn) } });
      expect(Object.keys(registered).sort()).toEqual(["customer-account.order-status.block.render", "purchase.thank-you.block.render"]);
      for (const fn of Object.values(registered)) expect(typeof fn).toBe("function");
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("has every locale key in Chinese as in English", () => {
    const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../locales");
    const keys = (o: Record<string, unknown>, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "object" && v ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
    const en = keys(JSON.parse(fs.readFileSync(path.join(dir, "en.default.json"), "utf8")));
    const zh = keys(JSON.parse(fs.readFileSync(path.join(dir, "zh-CN.json"), "utf8")));
    expect(zh.sort()).toEqual(en.sort());
    const source = ["key-delivery.tsx"].map((f) => fs.readFileSync(path.join(dir, "../src", f), "utf8")).join("\n");
    for (const used of source.matchAll(/\bt\("([a-zA-Z.]+)"/g)) expect(en.some((k) => k === used[1] || k.startsWith(`${used[1]}.`)), used[1]).toBe(true);
  });
});
