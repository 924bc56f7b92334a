import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { fragmentMemo } from './depth-limit.js';

/** The most items a list argument may ask for (`first`/`last` ≤ 100 everywhere in the API). */
const MAX_PAGE = 100;
/** The lists of a Relay connection, sized by the connection field's own `first`/`last`. */
const CONNECTION_LISTS = new Set(['edges', 'nodes']);
/** What a list without `first`/`last` is assumed to hold (a charger's connectors, a user's wallets). */
const UNPAGED_LIST = 10;

/**
 * The cost of an operation, computed from the document and the schema before anything runs:
 *
 * - every field selected costs 1 for each time it will be resolved;
 * - a field with `first` or `last` multiplies what is selected below it by that number (a variable
 *   counts as the most it may be, MAX_PAGE); a connection's `edges`/`nodes` by 1 (the page was counted
 *   at the connection); any other list field multiplies by UNPAGED_LIST;
 * - aliases are separate fields, each counted; fragments are counted where they are spread, with
 *   each fragment's cost computed once (so a fragment bomb is priced in linear time, and high).
 *
 * So `stations(first: 100) { edges { node { name } } }` costs 1 + 100 × 3 = 301. Rounding: none,
 * costs are integers; a cost above Number.MAX_SAFE_INTEGER is clamped to it.
 */
export function operationCost(
  context: Pick<ValidationContext, 'getSchema' | 'getDocument'>,
  set: SelectionSetNode,
  root: GraphQLCompositeType,
): number {
  const schema = context.getSchema();
  const clamp = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);
  const costOf = (
    selections: SelectionSetNode | undefined,
    parent: GraphQLCompositeType | undefined,
  ): number => {
    if (!selections) return 0;
    let total = 0;
    for (const sel of selections.selections) {
      if (sel.kind === Kind.FIELD) {
        const field = fieldOf(parent, sel.name.value);
        const child = field ? getNamedType(field.type) : undefined;
        const below = costOf(sel.selectionSet, child && isCompositeType(child) ? child : undefined);
        total = clamp(total + 1 + multiplier(field, sel.arguments ?? []) * below);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        total = clamp(total + costOf(sel.selectionSet, cond && isCompositeType(cond) ? cond : undefined));
      } else total = clamp(total + fragmentCost(sel.name.value));
    }
    return total;
  };
  const fragmentCost = fragmentMemo(context, (fragment) => {
    const type = schema.getType(fragment.typeCondition.name.value);
    return costOf(fragment.selectionSet, type && isCompositeType(type) ? type : undefined);
  });
  return costOf(set, root);
}

function fieldOf(
  parent: GraphQLCompositeType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
  return parent.getFields()[name];
}

function multiplier(
  field: GraphQLField<unknown, unknown> | undefined,
  args: readonly { name: { value: string }; value: ValueNode }[],
): number {
  const page = args.find((a) => a.name.value === 'first' || a.name.value === 'last');
  if (page) {
    if (page.value.kind === Kind.INT) return Math.max(0, Math.min(MAX_PAGE, Number(page.value.value)));
    return MAX_PAGE; // a variable (or a bad value, which validation refuses): priced at the most
  }
  // A connection's `edges` (or `nodes`) hold the page its field's `first`/`last` asked for: counted there.
  if (field && CONNECTION_LISTS.has(field.name)) return 1;
  return field && isListType(getNullableType(field.type)) ? UNPAGED_LIST : 1;
}

/**
 * Refuses a mutation with more than `max` top-level fields (aliases included): each is a separate
 * write (`register` twenty times in one request made twenty accounts), and one request should not
 * do the work of many rate-limited ones.
 */
export function mutationLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return;
      const count = node.selectionSet.selections.length;
      if (count > max) {
        context.reportError(
          new GraphQLError(`A mutation may have at most ${max} fields; this one has ${count}`, {
            nodes: [node],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'TOO_MANY_MUTATIONS', limit: max },
          }),
        );
      }
    },
  });
}

/**
 * Refuses an operation whose cost (see operationCost) exceeds `max`, before any subgraph is called,
 * with code GRAPHQL_VALIDATION_FAILED, `reason: QUERY_TOO_COSTLY`, and the cost and limit in
 * `extensions`.
 */
export function costLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const root = context.getSchema().getRootType(node.operation);
      if (!root) return;
      const cost = operationCost(context, node.selectionSet, root);
      if (cost > max) {
        context.reportError(
          new GraphQLError(`Query cost ${cost} exceeds the limit of ${max}; ask for fewer items or fields`, {
            nodes: [node],
            // Apollo Server reports every validation error as GRAPHQL_VALIDATION_FAILED; `reason` says which.
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COSTLY', cost, limit: max },
          }),
        );
      }
    },
  });
}
