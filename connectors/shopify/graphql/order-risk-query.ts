/**
 * An order's risk as Shopify's analysis and apps assess it (fetchOrderRisk). Shopify's own
 * assessment has no provider; its riskLevel is PENDING while the analysis runs. The recommendation
 * has no PENDING of its own, so the assessments say whether it is final.
 */
export const ORDER_RISK_QUERY = /* GraphQL */ `
  query KeyrelayOrderRisk($id: ID!) {
    order(id: $id) {
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
  }
`;
