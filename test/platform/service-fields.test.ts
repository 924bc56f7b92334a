import { Role } from '../../lib/auth.js';
import { ServiceClient } from '../../lib/service-client.js';
import { signInternalToken } from '../../lib/tokens.js';
import {
  aCharger,
  aUserWithRoles,
  createStation,
  loginAdmin,
  registerUser,
  type Session,
} from '../support/builders.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

const bridgeClient = (which: 'user' | 'station') =>
  new ServiceClient({
    url: p.config.subgraphUrls[which],
    keys: p.config.signing,
    service: 'ocpp-bridge',
  });

const AUTHORIZE = 'query($t: String!) { idTokenAuthorization(token: $t) { status userId } }';
const CHARGER_AUTH =
  'query($i: String!, $p: String!) { chargerAuthentication(identity: $i, password: $p) { chargerId stationId } }';

describe('id tokens', () => {
  it('a driver adds a token, sees it on User.idTokens, and the bridge is told ACCEPTED', async () => {
    const driver = await registerUser(url);
    const add = await gql(
      url,
      'mutation { addIdToken(token: "04a1b2c3d4") { token status } }',
      {},
      { token: driver.token },
    );
    expect(add.data!.addIdToken).toEqual({ token: '04A1B2C3D4', status: 'ACCEPTED' });

    const me = await gql(url, '{ me { idTokens { token status } } }', {}, { token: driver.token });
    expect(me.data!.me.idTokens).toEqual([{ token: '04A1B2C3D4', status: 'ACCEPTED' }]);

    const answer = await bridgeClient('user').request<any>(AUTHORIZE, { t: '04a1B2c3D4' });
    expect(answer.idTokenAuthorization).toEqual({ status: 'ACCEPTED', userId: driver.userId });
  });

  it('blocked, expired and unknown tokens are told BLOCKED, EXPIRED and INVALID', async () => {
    const driver = await registerUser(url);
    await gql(url, 'mutation { addIdToken(token: "CARD-BLOCK-1") { id } }', {}, { token: driver.token });
    const blocked = await gql(
      url,
      'mutation { blockIdToken(token: "card-block-1") { status } }',
      {},
      { token: driver.token },
    );
    expect(blocked.data!.blockIdToken.status).toBe('BLOCKED');

    const soon = new Date(Date.now() + 1500).toISOString();
    const exp = await gql(
      url,
      'mutation($e: DateTimeISO) { addIdToken(token: "CARD-EXP-1", expiresAt: $e) { id } }',
      { e: soon },
      { token: driver.token },
    );
    expect(exp.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1600));

    const bridge = bridgeClient('user');
    expect((await bridge.request<any>(AUTHORIZE, { t: 'CARD-BLOCK-1' })).idTokenAuthorization.status).toBe(
      'BLOCKED',
    );
    expect((await bridge.request<any>(AUTHORIZE, { t: 'CARD-EXP-1' })).idTokenAuthorization.status).toBe(
      'EXPIRED',
    );
    expect((await bridge.request<any>(AUTHORIZE, { t: 'NEVER-SEEN' })).idTokenAuthorization).toEqual({
      status: 'INVALID',
      userId: null,
    });
  });

  it('refuses a token that is taken, malformed, or not the caller’s to block', async () => {
    const a = await registerUser(url);
    const b = await registerUser(url);
    await gql(url, 'mutation { addIdToken(token: "SHARED-CARD") { id } }', {}, { token: a.token });
    expect(
      codeOf(await gql(url, 'mutation { addIdToken(token: "shared-card") { id } }', {}, { token: b.token })),
    ).toBe('CONFLICT');
    expect(codeOf(await gql(url, 'mutation { addIdToken(token: "x") { id } }', {}, { token: b.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(
        await gql(url, 'mutation { blockIdToken(token: "SHARED-CARD") { id } }', {}, { token: b.token }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(url, 'mutation { blockIdToken(token: "SHARED-CARD") { id } }', {}, { token: admin.token }),
      ),
    ).toBeUndefined();
    expect(codeOf(await gql(url, 'mutation { addIdToken(token: "ANON-CARD") { id } }'))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('shows a user’s tokens only to that user and admins', async () => {
    const a = await registerUser(url);
    const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
    const station = await createStation(url, operator.token);
    expect(station.operator.id).toBe(operator.userId);
    // Reach another user's node through federation: the station's operator.
    const q = 'query($id: ID!) { station(id: $id) { operator { idTokens { token } } } }';
    expect(codeOf(await gql(url, q, { id: station.id }, { token: a.token }))).toBe('FORBIDDEN');
    expect(
      (await gql(url, q, { id: station.id }, { token: admin.token })).data!.station.operator.idTokens,
    ).toEqual([]);
  });
});

describe('service-only fields', () => {
  it('are not part of the gateway’s API', async () => {
    const r = await gql(url, AUTHORIZE, { t: 'ANY' }, { token: admin.token });
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    const c = await gql(url, CHARGER_AUTH, { i: 'X', p: 'Y' }, { token: admin.token });
    expect(codeOf(c)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuse a user’s internal token even if it reaches the subgraph', async () => {
    const internal = await signInternalToken(p.config.signing.privateKey('gateway'), 60, {
      userId: admin.userId,
      roles: [Role.ADMIN],
      via: 'jwt',
    });
    const r = await gql(
      p.config.subgraphUrls.user,
      AUTHORIZE,
      { t: 'ANY' },
      { headers: { 'x-gridledger-internal': internal } },
    );
    expect(codeOf(r)).toBe('FORBIDDEN');
  });

  it('check charger credentials for the bridge: the right password only', async () => {
    const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
    const station = await createStation(url, operator.token);
    const reg = await gql(
      url,
      'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { id identity } } }',
      { s: station.id, i: aCharger() },
      { token: operator.token },
    );
    const { password, charger } = reg.data!.registerCharger;
    const bridge = bridgeClient('station');

    const ok = await bridge.request<any>(CHARGER_AUTH, { i: charger.identity, p: password });
    expect(ok.chargerAuthentication).toEqual({ chargerId: charger.id, stationId: station.id });
    expect(
      (await bridge.request<any>(CHARGER_AUTH, { i: charger.identity, p: `${password}x` }))
        .chargerAuthentication,
    ).toBeNull();
    expect(
      (await bridge.request<any>(CHARGER_AUTH, { i: 'NO-SUCH-CHARGER', p: password })).chargerAuthentication,
    ).toBeNull();
  });

  it('reports a subgraph error to the calling service as a ServiceCallError with its code', async () => {
    const wrongService = new ServiceClient({
      url: p.config.subgraphUrls.user,
      keys: p.config.signing,
      service: 'settlement-worker',
    });
    await expect(wrongService.request(AUTHORIZE, { t: 'ANY' })).rejects.toMatchObject({
      name: 'ServiceCallError',
      code: 'FORBIDDEN',
    });
  });
});
