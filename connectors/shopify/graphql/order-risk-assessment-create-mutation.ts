/** keyrelay's own verdict on an order, shown with Shopify's in the order's risk card. */
export const ORDER_RISK_ASSESSMENT_CREATE_MUTATION = /* GraphQL */ `
  mutation KeyrelayOrderRiskAssessmentCreate($input: OrderRiskAssessmentCreateInput!) {
    orderRiskAssessmentCreate(orderRiskAssessmentInput: $input) {
      orderRiskAssessment { riskLevel }
      userErrors { field message code }
    }
  }
`;
