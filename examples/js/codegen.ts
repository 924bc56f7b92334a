import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for the JavaScript example, generated from the public API's schema
 * (gateway/api-schema.graphql, written by `npm run compose`) with GraphQL Code Generator's client
 * preset: `npm run codegen` (CI checks the output is current).
 */
const config: CodegenConfig = {
  schema: 'gateway/api-schema.graphql',
  documents: ['examples/js/operations.ts'],
  generates: {
    'examples/js/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, scalars: { DateTimeISO: 'string' }, enumsAsTypes: true },
    },
  },
  ignoreNoDocuments: false,
  // Imports with .js, as Node's ES modules (and TypeScript's NodeNext) want them.
  emitLegacyCommonJSImports: false,
};
export default config;
