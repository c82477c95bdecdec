/**
 * The mapping screen's search: 50 products with up to 15 variants each (about 900 of Shopify's
 * 1,000 single-query points). A product with more variants shows its first 15; the merchant
 * narrows the search to find the others.
 */
export const PRODUCTS_QUERY = /* GraphQL */ `
  query KeyrelayProducts($query: String) {
    products(first: 50, query: $query, sortKey: TITLE) {
      nodes {
        id
        title
        hasOnlyDefaultVariant
        variants(first: 15) {
          nodes { id title sku }
        }
      }
    }
  }
`;
