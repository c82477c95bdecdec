/** The Admin API version the app, shopify.app.toml and every GraphQL document target. */
export const SHOPIFY_API_VERSION = "2026-10";
