import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
});
afterAll(() => p?.stop());

/** `query{...F0} fragment Fi on Query{...Fi+1 ...Fi+1} …`: 2^levels selections in a few hundred bytes. */
function fragmentBomb(levels: number) {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
  );
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { __typename }`;
}

const STATIONS =
  'stations(first: 100) { edges { node { name chargers { connectors { type } } operator { id } } } }';

async function timed(query: string) {
  const started = performance.now();
  const r = await gql(url, query);
  return { r, ms: performance.now() - started };
}

it('a fragment bomb of 40 levels is refused at once, and /health is not held up', async () => {
  const bomb = fragmentBomb(40);
  expect(bomb.length).toBeLessThan(2000);
  const health = fetch(`http://127.0.0.1:${p.config.ports.gateway}/health`);
  const { r, ms } = await timed(bomb);
  expect(r.errors?.[0]?.message).toMatch(/cost \d+ exceeds the limit of 50000/);
  expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(r.errors?.[0]?.extensions?.reason).toBe('QUERY_TOO_COSTLY');
  // Before, 20 levels took ~0.7 s and each level doubled it; 40 levels did not finish.
  expect(ms).toBeLessThan(500);
  expect((await health).status).toBe(200);
});

it('1,000 aliases of a 100-station page are refused before anything runs', async () => {
  const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: ${STATIONS}`).join(' ');
  const { r, ms } = await timed(`{ ${aliases} }`);
  expect(r.errors?.[0]?.extensions?.cost).toBeGreaterThan(1_000_000);
  expect(r.data).toBeUndefined();
  expect(ms).toBeLessThan(1000);
});

it('an ordinary large page is within the budget', async () => {
  const r = await gql(url, `{ ${STATIONS} }`);
  expect(r.errors).toBeUndefined();
  expect(r.data?.stations.edges).toEqual([]);
});

it('the same limits hold over graphql-ws', async () => {
  const client: Client = createClient({
    url: url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    const errors = await new Promise<readonly { message: string }[]>((resolve, reject) => {
      client.subscribe(
        { query: fragmentBomb(40) },
        {
          next: () => reject(new Error('answered')),
          error: (e) => resolve(e as never),
          complete: () => reject(new Error('completed')),
        },
      );
    });
    expect(errors[0]!.message).toMatch(/cost \d+ exceeds the limit/);
  } finally {
    await client.dispose();
  }
});
