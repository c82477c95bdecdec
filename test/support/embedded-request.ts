import { BASE64_HOST } from "@shopify/shopify-api/test-helpers";
import { CHROME_UA } from "./admin-browser.ts";
import { sessionToken } from "./shopify-fixtures.ts";

/**
 * Requests as the embedded admin's iframe makes them: a browser's user agent (the Shopify library
 * answers self-identified bots, as Node's fetch is, with 410) and the shop's session token.
 */
export const EMBEDDED_BROWSER = { "user-agent": CHROME_UA };

/** Posts a form to an /app route's data endpoint (`/app/settings.data`) with the shop's session token in the Authorization header. */
export async function embeddedPost(baseUrl: string, dataPath: string, shopName: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}${dataPath}`, {
    method: "POST",
    redirect: "manual",
    headers: { ...EMBEDDED_BROWSER, authorization: `Bearer ${await sessionToken(shopName)}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

/** Opens an /app page as Shopify loads it first: the session token in the URL (`id_token`) with shop and host. */
export async function embeddedPage(baseUrl: string, path: string, shopName: string): Promise<Response> {
  const sep = path.includes("?") ? "&" : "?";
  return fetch(`${baseUrl}${path}${sep}embedded=1&shop=${shopName}.myshopify.com&host=${BASE64_HOST}&id_token=${await sessionToken(shopName)}`, { redirect: "manual", headers: EMBEDDED_BROWSER });
}
