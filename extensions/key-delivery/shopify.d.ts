// The global `shopify` object of each target this extension renders in (what the Shopify CLI
// generates): the thank-you page's API and the order status page's API.
import "@shopify/ui-extensions";

//@ts-ignore
declare module "./src/thank-you.tsx" {
  const shopify: import("@shopify/ui-extensions/purchase.thank-you.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}

//@ts-ignore
declare module "./src/order-status.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order-status.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
