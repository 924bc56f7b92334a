import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { wsClient, wsRequest } from '../support/subscriptions.js';
import {
  codeOf,
  gql,
  startTestPlatform,
  type TestPlatform,
  awayFromMinuteBoundary,
} from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;
let operator: Session;

beforeAll(async () => {
  // Small limits so that the test can cross them; anonymous traffic (register/login) stays unlimited.
  p = await startTestPlatform({
    RATE_LIMIT_APIKEY_PER_MINUTE: '5',
    RATE_LIMIT_USER_PER_MINUTE: '40',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
  });
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
});
afterAll(() => p?.stop());

const CREATE = `mutation($n: String!, $s: [ApiKeyScope!]! = [USERS_READ, STATIONS_READ], $e: DateTimeISO, $m: Int, $h: Int) {
  createApiKey(name: $n, scopes: $s, expiresAt: $e, rateLimitPerMinute: $m, rateLimitPerHour: $h) {
    apiKey key { id name prefix revokedAt scopes expiresAt rateLimitPerMinute lastUsedAt } } }`;
const ME = '{ me { id roles } }';
const withKey = (apiKey: string) => ({ headers: { 'x-api-key': apiKey } });

describe('partner API keys', () => {
  it('an operator creates a key that acts as them; only a prefix is shown later', async () => {
    const r = await gql(url, CREATE, { n: 'fleet app' }, { token: operator.token });
    expect(r.errors).toBeUndefined();
    const { apiKey, key } = r.data!.createApiKey;
    expect(apiKey).toMatch(/^glk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.startsWith(key.prefix)).toBe(true);

    const me = await gql(url, ME, {}, withKey(apiKey));
    expect(me.data!.me).toEqual({ id: operator.userId, roles: ['OPERATOR'] });

    const list = await gql(url, '{ me { apiKeys { id name prefix } } }', {}, { token: operator.token });
    expect(list.data!.me.apiKeys).toContainEqual({ id: key.id, name: 'fleet app', prefix: key.prefix });
    expect(JSON.stringify(list)).not.toContain(apiKey);
  });

  it('a key can neither create nor revoke credentials, not even its own', async () => {
    const { apiKey, key } = (await gql(url, CREATE, { n: 'leaky' }, { token: operator.token })).data!
      .createApiKey;
    const asKey = (query: string, variables: Record<string, unknown> = {}) =>
      gql(url, query, variables, withKey(apiKey)).then(codeOf);
    expect(await asKey(CREATE, { n: 'successor' })).toBe('FORBIDDEN');
    expect(await asKey('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id })).toBe(
      'FORBIDDEN',
    );
    expect(await asKey('mutation { addIdToken(token: "KEYMADE01") { id } }')).toBe('FORBIDDEN');
    expect(
      await asKey(
        'mutation { walletLinkChallenge(address: "0x000000000000000000000000000000000000dEaD") { message } }',
      ),
    ).toBe('FORBIDDEN');
    const still = await gql(url, '{ me { apiKeys { name revokedAt } } }', {}, { token: operator.token });
    expect(still.data!.me.apiKeys.filter((k: { name: string }) => k.name === 'successor')).toEqual([]);
  });

  it('drivers cannot create keys; unknown keys are refused', async () => {
    const driver = await registerUser(url);
    expect(codeOf(await gql(url, CREATE, { n: 'x' }, { token: driver.token }))).toBe('FORBIDDEN');
    const r = await gql(url, ME, {}, withKey('glk_not-a-real-key'));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });

  it('a revoked key stops working (after the gateway’s 30 s cache for keys it has seen)', async () => {
    const { apiKey, key } = (await gql(url, CREATE, { n: 'short-lived' }, { token: operator.token })).data!
      .createApiKey;
    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    const foreign = await gql(
      url,
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: key.id },
      { token: other.token },
    );
    expect(codeOf(foreign)).toBe('FORBIDDEN');
    const revoked = await gql(
      url,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: key.id },
      { token: operator.token },
    );
    expect(revoked.data!.revokeApiKey.revokedAt).toEqual(expect.any(String));
    // Never presented before revocation, so the gateway has nothing cached: refused at once.
    expect(codeOf(await gql(url, ME, {}, withKey(apiKey)))).toBe('UNAUTHENTICATED');
  });

  it('limits a key to its requests per minute with RATE_LIMITED, 429 and Retry-After', async () => {
    const { apiKey } = (await gql(url, CREATE, { n: 'busy partner' }, { token: operator.token })).data!
      .createApiKey;
    for (let i = 0; i < 5; i++) expect((await gql(url, ME, {}, withKey(apiKey))).errors).toBeUndefined();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ query: ME }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another key of the same operator has its own budget.
    const { apiKey: second } = (await gql(url, CREATE, { n: 'second' }, { token: operator.token })).data!
      .createApiKey;
    expect((await gql(url, ME, {}, withKey(second))).errors).toBeUndefined();
  });

  it('a key is refused every field its scopes do not cover, before anything runs, on HTTP and WebSocket', async () => {
    // An admin's key (above the platform's 5 a minute): a key with all its owner's powers but one scope.
    const { apiKey } = (
      await gql(url, CREATE, { n: 'map widget', s: ['STATIONS_READ'], m: 30 }, { token: admin.token })
    ).data!.createApiKey;
    const asKey = (query: string) => gql(url, query, {}, withKey(apiKey));
    expect((await asKey('{ stations(first: 1) { edges { node { id } } } }')).errors).toBeUndefined();
    const me = await asKey(ME);
    expect(codeOf(me)).toBe('FORBIDDEN');
    expect(me.status).toBe(403);
    expect(me.errors![0]!.message).toMatch(/lacks the users:read scope that Query.me needs/);
    expect(codeOf(await asKey('{ sessions { edges { node { id } } } }'))).toBe('FORBIDDEN');
    // Nested: sessions and emails reached through other fields need their scopes too.
    expect(codeOf(await asKey('{ stations(first: 1) { edges { node { operator { email } } } } }'))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(await asKey('fragment F on Query { sessions { edges { node { id } } } } query { ...F }')),
    ).toBe('FORBIDDEN');
    const create = await asKey(
      'mutation { createStation(input: { name: "X", address: "a", timezone: "UTC", location: { lat: 0, lng: 0 } }) { id } }',
    );
    expect(codeOf(create)).toBe('FORBIDDEN');

    const client = wsClient(url, { apiKey });
    try {
      await expect(wsRequest(client, ME)).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      expect(
        (await wsRequest(client, '{ stations(first: 1) { edges { node { id } } } }')).errors,
      ).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });

  it('a key needs at least one scope; an expiry must lie ahead', async () => {
    expect(codeOf(await gql(url, CREATE, { n: 'none', s: [] }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
    const past = new Date(Date.now() - 1000).toISOString();
    expect(codeOf(await gql(url, CREATE, { n: 'old', e: past }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('an expiring key stops at its expiry, although the gateway has it cached', async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const { apiKey, key } = (await gql(url, CREATE, { n: 'trial', e: expiresAt }, { token: operator.token }))
      .data!.createApiKey;
    expect(key.expiresAt).toBe(expiresAt);
    expect((await gql(url, ME, {}, withKey(apiKey))).errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 100));
    const late = await gql(url, ME, {}, withKey(apiKey));
    expect(codeOf(late)).toBe('UNAUTHENTICATED');
    expect(late.errors![0]!.message).toMatch(/expired/);
  });

  it('a key may have lower limits of its own; only an admin sets them above the platform’s', async () => {
    await awayFromMinuteBoundary();
    const { apiKey, key } = (await gql(url, CREATE, { n: 'slow', m: 2 }, { token: operator.token })).data!
      .createApiKey;
    expect(key.rateLimitPerMinute).toBe(2);
    for (let i = 0; i < 2; i++) expect((await gql(url, ME, {}, withKey(apiKey))).errors).toBeUndefined();
    expect(codeOf(await gql(url, ME, {}, withKey(apiKey)))).toBe('RATE_LIMITED');

    expect(codeOf(await gql(url, CREATE, { n: 'greedy', m: 50 }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
    const raised = (await gql(url, CREATE, { n: 'partner', m: 8 }, { token: admin.token })).data!
      .createApiKey;
    for (let i = 0; i < 8; i++)
      expect((await gql(url, ME, {}, withKey(raised.apiKey))).errors).toBeUndefined();
    expect(codeOf(await gql(url, ME, {}, withKey(raised.apiKey)))).toBe('RATE_LIMITED');
  });

  it('records when a key was last used', async () => {
    const { apiKey, key } = (await gql(url, CREATE, { n: 'tracked' }, { token: operator.token })).data!
      .createApiKey;
    expect(key.lastUsedAt).toBeNull();
    const before = Date.now();
    await gql(url, ME, {}, withKey(apiKey));
    const list = await gql(url, '{ me { apiKeys { id lastUsedAt } } }', {}, { token: operator.token });
    const used = list.data!.me.apiKeys.find((k: { id: string }) => k.id === key.id);
    expect(Date.parse(used.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('limits signed-in users per account', async () => {
    const driver = await registerUser(url);
    await awayFromMinuteBoundary();
    const results = await Promise.all(
      Array.from({ length: 45 }, () => gql(url, ME, {}, { token: driver.token })),
    );
    const limited = results.filter((r) => codeOf(r) === 'RATE_LIMITED').length;
    expect(limited).toBe(5);
  });
});
