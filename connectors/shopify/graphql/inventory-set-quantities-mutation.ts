/**
 * Sets `available` with a compare-and-swap (changeFromQuantity) and an idempotency key, so a
 * request retried after a lost answer is applied once and a concurrent hand edit is not
 * overwritten blindly (CHANGE_FROM_QUANTITY_STALE: re-read, then write again).
 */
export const INVENTORY_SET_QUANTITIES_MUTATION = /* GraphQL */ `
  mutation KeyrelayInventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
      inventoryAdjustmentGroup { id }
      userErrors { field message code }
    }
  }
`;
