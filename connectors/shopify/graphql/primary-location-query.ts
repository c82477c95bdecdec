/** `location` without an id is the shop's primary location: where stock is set by default. */
export const PRIMARY_LOCATION_QUERY = /* GraphQL */ `
  query KeyrelayPrimaryLocation {
    location { id }
  }
`;
