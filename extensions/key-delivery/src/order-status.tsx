import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { KeyDelivery } from "./key-delivery.tsx";

// The order status page (customer accounts): the order arrives as gid://shopify/Order/<n>.
export default async () => {
  render(<OrderStatus />, document.body);
};

function OrderStatus() {
  return (
    <KeyDelivery
      host={{
        surface: "customer-account",
        orderGid: shopify.order.value?.id,
        token: () => shopify.sessionToken.get(),
        t: (key, options) => String(shopify.i18n.translate(key, options)),
      }}
    />
  );
}
