import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Points the checkout extension at this keyrelay server before `shopify app deploy`: writes
 * SHOPIFY_APP_URL (or the first argument) into extensions/key-delivery/src/backend-url.ts, which
 * Shopify bundles with the extension.
 *
 *   SHOPIFY_APP_URL=https://keys.example.com npm run extension:configure
 */
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../extensions/key-delivery/src/backend-url.ts");
const raw = process.argv[2] ?? process.env.SHOPIFY_APP_URL ?? "";
let url: URL;
try {
  url = new URL(raw);
} catch {
  console.error("usage: SHOPIFY_APP_URL=https://keys.example.com npm run extension:configure");
  process.exit(2);
}
if (url.protocol !== "https:") {
  console.error("the app URL must be https:// (Shopify's checkout only calls secure origins)");
  process.exit(2);
}
const origin = url.origin;
const source = fs.readFileSync(file, "utf8").replace(/export const BACKEND_URL = ".*";/, `export const BACKEND_URL = ${JSON.stringify(origin)};`);
fs.writeFileSync(file, source);
console.log(`extensions/key-delivery will call ${origin}`);
