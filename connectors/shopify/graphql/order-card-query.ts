/**
 * The card an order was paid with, as far as Shopify shows it (fetchOrderCard): each
 * transaction's payment details; a card payment has its BIN, the masked number ("•••• 4242") and
 * the card's company. Other payment methods (PayPal, local methods, manual) have no card.
 */
export const ORDER_CARD_QUERY = /* GraphQL */ `
  query KeyrelayOrderCard($id: ID!) {
    order(id: $id) {
      id
      transactions(first: 10) {
        kind
        status
        paymentDetails {
          __typename
          ... on CardPaymentDetails { bin number company }
        }
      }
    }
  }
`;
