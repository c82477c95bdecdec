import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/config.ts";
import { SHOPIFY_API_VERSION } from "./api-version.ts";

const toml = fs.readFileSync(new URL("../../shopify.app.toml", import.meta.url), "utf8");
const routes = fs.readFileSync(new URL("../../app/routes.ts", import.meta.url), "utf8");

describe("shopify.app.toml", () => {
  it("declares the API version the code uses", () => {
    expect(toml).toContain(`api_version = "${SHOPIFY_API_VERSION}"`);
  });

  it("subscribes to every topic keyrelay handles, at a route that exists", () => {
    for (const topic of ["orders/paid", "orders/cancelled", "refunds/create", "orders/risk_assessment_changed", "disputes/create", "app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"]) {
      expect(toml).toContain(`"${topic}"`);
    }
    const uris = [...toml.matchAll(/uri = "([^"]+)"/g)].map((m) => m[1]);
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) expect(routes).toContain(`route("${uri.slice(1)}"`);
  });

  it("asks for the same scopes the server is configured with by default", () => {
    const scopes = /scopes = "([^"]+)"/.exec(toml)![1].split(",");
    expect(scopes.sort()).toEqual(loadConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://x.example" }).shopify!.scopes.sort());
  });
});
