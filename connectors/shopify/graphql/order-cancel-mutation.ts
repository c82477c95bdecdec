/**
 * Cancels an order (a denied review, when the merchant asks): refund to the original payment
 * method and restock as chosen. Shopify cancels asynchronously and answers with the job.
 */
export const ORDER_CANCEL_MUTATION = /* GraphQL */ `
  mutation KeyrelayOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
    orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
      job { id done }
      orderCancelUserErrors { field message code }
    }
  }
`;
