import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's *requested* query cost, after its published rules: a scalar or enum costs 0, an object
 * 1, a connection 2 plus `first`/`last` times the cost of one node, a list argument-sized the same
 * way, and a mutation 10. Shopify refuses a query whose requested cost exceeds 1,000 points
 * (MAX_COST_EXCEEDED), so the schema test checks every document against that, and the fake server
 * charges its leaky bucket with it.
 *
 * Test-only (imports the devDependency `graphql`).
 */
export const MAX_SINGLE_QUERY_COST = 1000;

export function requestedQueryCost(schema: GraphQLSchema, doc: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName));
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 0;
  if (op.operation === "mutation") return 10;
  const root = schema.getQueryType()!;

  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) total += fieldCost(parent, sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : parent;
        total += selectionCost(t, sel.selectionSet);
      } else {
        const f = fragments.get(sel.name.value);
        if (f) total += selectionCost(schema.getType(f.typeCondition.name.value) as GraphQLCompositeType, f.selectionSet);
      }
    }
    return total;
  };

  const fieldCost = (parent: GraphQLCompositeType, node: FieldNode): number => {
    if (node.name.value.startsWith("__")) return 0;
    const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
    const field = fields[node.name.value] as GraphQLField<unknown, unknown> | undefined;
    if (!field) return 0;
    const named = getNamedType(field.type);
    if (!isObjectType(named) && !isInterfaceType(named) && !isUnionType(named)) return 0;
    const args: Record<string, unknown> = {};
    for (const a of node.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value, variables);
    const size = Number(args.first ?? args.last ?? (Array.isArray(args.ids) ? args.ids.length : 1)) || 1;
    const inner = selectionCost(named, node.selectionSet);
    if (named.name.endsWith("Connection")) {
      // nodes { … } or edges { node { … } }: one node's cost, times the page size
      const perNode = connectionNodeCost(named, node, selectionCost);
      return 2 + size * perNode;
    }
    if (isListType(getNullableType(field.type))) return size * (1 + inner);
    return 1 + inner;
  };

  return selectionCost(root, op.selectionSet);
}

function connectionNodeCost(
  connection: GraphQLCompositeType,
  node: FieldNode,
  selectionCost: (parent: GraphQLCompositeType, set: SelectionSetNode | undefined) => number,
): number {
  let perNode = 0;
  const fields = isObjectType(connection) ? connection.getFields() : {};
  for (const sel of node.selectionSet?.selections ?? []) {
    if (sel.kind !== Kind.FIELD) continue;
    if (sel.name.value === "nodes") perNode += 1 + selectionCost(getNamedType(fields.nodes.type) as GraphQLCompositeType, sel.selectionSet);
    if (sel.name.value === "edges") {
      const edge = getNamedType(fields.edges.type) as GraphQLCompositeType;
      for (const e of sel.selectionSet?.selections ?? []) {
        if (e.kind === Kind.FIELD && e.name.value === "node" && isObjectType(edge)) perNode += 1 + selectionCost(getNamedType(edge.getFields().node.type) as GraphQLCompositeType, e.selectionSet);
      }
    }
  }
  return perNode;
}
