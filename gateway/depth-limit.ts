import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * A fragment's value (its depth, its cost) computed once per document and remembered by name, so that
 * a document of fragments that spread each other twice per level costs time linear in its size, not
 * exponential in its depth. A fragment met again while it is being computed (a cycle, which the
 * NoFragmentCycles rule refuses anyway) counts as nothing.
 */
export function fragmentMemo(
  context: Pick<ValidationContext, 'getDocument'>,
  compute: (fragment: FragmentDefinitionNode, valueOf: (name: string) => number) => number,
): (name: string) => number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();
  const valueOf = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const definition = fragments.get(name);
    if (!definition || inProgress.has(name)) return 0;
    inProgress.add(name);
    const value = compute(definition, valueOf);
    inProgress.delete(name);
    memo.set(name, value);
    return value;
  };
  return valueOf;
}

/** Rejects operations nested deeper than `max` levels (fragments followed), before any subgraph is called. */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD)
          deepest = Math.max(deepest, sel.selectionSet ? 1 + depthOf(sel.selectionSet) : 1);
        else if (sel.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(sel.selectionSet));
        else deepest = Math.max(deepest, fragmentDepth(sel.name.value));
      }
      return deepest;
    };
    const fragmentDepth = fragmentMemo(context, (fragment) => depthOf(fragment.selectionSet));
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet);
        if (depth > max) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${max}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}
