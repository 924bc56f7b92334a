import { once } from 'node:events';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { aUserWithRoles, createStation, loginAdmin } from '../support/builders.js';
import { eventually } from '../support/chargers.js';
import {
  awayFromMinuteBoundary,
  codeOf,
  gql,
  startTestPlatform,
  type TestPlatform,
} from '../support/platform.js';
import { follow, wsClient } from '../support/subscriptions.js';

let p: TestPlatform;
let url: string;

beforeAll(async () => {
  p = await startTestPlatform({ SUBSCRIPTION_MAX_PER_CONNECTION: '3', COST_BUDGET_PER_MINUTE: '30000' });
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

/** The median round trip of `query` over `runs` tries (one slow try on a busy machine says little). */
async function medianMs(query: string, runs = 5) {
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof timed>>['r'] | undefined;
  for (let i = 0; i < runs; i++) {
    const { r, ms } = await timed(query);
    times.push(ms);
    last = r;
  }
  times.sort((a, b) => a - b);
  return { r: last!, ms: times[Math.floor(runs / 2)]! };
}

it('a fragment bomb of 40 levels is refused in under 50 ms, and /health is not held up', async () => {
  const bomb = fragmentBomb(40);
  expect(bomb.length).toBeLessThan(2000);
  const health = fetch(`http://127.0.0.1:${p.config.ports.gateway}/health`);
  const { r, ms } = await medianMs(bomb);
  expect(r.errors?.[0]?.message).toMatch(/cost \d+ exceeds the limit of 50000/);
  expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(r.errors?.[0]?.extensions?.reason).toBe('QUERY_TOO_COSTLY');
  // Before, 20 levels took ~0.7 s and each level doubled it; 40 levels did not finish.
  expect(ms).toBeLessThan(50);
  expect((await health).status).toBe(200);
});

it('1,000 aliases of a 100-station page are refused by the parser in under 50 ms', async () => {
  const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: ${STATIONS}`).join(' ');
  const { r, ms } = await medianMs(`{ ${aliases} }`);
  expect(codeOf(r)).toBe('GRAPHQL_PARSE_FAILED');
  expect(r.errors?.[0]?.message).toMatch(/more th(an|at) 5000 tokens/);
  expect(r.data).toBeUndefined();
  expect(ms).toBeLessThan(50);
});

it('fewer aliases, within the token limit, are refused by their cost before anything runs', async () => {
  const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: ${STATIONS}`).join(' ');
  const { r, ms } = await medianMs(`{ ${aliases} }`);
  expect(r.errors?.[0]?.extensions?.reason).toBe('QUERY_TOO_COSTLY');
  expect(r.errors?.[0]?.extensions?.cost).toBeGreaterThan(50_000);
  expect(r.data).toBeUndefined();
  // Parsed and validated in full (2,100 tokens), so slower than the two refusals above.
  expect(ms).toBeLessThan(200);
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
    const tooLong = Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ');
    const parseErrors = await new Promise<readonly { message: string; extensions?: { code?: string } }[]>(
      (resolve, reject) => {
        client.subscribe(
          { query: `{ ${tooLong} }` },
          {
            next: () => reject(new Error('answered')),
            error: (e) => resolve(e as never),
            complete: () => reject(new Error('completed')),
          },
        );
      },
    );
    expect(parseErrors[0]!.message).toMatch(/more th(an|at) 5000 tokens/);
    expect(parseErrors[0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  } finally {
    await client.dispose();
  }
});

it('one graphql-ws socket holds at most SUBSCRIPTION_MAX_PER_CONNECTION subscriptions', async () => {
  const operator = await aUserWithRoles(url, await loginAdmin(url), ['OPERATOR']);
  const station = await createStation(url, operator.token);
  const client = wsClient(url, { authorization: `Bearer ${operator.token}` });
  const query = 'subscription($s: ID) { chargerStatusChanged(stationId: $s) { status } }';
  try {
    const held = [1, 2, 3].map(() => follow(client, query, { s: station.id }));
    // The three are accepted (none ends); the fourth is refused, and the socket lives on.
    await new Promise((r) => setTimeout(r, 500));
    for (const f of held) expect([f.error, f.completed]).toEqual([undefined, false]);
    const fourth = follow(client, query, { s: station.id });
    await eventually(
      async () => fourth.error,
      (e) => e !== undefined,
      5000,
    );
    expect(JSON.stringify(fourth.error)).toMatch(/RATE_LIMITED|At most 3 operations/);
    held[0]!.stop();
    const again = follow(client, query, { s: station.id });
    await new Promise((r) => setTimeout(r, 500));
    expect(again.error).toBeUndefined();
    expect(client.closes).toEqual([]);
  } finally {
    await client.dispose();
  }
});

it('a graphql-ws message larger than an HTTP body closes the socket (1009) unparsed', async () => {
  const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2_000_000) } }));
  const [code] = (await once(socket, 'close')) as [number];
  expect(code).toBe(1009);
});

it('twenty aliased register calls in one request are refused, and no account is made', async () => {
  const stamp = Date.now();
  const calls = Array.from(
    { length: 20 },
    (_, i) =>
      `r${i}: register(input: { email: "bulk-${stamp}-${i}@example.org", password: "bulk password ${i}", displayName: "Bulk" }) { accessToken }`,
  ).join(' ');
  const r = await gql(url, `mutation { ${calls} }`);
  expect(r.errors?.[0]?.extensions?.reason).toBe('TOO_MANY_MUTATIONS');
  expect(r.data).toBeUndefined();
  const login = await gql(
    url,
    'mutation($e: String!) { login(email: $e, password: "bulk password 0") { accessToken } }',
    {
      e: `bulk-${stamp}-0@example.org`,
    },
  );
  expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

it("each answer says what it cost; a caller's budget per minute is spent by cost, not by requests", async () => {
  const user = await aUserWithRoles(url, await loginAdmin(url), ['DRIVER']);
  await awayFromMinuteBoundary();
  const page = () => gql(url, `{ ${STATIONS} }`, {}, { token: user.token });
  const first = await page();
  const cost = (first as { extensions?: { cost?: Record<string, number> } }).extensions?.cost;
  expect(cost).toMatchObject({ limit: 50_000, budget: 30_000 });
  expect(cost!.requested).toBeGreaterThan(10_000);
  expect(cost!.remaining).toBe(30_000 - cost!.requested);
  expect((await page()).errors).toBeUndefined(); // two pages: ~23k of 30k
  const third = await page();
  expect(codeOf(third)).toBe('RATE_LIMITED');
  expect(third.status).toBe(429);
  // Another caller's budget is untouched.
  const other = await aUserWithRoles(url, await loginAdmin(url), ['DRIVER']);
  expect((await gql(url, `{ ${STATIONS} }`, {}, { token: other.token })).errors).toBeUndefined();
});
