import { ClassType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors.js';

@ObjectType({ description: 'Relay-style page information.' })
@Directive('@shareable')
export class PageInfo {
  @Field({ description: 'Whether another page follows (ask again with `after` = endCursor).' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last edge; null on an empty page.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** Builds the `XConnection` and `XEdge` object types for a node type. */
export function Connection<T extends object>(nodeType: ClassType<T>, name = nodeType.name) {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;

    @Field({ description: 'Pass as `after` to continue after this one.' })
    cursor!: string;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay-style).` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether more follow, and where to continue.' })
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

export const MAX_PAGE_SIZE = 100;

/** Validates `first` (1..100, default 20). */
export function pageSize(first: number | undefined | null): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return n;
}

/** Cursors are opaque to clients: base64url of a JSON array of the sort key. */
export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string | null | undefined, arity: number): unknown[] | null {
  if (cursor == null) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key;
  } catch {
    // fall through to the error below
  }
  throw badInput('Malformed cursor', 'after');
}

/**
 * Turns `limit + 1` fetched rows into a connection: the extra row only tells that there is a next page.
 */
export function toConnection<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]): ConnectionShape<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(keyOf(node)) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export { Int };
