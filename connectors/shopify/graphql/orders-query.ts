import { LINE_ITEM_FIELDS, ORDER_FIELDS } from "./order-fields.ts";

/**
 * A page of orders matching a search query, oldest update first (reconciliation, and
 * findOrderByName with `name:…`). Ten orders × fifteen lines keeps the requested cost under
 * Shopify's 1,000 points; an order with more lines is completed with ORDER_LINE_ITEMS_QUERY.
 */
export const ORDERS_QUERY = /* GraphQL */ `
  query KeyrelayOrders($query: String!, $after: String) {
    orders(first: 10, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...KeyrelayOrder
        lineItems(first: 15) {
          nodes { ...KeyrelayLineItem }
          pageInfo { hasNextPage endCursor }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ORDER_FIELDS}
  ${LINE_ITEM_FIELDS}
`;
