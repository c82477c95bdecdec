import { ORDER_RISK_FIELDS } from "./order-risk-query.ts";

/**
 * The risk of several orders in one request (fetchOrderRisks): read before a batch of paid orders
 * is applied, so an account whose rules wait for Shopify's risk decides at once when the analysis
 * is already finished. An id that is not an order (or is gone) comes back null.
 */
export const ORDER_RISKS_QUERY = /* GraphQL */ `
  query KeyrelayOrderRisks($ids: [ID!]!) {
    nodes(ids: $ids) { ...KeyrelayOrderRiskFields }
  }
  ${ORDER_RISK_FIELDS}
`;

/** Orders per request: Shopify takes up to 250 ids; this keeps one request's cost small. */
export const ORDER_RISKS_PER_REQUEST = 50;
