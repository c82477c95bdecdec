/**
 * Replaces the order note (keyrelay's block merged into the merchant's text beforehand) and, in
 * the same write, sets keyrelay's delivered_keys metafield (OrderInput.metafields).
 */
export const ORDER_UPDATE_MUTATION = /* GraphQL */ `
  mutation KeyrelayOrderUpdate($input: OrderInput!) {
    orderUpdate(input: $input) {
      order { id }
      userErrors { field message }
    }
  }
`;
