import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'coverage',
      'contracts/artifacts',
      'contracts/cache',
      'examples/js/gql',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through lib/config.ts.' },
      ],
    },
  },
  {
    // GraphQL responses in tests are read as loosely typed JSON.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: [
      'lib/config.ts',
      'ocpp-bridge/config.ts',
      'scripts/**',
      'test/**',
      'bench/**',
      'hardhat.config.ts',
      'examples/**',
      '*.js',
      '*.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['*.js', '*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
