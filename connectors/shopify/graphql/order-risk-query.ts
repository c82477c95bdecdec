/**
 * An order's risk as Shopify's analysis and apps assess it. Shopify's own assessment has no
 * provider; its riskLevel is PENDING while the analysis runs. The recommendation has no PENDING
 * of its own, so the assessments say whether it is final. One fragment for the one-order query
 * and the batch query, so both read the same.
 */
export const ORDER_RISK_FIELDS = /* GraphQL */ `
  fragment KeyrelayOrderRiskFields on Order {
    id
    risk {
      recommendation
      assessments {
        riskLevel
        provider { id }
        facts { description sentiment }
      }
    }
  }
`;

/** One order's risk (fetchOrderRisk). */
export const ORDER_RISK_QUERY = /* GraphQL */ `
  query KeyrelayOrderRisk($id: ID!) {
    order(id: $id) { ...KeyrelayOrderRiskFields }
  }
  ${ORDER_RISK_FIELDS}
`;
