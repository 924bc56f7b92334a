import { aUserWithRoles, createStation, loginAdmin, type Session } from '../support/builders.js';
import { eventually } from '../support/chargers.js';
import { gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { follow, wsClient, wsRequest } from '../support/subscriptions.js';

let p: TestPlatform;
let url: string;
let admin: Session;

beforeAll(async () => {
  p = await startTestPlatform({ RATE_LIMIT_USER_PER_MINUTE: '0' });
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

const ME = '{ me { id roles } }';
const STATUS = 'subscription($s: ID) { chargerStatusChanged(stationId: $s) { status } }';
const closedWith4401 = (client: ReturnType<typeof wsClient>) =>
  eventually(
    async () => client.closes,
    (closes) => closes.some((c) => c.code === 4401),
    10_000,
  );

it('after logout, an open socket runs nothing more and is closed with 4401 within seconds', async () => {
  const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const station = await createStation(url, operator.token);
  const client = wsClient(url, { authorization: `Bearer ${operator.token}` });
  try {
    expect((await wsRequest(client, ME)).data?.me.id).toBe(operator.userId);
    const live = follow(client, STATUS, { s: station.id });
    await new Promise((r) => setTimeout(r, 300));
    await gql(url, 'mutation($t: String!) { logout(refreshToken: $t) }', { t: operator.refreshToken });
    // The very next operation is refused.
    await expect(wsRequest(client, ME)).rejects.toBeTruthy();
    await closedWith4401(client);
    // And the subscription it carried has ended.
    await eventually(async () => live.completed || live.error !== undefined, Boolean, 5000);
  } finally {
    await client.dispose();
  }
});

it('after a demotion (operator → driver), the open socket can no longer create stations', async () => {
  const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const client = wsClient(url, { authorization: `Bearer ${operator.token}` });
  try {
    expect((await wsRequest(client, ME)).data?.me.roles).toEqual(['OPERATOR']);
    const demoted = await gql(
      url,
      'mutation($id: ID!) { setUserRoles(userId: $id, roles: [DRIVER]) { id } }',
      { id: operator.userId },
      { token: admin.token },
    );
    expect(demoted.errors).toBeUndefined();
    const create = wsRequest(
      client,
      'mutation { createStation(input: { name: "Not yours", address: "x", location: { lat: 1, lng: 1 }, timezone: "UTC" }) { id } }',
    );
    await expect(create).rejects.toBeTruthy();
    await closedWith4401(client);
  } finally {
    await client.dispose();
  }
});

it('after revokeApiKey, a socket opened with the key is closed with 4401 within seconds', async () => {
  const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const created = await gql(
    url,
    'mutation($n: String!) { createApiKey(name: $n, scopes: [USERS_READ, STATIONS_READ]) { apiKey key { id } } }',
    { n: 'socket test' },
    { token: operator.token },
  );
  const { apiKey, key } = created.data!.createApiKey;
  const station = await createStation(url, operator.token);
  const client = wsClient(url, { apiKey });
  try {
    expect((await wsRequest(client, ME)).data?.me.id).toBe(operator.userId);
    // A subscription keeps the (lazy) socket open; nothing is asked of it after the revocation.
    follow(client, STATUS, { s: station.id });
    await new Promise((r) => setTimeout(r, 300));
    await gql(
      url,
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: key.id },
      { token: operator.token },
    );
    await closedWith4401(client);
  } finally {
    await client.dispose();
  }
});

it('an anonymous socket runs public station queries only: no sign-in, registration, mutation or subscription', async () => {
  const client = wsClient(url);
  try {
    expect(
      (await wsRequest(client, '{ stations(first: 1) { edges { node { id } } } }')).errors,
    ).toBeUndefined();
    const refusedCode = (query: string, variables: Record<string, unknown> = {}) =>
      wsRequest(client, query, variables).then(
        () => 'answered',
        (errors: { extensions?: { code?: string } }[]) => errors[0]?.extensions?.code,
      );
    expect(await refusedCode(ME)).toBe('UNAUTHENTICATED');
    expect(
      await refusedCode('mutation($i: RegisterInput!) { register(input: $i) { user { id } } }', {
        i: { email: `ws-${Date.now()}@example.org`, password: 'correct horse battery', displayName: 'W' },
      }),
    ).toBe('UNAUTHENTICATED');
    expect(
      await refusedCode(
        'mutation { login(email: "a@example.org", password: "whatever-it-is") { accessToken } }',
      ),
    ).toBe('UNAUTHENTICATED');
    expect(await refusedCode('subscription { mySessionUpdates { sessionId } }')).toBe('UNAUTHENTICATED');
  } finally {
    await client.dispose();
  }
});
