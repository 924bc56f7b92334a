/**
 * The API reference (`docs/api.md`) rendered from the public schema's SDL and its descriptions:
 * every query, mutation and subscription with its arguments, every type with its fields, every enum
 * with its values, and the error codes. `scripts/api-docs.ts` writes it and checks it in CI.
 */
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';

/** The error codes clients see in `errors[].extensions.code`, and what each means. */
export const ERROR_CODES: [string, string][] = [
  ['UNAUTHENTICATED', 'No valid credentials: sign in (or refresh the access token) and retry.'],
  ['FORBIDDEN', 'Signed in, but the role, ownership or API-key scope does not allow this field.'],
  ['NOT_FOUND', 'No such object, or none the caller may see (the two are not told apart).'],
  [
    'BAD_USER_INPUT',
    'An argument is invalid; `extensions.field` names it, and `extensions.reason` may say more.',
  ],
  ['CONFLICT', 'The object is not in a state that allows this (already done, ended, not settled…).'],
  ['RATE_LIMITED', 'Too many requests or too much query cost this minute; `retry-after` says when to retry.'],
  ['CHARGER_OFFLINE', 'The charger is not connected: the command was not sent.'],
  ['CHARGER_TIMEOUT', 'The charger did not answer the command in time.'],
  ['CHARGER_REJECTED', 'The charger answered the command with an error.'],
  ['SERVICE_UNAVAILABLE', 'A dependency is unreachable; nothing was done that needed it: retry shortly.'],
  ['GRAPHQL_PARSE_FAILED', 'The document is not valid GraphQL.'],
  [
    'GRAPHQL_VALIDATION_FAILED',
    'The document does not fit the schema, or is too deep, or has too many mutations, or costs too much (then `extensions.reason` is `QUERY_TOO_COSTLY`, with `cost` and `limit`).',
  ],
  [
    'OPERATION_RESOLUTION_FAILURE',
    '`operationName` names no operation of the document, or several need one.',
  ],
  ['BAD_REQUEST', 'The HTTP request is malformed (not JSON, no query, a GET mutation).'],
  ['PAYLOAD_TOO_LARGE', 'The request body is over the size limit.'],
  [
    'PERSISTED_QUERY_NOT_FOUND',
    'An automatic persisted query whose hash the gateway does not hold (yet): send it once with its query.',
  ],
  [
    'PERSISTED_QUERY_NOT_SUPPORTED',
    'Automatic persisted queries are turned off on this server: send the query itself.',
  ],
  [
    'INTERNAL_SERVER_ERROR',
    'A fault of the platform (never a client mistake); the request id is in the logs.',
  ],
];

const text = (s: string | null | undefined) => (s ?? '').trim();
const anchor = (name: string) => name.toLowerCase();
/** A type reference with a link to the named type's section (built-in scalars unlinked). */
const ref = (t: { toString(): string }) =>
  t
    .toString()
    .replace(/\w+/, (name) =>
      ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name) ? name : `[${name}](#${anchor(name)})`,
    );
const cell = (s: string) => text(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/**
 * The reference for `sdl` (the public schema), and the public types, fields, arguments and enum
 * values it found without a description (`Type.field`, `Type.field(arg)`, `Enum.VALUE`).
 */
export function renderApiReference(sdl: string): { content: string; missing: string[] } {
  const missing: string[] = [];
  const describe = (what: string, description: string | null | undefined) => {
    if (!text(description)) missing.push(what);
    return cell(description ?? '');
  };

  function argsTable(owner: string, args: readonly GraphQLArgument[]): string[] {
    if (!args.length) return [];
    return [
      '',
      '| argument | type | default | description |',
      '| --- | --- | --- | --- |',
      ...args.map(
        (a) =>
          `| \`${a.name}\` | ${ref(a.type)} | ${a.defaultValue === undefined ? '' : `\`${JSON.stringify(a.defaultValue)}\``} | ${describe(`${owner}(${a.name})`, a.description)} |`,
      ),
    ];
  }

  /** The section of a root type (none when the schema has no such root). */
  function rootSection(title: string, type: GraphQLObjectType | null | undefined): string[] {
    if (!type) return [];
    const owner = type.name;
    const out = [`## ${title}`, ''];
    for (const f of Object.values(type.getFields()).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(`### \`${f.name}\``, '', `\`${f.name}\` → ${ref(f.type)}`, '');
      out.push(describe(`${owner}.${f.name}`, f.description) || '_No description._');
      if (f.deprecationReason) out.push('', `**Deprecated:** ${f.deprecationReason}`);
      out.push(...argsTable(`${owner}.${f.name}`, f.args), '');
    }
    return out;
  }

  function typeSection(t: GraphQLNamedType): string[] {
    const kind = isObjectType(t)
      ? 'object'
      : isInputObjectType(t)
        ? 'input'
        : isEnumType(t)
          ? 'enum'
          : isInterfaceType(t)
            ? 'interface'
            : isUnionType(t)
              ? 'union'
              : 'scalar';
    const out = [
      `### ${t.name}`,
      '',
      `_${kind}_`,
      '',
      describe(t.name, t.description) || '_No description._',
      '',
    ];
    if (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) {
      out.push('| field | type | description |', '| --- | --- | --- |');
      for (const f of Object.values(t.getFields()) as (
        GraphQLField<unknown, unknown> | GraphQLInputField
      )[]) {
        const args =
          'args' in f && f.args.length ? ` (${f.args.map((a) => `${a.name}: ${a.type}`).join(', ')})` : '';
        out.push(
          `| \`${f.name}\`${cell(args)} | ${ref(f.type)} | ${describe(`${t.name}.${f.name}`, f.description)} |`,
        );
        if ('args' in f)
          for (const a of f.args) if (!text(a.description)) missing.push(`${t.name}.${f.name}(${a.name})`);
      }
      out.push('');
    } else if (isEnumType(t)) {
      out.push('| value | description |', '| --- | --- |');
      for (const v of t.getValues())
        out.push(`| \`${v.name}\` | ${describe(`${t.name}.${v.name}`, v.description)} |`);
      out.push('');
    } else if (isUnionType(t)) {
      out.push(
        `One of: ${t
          .getTypes()
          .map((x) => ref(x))
          .join(', ')}`,
        '',
      );
    }
    return out;
  }

  const schema = buildSchema(sdl);
  const rootTypes = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const lines = [
    '# GridLedger API reference',
    '',
    'Generated by `npm run docs:api` from the public schema (`gateway/api-schema.graphql`) and its',
    'descriptions; CI fails when it is stale. The API is one GraphQL endpoint, `POST /graphql` (queries and',
    'mutations) and `ws://…/graphql` (subscriptions, graphql-ws protocol), on the gateway. Credentials:',
    '`Authorization: Bearer <accessToken>` (from `login`) or `X-Api-Key: <key>` (scopes per root field);',
    'over graphql-ws, the same in the `connection_init` payload (`authorization` or `apiKey`).',
    '',
    '## Error codes',
    '',
    'Every error carries a code in `errors[].extensions.code`; a client mistake never gets `INTERNAL_SERVER_ERROR`.',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...ERROR_CODES.map(([code, meaning]) => `| \`${code}\` | ${meaning} |`),
    '',
    ...rootSection('Queries', schema.getQueryType()),
    ...rootSection('Mutations', schema.getMutationType()),
    ...rootSection('Subscriptions', schema.getSubscriptionType()),
    '## Types',
    '',
    ...Object.values(schema.getTypeMap())
      .filter((t) => !t.name.startsWith('__') && !rootTypes.includes(t as never))
      .filter((t) => !(isScalarType(t) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap(typeSection),
  ];
  return { content: `${lines.join('\n').trim()}\n`, missing };
}
