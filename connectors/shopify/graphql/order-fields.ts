/**
 * The order fields every order read asks for, as GraphQL fragments shared by the single-order and
 * the list queries. Refunded quantities come from `quantity - currentQuantity` (units refunded or
 * removed by an order edit: in both cases no key is owed), which is one integer per line instead
 * of refunds × refundLineItems, whose nested connection would cost more than Shopify's 1,000-point
 * single-query limit.
 */
export const LINE_ITEM_FIELDS = /* GraphQL */ `
  fragment KeyrelayLineItem on LineItem {
    id
    title
    variantTitle
    quantity
    currentQuantity
    product { id }
    variant { id }
    originalUnitPriceSet { shopMoney { amount currencyCode } }
  }
`;

export const ORDER_FIELDS = /* GraphQL */ `
  fragment KeyrelayOrder on Order {
    id
    name
    email
    customerLocale
    currencyCode
    displayFinancialStatus
    cancelledAt
    createdAt
    updatedAt
    customer { id displayName }
    confirmationNumber
    totalPriceSet { shopMoney { amount currencyCode } }
    risk { recommendation assessments { riskLevel provider { id } } }
  }
`;

/** Lines per page inside a list of orders: small enough that a page of orders stays cheap. */
export const LIST_LINE_ITEMS_PAGE = 15;
/** Lines per page of a single order. */
export const ORDER_LINE_ITEMS_PAGE = 100;
