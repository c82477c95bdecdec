import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../api-version.ts";
import { adminSchemaPath, loadAdminSchema } from "./admin-schema.ts";
import { SHOPIFY_DOCUMENTS } from "./documents.ts";
import { MAX_SINGLE_QUERY_COST, requestedQueryCost } from "./query-cost.ts";
import { validateShopifyDocument } from "./validate-document.ts";

const schema = loadAdminSchema();

function errorsOf(source: string): string[] {
  return validateShopifyDocument(schema, parse(source)).map((e) => e.message);
}

describe(`GraphQL documents against Shopify's Admin schema ${SHOPIFY_API_VERSION}`, () => {
  it("loads the schema of the version the app declares", () => {
    expect(adminSchemaPath()).toContain(`admin_${SHOPIFY_API_VERSION}.json.gz`);
    expect(schema.getQueryType()?.getFields().order).toBeDefined();
  });

  it("lists every document file in graphql/", async () => {
    const fs = await import("node:fs");
    const files = fs.readdirSync(new URL(".", import.meta.url)).filter((f) => /-(query|mutation)\.ts$/.test(f));
    expect(Object.keys(SHOPIFY_DOCUMENTS).length).toBe(files.length);
  });

  for (const [name, { source, cost }] of Object.entries(SHOPIFY_DOCUMENTS)) {
    it(`${name} is valid`, () => {
      expect(errorsOf(source)).toEqual([]);
    });

    it(`${name} costs what the client paces it by, under Shopify's single-query limit`, () => {
      const computed = requestedQueryCost(schema, parse(source), { ids: Array(50).fill("gid://shopify/ProductVariant/1") });
      expect(computed).toBe(cost);
      expect(computed).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
    });
  }

  it("rejects what Shopify would reject (the check can fail)", () => {
    expect(errorsOf(`query { order(id: "gid://shopify/Order/1") { id deliveredKeys } }`)[0]).toMatch(/deliveredKeys/);
    expect(errorsOf(`query { order(id: "gid://shopify/Order/1") { lineItems { nodes { id } } } }`)[0]).toMatch(/first or last/);
    expect(errorsOf(`mutation { orderUpdate(input: { id: "gid://shopify/Order/1", notes: "x" }) { userErrors { message } } }`)[0]).toMatch(/notes/);
    // The card's last four digits are only in the masked number: Shopify has no last4 field.
    expect(errorsOf(`query { order(id: "gid://shopify/Order/1") { transactions(first: 1) { paymentDetails { ... on CardPaymentDetails { bin last4 } } } } }`)[0]).toMatch(/last4/);
  });

  it("prices connections like Shopify (2 + first × node)", () => {
    expect(requestedQueryCost(schema, parse(`query { products(first: 10) { nodes { id title } } }`))).toBe(2 + 10 * 1);
    expect(requestedQueryCost(schema, parse(`mutation { orderUpdate(input: { id: "x" }) { userErrors { message } } }`))).toBe(10);
  });
});
