import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const readme = read('README.md');

/** Names of the environment variables a zod schema object in `source` declares (`NAME: z…`). */
function declared(source: string): string[] {
  return [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+): (?:z\.|port\()/gm)].map((m) => m[1]!);
}

it('the configuration table names every variable the processes read', () => {
  const variables = [...declared(read('lib/config.ts')), ...declared(read('ocpp-bridge/config.ts'))];
  expect(variables.length).toBeGreaterThan(40);
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Operations'));
  const missing = variables.filter((v) => !section.includes(`\`${v}\``));
  expect(missing).toEqual([]);
});

it('the set-up block is two lines, start then test, and CI runs the second as it is', () => {
  const setup = readme.slice(readme.indexOf('## Set-up'));
  const block = /```sh\n([\s\S]*?)```/.exec(setup)![1]!.trim().split('\n');
  expect(block).toHaveLength(2);
  expect(block[0]).toMatch(/start$/);
  expect(read('.ci/run').trimEnd().split('\n').pop()).toBe(block[1]);
});

it('the folder table covers every top-level folder and every subgraph', () => {
  const folders = [
    'gateway',
    'subgraphs/user',
    'subgraphs/station',
    'subgraphs/session',
    'subgraphs/energy-trading',
    'ocpp-bridge',
    'workers',
    'contracts',
    'lib',
    'scripts',
    'deploy',
    'docs',
    'test',
    'bench',
  ];
  const table = readme.slice(readme.indexOf('| folder'), readme.indexOf('## Set-up'));
  expect(folders.filter((f) => !table.includes(`\`${f}/\``))).toEqual([]);
});
