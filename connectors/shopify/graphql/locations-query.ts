/** The shop's active locations, for the merchant to choose where keyrelay keeps stock. */
export const LOCATIONS_QUERY = /* GraphQL */ `
  query KeyrelayLocations {
    locations(first: 50, sortKey: NAME) {
      nodes { id name isPrimary }
    }
  }
`;
