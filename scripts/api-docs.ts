/**
 * Writes the API reference, `docs/api.md`, from the public API's schema (`gateway/api-schema.graphql`,
 * written by `npm run compose`) and its descriptions: every query, mutation and subscription with its
 * arguments, every type with its fields, every enum with its values, and the error codes. With
 * `--check` it writes nothing and exits 1 when the committed file is stale (CI runs this), and lists
 * the public types, fields, arguments and enum values without a description (there must be none).
 *
 *   npm run docs:api [-- --check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderApiReference } from '../lib/api-reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/?$/, '/');
const check = process.argv.includes('--check');

const { content, missing } = renderApiReference(await readFile(`${root}gateway/api-schema.graphql`, 'utf8'));
const path = `${root}docs/api.md`;
const current = await readFile(path, 'utf8').catch(() => null);
if (check) {
  if (missing.length) {
    console.error(
      `${missing.length} public types, fields, arguments or enum values have no description: ${missing.join(', ')}`,
    );
    process.exit(1);
  }
  if (current !== content) {
    console.error('docs/api.md is stale: run `npm run docs:api` and commit the result');
    process.exit(1);
  }
} else if (current !== content) {
  await writeFile(path, content);
  console.log(`wrote docs/api.md (${missing.length} items without a description)`);
}
