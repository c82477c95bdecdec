/** Writes keyrelay's delivered_keys metafield on the order (app-owned namespace). */
export const METAFIELDS_SET_MUTATION = /* GraphQL */ `
  mutation KeyrelayMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id key namespace }
      userErrors { field message code }
    }
  }
`;
