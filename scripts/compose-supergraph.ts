/**
 * Emits each subgraph's SDL to `subgraphs/<name>/schema.graphql`, composes them into
 * `gateway/supergraph.graphql` with @apollo/composition, and writes the public API's schema (the
 * supergraph without its federation machinery and @inaccessible parts) to `gateway/api-schema.graphql`,
 * which clients generate their types from (examples/js). With `--check` it writes nothing and exits 1
 * when a committed file is stale (CI runs this).
 */
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, printSchema } from 'graphql';
import { subgraphSchemas as subgraphs } from './subgraph-schemas.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/?$/, '/');
const check = process.argv.includes('--check');

async function syncFile(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === content) return true;
  if (check) {
    console.error(`${path.replace(root, '')} is stale: run \`npm run compose\` and commit the result`);
    return false;
  }
  await writeFile(path, content);
  console.log(`wrote ${path.replace(root, '')}`);
  return true;
}

let ok = true;
const services = [];
for (const sg of subgraphs) {
  const { sdl } = await sg.build();
  ok = (await syncFile(`${root}subgraphs/${sg.dir}/schema.graphql`, `${sdl.trim()}\n`)) && ok;
  services.push({ name: sg.name, url: `http://${sg.name}.subgraph.invalid/graphql`, typeDefs: parse(sdl) });
}
const result = composeServices(services);
if (result.errors) {
  for (const e of result.errors) console.error(e.message);
  process.exit(1);
}
ok = (await syncFile(`${root}gateway/supergraph.graphql`, `${result.supergraphSdl.trim()}\n`)) && ok;
const api = printSchema(Supergraph.build(result.supergraphSdl).apiSchema().toGraphQLJSSchema());
ok = (await syncFile(`${root}gateway/api-schema.graphql`, `${api.trim()}\n`)) && ok;
process.exit(ok ? 0 : 1);
