import { LINE_ITEM_FIELDS, ORDER_FIELDS } from "./order-fields.ts";

/** One order with its first page of line items (fetchOrder). */
export const ORDER_QUERY = /* GraphQL */ `
  query KeyrelayOrder($id: ID!) {
    order(id: $id) {
      ...KeyrelayOrder
      lineItems(first: 100) {
        nodes { ...KeyrelayLineItem }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
  ${ORDER_FIELDS}
  ${LINE_ITEM_FIELDS}
`;
