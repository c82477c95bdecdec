/**
 * A store keyrelay no longer acts for: the shop uninstalled the app, or the merchant disconnected
 * it. Its webhooks are recorded as ignored, and nothing is written back to it or mailed for it.
 * (A `broken` store still gets its orders: its credentials are being fixed.)
 */
export function storeIsInactive(status: string): boolean {
  return status === "uninstalled" || status === "disconnected";
}
