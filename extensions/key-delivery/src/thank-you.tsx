import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { KeyDelivery } from "./key-delivery.tsx";

// The thank-you page: the order arrives as gid://shopify/OrderIdentity/<n>.
export default async () => {
  render(<ThankYou />, document.body);
};

function ThankYou() {
  return (
    <KeyDelivery
      host={{
        surface: "checkout",
        orderGid: shopify.orderConfirmation.value?.order?.id,
        confirmation: shopify.orderConfirmation.value?.number,
        token: () => shopify.sessionToken.get(),
        t: (key, options) => String(shopify.i18n.translate(key, options)),
      }}
    />
  );
}
