import { loginAdmin, type Session } from '../support/builders.js';
import { codeOf, expectNoInternals, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { wsClient, wsRequest } from '../support/subscriptions.js';

let p: TestPlatform;
let url: string;
let admin: Session;

beforeAll(async () => {
  // As production runs by default: no introspection, no suggestions; one allowed browser origin.
  p = await startTestPlatform({ GRAPHQL_INTROSPECTION: 'false', CORS_ORIGINS: 'https://app.example' });
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as {
    data?: unknown;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  return { status: res.status, ...json };
}

it.each([
  ['several operations and no operationName', { query: 'query A { __typename } query B { __typename }' }],
  [
    'several operations and an unknown operationName',
    { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
  ],
])('%s: 400 BAD_USER_INPUT, not a 500', async (_what, body) => {
  const r = await post(body);
  expect(r.status).toBe(400);
  expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

it('an APQ hash that does not match its query is BAD_USER_INPUT', async () => {
  const r = await post({
    query: '{ __typename }',
    extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
  });
  expect(r.status).toBe(400);
  expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

it.each([
  ['radiusKm: 1e999', '{ stations(near: { lat: 0, lng: 0, radiusKm: 1e999 }) { edges { cursor } } }'],
  ['a tampered cursor', '{ stations(first: 1, after: "not-a-cursor") { edges { cursor } } }'],
  [
    'a tampered base64 cursor',
    `{ stations(first: 1, after: "${Buffer.from('["x"]').toString('base64url')}") { edges { cursor } } }`,
  ],
  ['expiresAt: "x"', 'mutation { addIdToken(token: "HYGIENE01", expiresAt: "x") { id } }'],
])('%s is BAD_USER_INPUT', async (_what, query) => {
  const r = await gql(url, query, {}, { token: admin.token });
  expect(codeOf(r)).toBe('BAD_USER_INPUT');
  expectNoInternals(r);
});

it('createStation for an unknown operator is NOT_FOUND and creates nothing', async () => {
  const name = `Orphan ${Date.now()}`;
  const r = await gql(
    url,
    `mutation($o: ID!, $n: String!) { createStation(input: { name: $n, address: "x", location: { lat: 1, lng: 1 },
       timezone: "UTC", operatorId: $o }) { id operator { id } } }`,
    { o: '00000000-0000-4000-8000-000000000000', n: name },
    { token: admin.token },
  );
  expect(codeOf(r)).toBe('NOT_FOUND');
  const search = await gql(
    url,
    '{ stations(first: 100) { edges { node { name } } } }',
    {},
    { token: admin.token },
  );
  expect(search.data!.stations.edges.map((e: { node: { name: string } }) => e.node.name)).not.toContain(name);
});

it('errors leave the gateway without internal extensions (serviceName, http)', async () => {
  const r = await gql(
    url,
    '{ station(id: "00000000-0000-4000-8000-000000000000") { id } }',
    {},
    { token: admin.token },
  );
  expect(r.errors?.length).toBeGreaterThan(0);
  for (const e of r.errors!) {
    expect(e.extensions).not.toHaveProperty('serviceName');
    expect(e.extensions).not.toHaveProperty('http');
  }
  const client = wsClient(url, { authorization: `Bearer ${admin.token}` });
  try {
    const ws = await wsRequest(
      client,
      '{ station(id: "00000000-0000-4000-8000-000000000000") { id } }',
    ).catch((e) => e);
    for (const e of (ws.errors ?? ws) as { extensions?: object }[]) {
      expect(e.extensions ?? {}).not.toHaveProperty('serviceName');
      expect(e.extensions ?? {}).not.toHaveProperty('http');
    }
  } finally {
    await client.dispose();
  }
});

it('a 1.2 MB body gets 413 PAYLOAD_TOO_LARGE, not a connection reset', async () => {
  const r = await post(
    JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1_200_000) } }),
  );
  expect(r.status).toBe(413);
  expect(r.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
});

it('with introspection off, the schema is neither introspectable nor hinted at in errors', async () => {
  const intro = await gql(url, '{ __schema { types { name } } }');
  expect(intro.errors?.[0]?.message).toMatch(/introspection/i);
  const typo = await gql(url, '{ stationz { edges { cursor } } }');
  expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
});

it('answers browsers of the allowed origins only', async () => {
  const from = (origin: string) =>
    fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
  expect((await from('https://app.example')).headers.get('access-control-allow-origin')).toBe(
    'https://app.example',
  );
  expect((await from('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
});
