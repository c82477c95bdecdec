/** Turns inventory tracking on: Shopify ignores quantities of an untracked item when selling. */
export const INVENTORY_ITEM_UPDATE_MUTATION = /* GraphQL */ `
  mutation KeyrelayInventoryItemUpdate($id: ID!, $input: InventoryItemInput!) {
    inventoryItemUpdate(id: $id, input: $input) {
      inventoryItem { id tracked }
      userErrors { field message }
    }
  }
`;
