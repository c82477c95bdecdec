/**
 * What a delivery write must read first: the current note (to keep the merchant's text around
 * keyrelay's block) and keyrelay's metafield (to skip a write that is already there).
 */
export const ORDER_NOTE_QUERY = /* GraphQL */ `
  query KeyrelayOrderNote($id: ID!, $namespace: String!, $key: String!) {
    order(id: $id) {
      id
      note
      metafield(namespace: $namespace, key: $key) { id value }
    }
  }
`;
