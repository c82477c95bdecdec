/** The WooCommerce connector's public surface: what the app's use-cases import. */
export { createWooCommerceConnector, type WooCommerceConnectorOptions } from "./connector.ts";
export { checkWooCommerceCredentials, registerWooCommerceWebhook, deleteWooCommerceWebhook, type WooCommerceStoreInfo } from "./connect-store.ts";
export { parseWooCommerceWebhook } from "./parse-webhook.ts";
export { verifyWooCommerceWebhook } from "./webhook-signature.ts";
export { redactWooCommercePayload } from "./redact-payload.ts";
export type { WooCommerceConnection } from "./rest-client.ts";
