import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { SHOPIFY_API_VERSION } from "../api-version.ts";

/**
 * Shopify's real Admin GraphQL schema, from the introspection JSON that the npm package
 * @shopify/dev-mcp ships (dist/data/admin_<version>.json.gz; 1.16.0 has 2026-10).
 *
 * Test-only: it imports the devDependencies `graphql` and reads `@shopify/dev-mcp`, so nothing the
 * connector runs in production may import this file. The package's `exports` hide its data folder
 * from resolution, so the file is found by walking up to node_modules.
 */
const cache = new Map<string, GraphQLSchema>();

export function adminSchemaPath(version = SHOPIFY_API_VERSION): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "node_modules", "@shopify", "dev-mcp", "dist", "data", `admin_${version}.json.gz`);
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Shopify Admin schema ${version} not found: is @shopify/dev-mcp installed (npm ci)?`);
    dir = up;
  }
}

export function loadAdminSchema(version = SHOPIFY_API_VERSION): GraphQLSchema {
  let schema = cache.get(version);
  if (!schema) {
    const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(adminSchemaPath(version))).toString("utf8")) as { data: IntrospectionQuery };
    schema = buildClientSchema(json.data);
    cache.set(version, schema);
  }
  return schema;
}
