/** The Shopify connector's public surface (app/.server/runtime/host-connectors.ts builds it). */
export { createShopifyConnector, type ShopifyConnectorOptions } from "./shopify-connector.ts";
export { parseShopifyWebhook, ShopifyPayloadError } from "./parse-webhook.ts";
export { shopifyVerifiedEvent, normaliseTopic } from "./webhook-identity.ts";
export { verifyShopifyWebhook, type ShopifyWebhookCheck } from "./webhook-signature.ts";
export { redactShopifyPayload } from "./redact-payload.ts";
export { DELIVERED_KEYS_KEY, DELIVERED_KEYS_NAMESPACE, type DeliveredKeysMetafield } from "./delivered-keys-metafield.ts";
export { SHOPIFY_API_VERSION } from "./api-version.ts";
