/**
 * Where keyrelay runs: the same public URL as SHOPIFY_APP_URL. Shopify builds the extension from
 * this source, so the URL is written here before `shopify app deploy`:
 *
 *   SHOPIFY_APP_URL=https://keys.example.com npm run extension:configure
 */
export const BACKEND_URL = "https://keyrelay.example";
