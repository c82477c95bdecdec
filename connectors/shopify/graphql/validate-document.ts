import { getNamedType, GraphQLError, specifiedRules, validate, type ASTVisitor, type DocumentNode, type GraphQLSchema, type ValidationContext } from "graphql";

/**
 * graphql-js's standard validation plus the one rule Shopify adds that a schema cannot express:
 * a connection must be sized with `first` or `last` ("you must provide one of first or last").
 *
 * Test-only (imports the devDependency `graphql`).
 */
export function validateShopifyDocument(schema: GraphQLSchema, doc: DocumentNode): readonly GraphQLError[] {
  return validate(schema, doc, [...specifiedRules, connectionsNeedSize]);
}

function connectionsNeedSize(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const def = context.getFieldDef();
      if (!def || !getNamedType(def.type).name.endsWith("Connection")) return;
      if (!def.args.some((a) => a.name === "first")) return;
      const given = new Set((node.arguments ?? []).map((a) => a.name.value));
      if (!given.has("first") && !given.has("last")) {
        context.reportError(new GraphQLError(`you must provide one of first or last (field '${node.name.value}')`, { nodes: node }));
      }
    },
  };
}
