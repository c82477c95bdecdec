/**
 * For each variant: its inventory item, whether Shopify tracks it, and the `available` quantity
 * at the location, read just before a write so it can be sent as changeFromQuantity.
 */
export const INVENTORY_LEVELS_QUERY = /* GraphQL */ `
  query KeyrelayInventoryLevels($ids: [ID!]!, $locationId: ID!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        id
        inventoryItem {
          id
          tracked
          inventoryLevel(locationId: $locationId) {
            quantities(names: ["available"]) { name quantity }
          }
        }
      }
    }
  }
`;

/** Variants per read (and per write): keeps the requested cost low. */
export const INVENTORY_BATCH = 50;
