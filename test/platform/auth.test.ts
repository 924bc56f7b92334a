import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { signAccessToken, signInternalToken } from '../../lib/tokens.js';
import { Role } from '../../lib/auth.js';
import { generateSigningKey, privateKeyFromSeed } from '../../lib/signing.js';
import { aUserWithRoles, loginAdmin, login, registerUser, type Session } from '../support/builders.js';
import {
  codeOf,
  expectNoInternals,
  gql,
  gqlFrom,
  startTestPlatform,
  type TestPlatform,
} from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;
const userKey = () => p.config.signing.privateKey('user-subgraph');
const gatewayKey = () => p.config.signing.privateKey('gateway');

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

const ME = '{ me { id email displayName roles } }';
const REFRESH =
  'mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken user { id roles } } }';

describe('registration and login through the gateway', () => {
  it('registers a DRIVER, logs in and reads me', async () => {
    const u = await registerUser(url, { displayName: 'Ada' });
    const session = await login(url, u.input.email.toUpperCase(), u.input.password);

    const me = await gql(url, ME, {}, { token: session.token });

    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({
      id: u.userId,
      email: u.input.email,
      displayName: 'Ada',
      roles: ['DRIVER'],
    });
  });

  it.each([
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a short password', { password: 'short' }, 'password'],
    ['an empty display name', { displayName: '   ' }, 'displayName'],
  ])('rejects %s with BAD_USER_INPUT', async (_what, override, field) => {
    const input = {
      email: `x${Date.now()}@example.org`,
      password: 'long enough password',
      displayName: 'X',
      ...override,
    };
    const r = await gql(url, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: input,
    });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
    expectNoInternals(r);
  });

  it('refuses a second account with the same email (any case)', async () => {
    const u = await registerUser(url);
    const r = await gql(url, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { ...u.input, email: u.input.email.toUpperCase() },
    });
    expect(codeOf(r)).toBe('CONFLICT');
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const u = await registerUser(url);
    const wrong = await gql(
      url,
      'mutation { login(email: "' + u.input.email + '", password: "wrong password!") { accessToken } }',
    );
    const unknown = await gql(
      url,
      'mutation { login(email: "nobody@example.org", password: "wrong password!") { accessToken } }',
    );
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });

  const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

  /** A login from another address of this machine (the gateway sees 127.0.0.2, not 127.0.0.1). */
  const loginFrom = (localAddress: string, email: string, password: string) =>
    gqlFrom(localAddress, url, LOGIN, { e: email, p: password });

  it('after five wrong passwords from one address, that address waits (growing delays); the owner logs in from another', async () => {
    const u = await registerUser(url);
    const attempt = (password: string) => gql(url, LOGIN, { e: u.input.email, p: password });
    for (let i = 0; i < 5; i++) expect(codeOf(await attempt('wrong password!'))).toBe('UNAUTHENTICATED');
    // The sixth is checked (it takes the slot), and fails; the one right after it must wait.
    expect(codeOf(await attempt('wrong password!'))).toBe('UNAUTHENTICATED');
    const waiting = await attempt(u.input.password);
    expect(codeOf(waiting)).toBe('RATE_LIMITED');
    expect(waiting.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // No lock: the owner, elsewhere, is not stopped.
    const elsewhere = await loginFrom('127.0.0.2', u.input.email, u.input.password);
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data?.login.accessToken).toEqual(expect.any(String));
  });

  it('a burst of parallel guesses gets no more password checks than guesses one after another', async () => {
    const u = await registerUser(url);
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => gql(url, LOGIN, { e: u.input.email, p: 'wrong password!' })),
    );
    const checked = burst.filter((r) => codeOf(r) === 'UNAUTHENTICATED').length;
    expect(checked).toBeLessThanOrEqual(6); // the free five and the first slot
    expect(burst.filter((r) => codeOf(r) === 'RATE_LIMITED').length).toBe(40 - checked);
    // And the right password right after the burst does not get in and reset anything.
    expect(codeOf(await gql(url, LOGIN, { e: u.input.email, p: u.input.password }))).toBe('RATE_LIMITED');
  });

  it('an unknown email is throttled exactly like a known one (the answer tells nothing)', async () => {
    const u = await registerUser(url);
    const answers = async (email: string) => {
      const codes: unknown[] = [];
      for (let i = 0; i < 7; i++)
        codes.push(codeOf(await gql(url, LOGIN, { e: email, p: 'wrong password!' })));
      return codes;
    };
    expect(await answers(`nobody-${Date.now()}@example.org`)).toEqual(await answers(u.input.email));
  });
});

describe('failed authentications', () => {
  it('past the per-address limit they are RATE_LIMITED and unknown keys are not looked up; valid tokens still work', async () => {
    const from = '127.0.0.3';
    const answers = [];
    for (let i = 0; i < 31; i++)
      answers.push(codeOf(await gqlFrom(from, url, ME, {}, { authorization: 'Bearer not-a-token' })));
    expect(answers.slice(0, 30)).toEqual(Array(30).fill('UNAUTHENTICATED'));
    expect(answers[30]).toBe('RATE_LIMITED');
    expect(codeOf(await gqlFrom(from, url, ME, {}, { 'x-api-key': 'glk_unknown-key-guess' }))).toBe(
      'RATE_LIMITED',
    );
    const u = await registerUser(url);
    const me = await gqlFrom(from, url, ME, {}, { authorization: `Bearer ${u.token}` });
    expect(me.data?.me.id).toBe(u.userId);
    // Another address is not affected.
    expect(codeOf(await gqlFrom('127.0.0.4', url, ME, {}, { authorization: 'Bearer not-a-token' }))).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('tokens', () => {
  it('rotates refresh tokens: the new one works, the spent one revokes the whole login', async () => {
    const u = await registerUser(url);
    const first = await gql(url, REFRESH, { t: u.refreshToken });
    expect(first.errors).toBeUndefined();
    const next = first.data!.refreshToken;
    expect(next.refreshToken).not.toBe(u.refreshToken);
    expect((await gql(url, ME, {}, { token: next.accessToken })).data!.me.id).toBe(u.userId);

    const replay = await gql(url, REFRESH, { t: u.refreshToken });
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');

    // The replay revoked the family: the legitimately rotated tokens are dead too.
    expect(codeOf(await gql(url, REFRESH, { t: next.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(url, ME, {}, { token: next.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the refresh token and the access tokens of that login, not other logins', async () => {
    const u = await registerUser(url);
    const other = await login(url, u.input.email, u.input.password);
    const r = await gql(url, 'mutation($t: String!) { logout(refreshToken: $t) }', { t: u.refreshToken });
    expect(r.data!.logout).toBe(true);

    expect(codeOf(await gql(url, ME, {}, { token: u.token }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(url, REFRESH, { t: u.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await gql(url, ME, {}, { token: other.token })).data!.me.id).toBe(u.userId);
  });

  it('refuses an expired access token with UNAUTHENTICATED', async () => {
    const u = await registerUser(url);
    const expired = await signAccessToken(userKey(), -5, u.userId, [Role.DRIVER], 'any-login');
    const r = await gql(url, ME, {}, { token: expired });
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0]!.message).toMatch(/expired/);
  });

  it('refuses tokens signed with another secret, malformed headers and garbage', async () => {
    const u = await registerUser(url);
    const forged = await signAccessToken(
      privateKeyFromSeed(generateSigningKey().seed),
      600,
      u.userId,
      [Role.ADMIN],
      's',
    );
    expect(codeOf(await gql(url, ME, {}, { token: forged }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(url, ME, {}, { token: 'garbage' }))).toBe('UNAUTHENTICATED');
    const basic = await gql(url, ME, {}, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(codeOf(basic)).toBe('UNAUTHENTICATED');
    expectNoInternals(basic);
  });

  it('does not accept the internal token as a user token at the gateway', async () => {
    const internal = await signInternalToken(gatewayKey(), 60, {
      userId: admin.userId,
      roles: [Role.ADMIN],
      via: 'jwt',
    });
    expect(codeOf(await gql(url, '{ users { edges { node { id } } } }', {}, { token: internal }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('asks anonymous callers of me to authenticate', async () => {
    expect(codeOf(await gql(url, ME))).toBe('UNAUTHENTICATED');
  });
});

describe('admin operations', () => {
  it('lets only admins list users and set roles', async () => {
    const driver = await registerUser(url);
    const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
    for (const token of [driver.token, operator.token]) {
      expect(codeOf(await gql(url, '{ users { edges { node { id } } } }', {}, { token }))).toBe('FORBIDDEN');
      const r = await gql(
        url,
        'mutation($id: ID!) { setUserRoles(userId: $id, roles: [ADMIN]) { id } }',
        { id: driver.userId },
        { token },
      );
      expect(codeOf(r)).toBe('FORBIDDEN');
    }
  });

  it('pages through users with cursors, without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) await registerUser(url);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const r: any = await gql(
        url,
        'query($a: String) { users(first: 2, after: $a) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }',
        { a: after },
        { token: admin.token },
      );
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.users.edges.map((e: any) => e.node.id));
      after = r.data.users.pageInfo.hasNextPage ? r.data.users.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(admin.userId);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('setUserRoles ends the old access tokens; a refresh carries the new roles', async () => {
    const u = await registerUser(url);
    const set = await gql(
      url,
      'mutation($id: ID!) { setUserRoles(userId: $id, roles: [OPERATOR, DRIVER]) { roles } }',
      { id: u.userId },
      { token: admin.token },
    );
    expect(set.data!.setUserRoles.roles).toEqual(['OPERATOR', 'DRIVER']);

    expect(codeOf(await gql(url, ME, {}, { token: u.token }))).toBe('UNAUTHENTICATED');
    const refreshed = await gql(url, REFRESH, { t: u.refreshToken });
    expect(refreshed.data!.refreshToken.user.roles).toEqual(['OPERATOR', 'DRIVER']);
    const me = await gql(url, ME, {}, { token: refreshed.data!.refreshToken.accessToken });
    expect(me.data!.me.roles).toEqual(['OPERATOR', 'DRIVER']);
  });

  it('a token refreshed earlier in the same second as a demotion stops working too', async () => {
    const u = await aUserWithRoles(url, admin, ['OPERATOR']);
    // Start of a fresh second, so that the refresh and the demotion fall in the same one.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const refreshed = await gql(url, REFRESH, { t: u.refreshToken });
    const demoted = await gql(
      url,
      'mutation($id: ID!) { setUserRoles(userId: $id, roles: [DRIVER]) { roles } }',
      { id: u.userId },
      { token: admin.token },
    );
    expect(demoted.data!.setUserRoles.roles).toEqual(['DRIVER']);
    const token = refreshed.data!.refreshToken.accessToken;
    expect(codeOf(await gql(url, ME, {}, { token }))).toBe('UNAUTHENTICATED');
    // The next refresh carries the new roles and works.
    const again = await gql(url, REFRESH, { t: refreshed.data!.refreshToken.refreshToken });
    const me = await gql(url, ME, {}, { token: again.data!.refreshToken.accessToken });
    expect(me.data!.me.roles).toEqual(['DRIVER']);
  });

  it('rejects an empty role list and unknown user ids', async () => {
    const u = await registerUser(url);
    const empty = await gql(
      url,
      'mutation($id: ID!) { setUserRoles(userId: $id, roles: []) { id } }',
      { id: u.userId },
      { token: admin.token },
    );
    expect(codeOf(empty)).toBe('BAD_USER_INPUT');
    const unknown = await gql(
      url,
      'mutation { setUserRoles(userId: "00000000-0000-4000-8000-000000000000", roles: [DRIVER]) { id } }',
      {},
      { token: admin.token },
    );
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    const badRole = await gql(
      url,
      'mutation($id: ID!) { setUserRoles(userId: $id, roles: [KING]) { id } }',
      { id: u.userId },
      { token: admin.token },
    );
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(codeOf(badRole));
  });
});

describe('each process signs with its own key, so a compromised one can mint nothing but its own tokens', () => {
  // What a process holding only its own private key could sign: any claims, any `kid`.
  const signAs = (key: KeyObject, kid: string, claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer('gridledger')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);
  const AUTHORIZE = 'query($t: String!) { idTokenAuthorization(token: $t) { status } }';
  const asInternal = (token: string) => ({ headers: { 'x-gridledger-internal': token } });

  it('a subgraph key cannot sign a caller token that another subgraph accepts', async () => {
    const stationKey = p.config.signing.privateKey('station-subgraph');
    const claims = { sub: admin.userId, roles: [Role.ADMIN] };
    for (const kid of ['station-subgraph', 'gateway']) {
      const forged = await signAs(stationKey, kid, claims, 'gridledger-subgraph');
      const r = await gql(
        p.config.subgraphUrls.user,
        '{ users { edges { node { email } } } }',
        {},
        asInternal(forged),
      );
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
    }
    // The same claims signed with the gateway's key are accepted: the refusal is about the signer.
    const genuine = await signAs(gatewayKey(), 'gateway', claims, 'gridledger-subgraph');
    const ok = await gql(
      p.config.subgraphUrls.user,
      '{ users { edges { node { email } } } }',
      {},
      asInternal(genuine),
    );
    expect(ok.errors).toBeUndefined();
  });

  it('a service key cannot sign a service token for another service', async () => {
    const stationKey = p.config.signing.privateKey('station-subgraph');
    const forged = await signAs(
      stationKey,
      'station-subgraph',
      { svc: 'ocpp-bridge' },
      'gridledger-subgraph',
    );
    expect(codeOf(await gql(p.config.subgraphUrls.user, AUTHORIZE, { t: 'X' }, asInternal(forged)))).toBe(
      'UNAUTHENTICATED',
    );
    const bridgeKey = p.config.signing.privateKey('ocpp-bridge');
    const genuine = await signAs(bridgeKey, 'ocpp-bridge', { svc: 'ocpp-bridge' }, 'gridledger-subgraph');
    const ok = await gql(p.config.subgraphUrls.user, AUTHORIZE, { t: 'X' }, asInternal(genuine));
    expect(ok.data?.idTokenAuthorization).toMatchObject({ status: expect.any(String) });
  });

  it('only the user subgraph signs access tokens the gateway accepts', async () => {
    const claims = { sub: admin.userId, roles: [Role.ADMIN], sid: 'forged' };
    for (const signer of ['gateway', 'station-subgraph'] as const) {
      const key = p.config.signing.privateKey(signer);
      for (const kid of [signer, 'user-subgraph']) {
        const forged = await signAs(key, kid, claims, 'gridledger-api');
        expect(codeOf(await gql(url, ME, {}, { token: forged }))).toBe('UNAUTHENTICATED');
      }
    }
    const genuine = await signAs(userKey(), 'user-subgraph', claims, 'gridledger-api');
    expect((await gql(url, ME, {}, { token: genuine })).data?.me.id).toBe(admin.userId);
  });

  it('HMAC tokens are refused whatever their secret', async () => {
    const hmac = await new SignJWT({ roles: [Role.ADMIN] })
      .setProtectedHeader({ alg: 'HS256', kid: 'gateway' })
      .setSubject(admin.userId)
      .setIssuer('gridledger')
      .setAudience('gridledger-subgraph')
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode('development-only-internal-secret-change-me-00'));
    const r = await gql(p.config.subgraphUrls.user, '{ __typename }', {}, asInternal(hmac));
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('subgraphs refuse requests that did not come through the gateway', () => {
  const subgraphUrls = () => [p.config.subgraphUrls.user, p.config.subgraphUrls.station];

  it('without an internal token', async () => {
    for (const sub of subgraphUrls()) {
      const r = await gql(sub, '{ __typename }');
      expect(r.status).toBe(401);
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
    }
  });

  it('with a user access token or a forged internal token instead', async () => {
    const access = await signAccessToken(userKey(), 600, admin.userId, [Role.ADMIN], 's');
    const forged = await signInternalToken(privateKeyFromSeed(generateSigningKey().seed), 60, {
      userId: admin.userId,
      roles: [Role.ADMIN],
      via: 'jwt',
    });
    for (const sub of subgraphUrls()) {
      for (const token of [access, forged]) {
        const r = await gql(sub, '{ __typename }', {}, { headers: { 'x-gridledger-internal': token } });
        expect(codeOf(r)).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('but answer a request carrying a valid internal token (so the refusals above are about the token)', async () => {
    const internal = await signInternalToken(gatewayKey(), 60, {
      userId: null,
      roles: [],
      via: 'anonymous',
    });
    const r = await gql(
      p.config.subgraphUrls.station,
      '{ __typename }',
      {},
      { headers: { 'x-gridledger-internal': internal } },
    );
    expect(r.data).toEqual({ __typename: 'Query' });
  });
});

describe('request hygiene', () => {
  it('answers malformed JSON and unknown fields with typed errors and no stack trace', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');

    const unknown = await gql(url, '{ nope }');
    expect(codeOf(unknown)).toBe('GRAPHQL_VALIDATION_FAILED');
    expectNoInternals(unknown);
  });

  it('rejects queries nested beyond the depth limit before planning them', async () => {
    const deep =
      '{ me { stations { edges { node { operator { stations { edges { node { operator { stations { edges { node { id } } } } } } } } } } } } }';
    const r = await gql(url, deep, {}, { token: admin.token });
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0]!.message).toMatch(/depth/);
  });

  it('serves /health and /ready on the gateway and both subgraphs', async () => {
    const bases = [url, p.config.subgraphUrls.user, p.config.subgraphUrls.station].map(
      (u) => new URL(u).origin,
    );
    for (const base of bases) {
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    }
  });
});
