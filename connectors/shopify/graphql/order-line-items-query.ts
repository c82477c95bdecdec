import { LINE_ITEM_FIELDS } from "./order-fields.ts";

/** The next page of an order's line items, for orders with more lines than the first page held. */
export const ORDER_LINE_ITEMS_QUERY = /* GraphQL */ `
  query KeyrelayOrderLineItems($id: ID!, $after: String) {
    order(id: $id) {
      id
      lineItems(first: 100, after: $after) {
        nodes { ...KeyrelayLineItem }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
  ${LINE_ITEM_FIELDS}
`;
