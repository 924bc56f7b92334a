import {
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
let operator: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
});
afterAll(() => p?.stop());

const SET = `mutation($i: SetTariffInput!) { setTariff(input: $i) {
  id name currency pricePerKwh pricePerMinute sessionFee idleFeePerMinute idleGraceMinutes stationId chargerId evseId } }`;
const aTariff = (stationId: string, overrides: Record<string, unknown> = {}) => ({
  stationId,
  name: 'Standard',
  currency: 'usd',
  pricePerKwh: '0.39',
  idleFeePerMinute: '0.10',
  idleGraceMinutes: 15,
  ...overrides,
});

describe('tariffs', () => {
  it('the station’s operator sets a tariff; its prices read back as decimal strings', async () => {
    const station = await createStation(url, operator.token);
    const r = await gql(url, SET, { i: aTariff(station.id, { sessionFee: '1' }) }, { token: operator.token });
    expect(r.errors).toBeUndefined();
    expect(r.data!.setTariff).toMatchObject({
      name: 'Standard',
      currency: 'USD',
      pricePerKwh: '0.39',
      pricePerMinute: '0.00',
      sessionFee: '1.00',
      idleFeePerMinute: '0.10',
      idleGraceMinutes: 15,
      stationId: station.id,
      chargerId: null,
      evseId: null,
    });
    const list = await gql(url, 'query($s: ID!) { tariffs(stationId: $s) { id pricePerKwh } }', {
      s: station.id,
    });
    expect(list.data!.tariffs).toEqual([{ id: r.data!.setTariff.id, pricePerKwh: '0.39' }]);
  });

  it('newer tariffs come first; older ones stay for the sessions they priced', async () => {
    const station = await createStation(url, operator.token);
    await gql(url, SET, { i: aTariff(station.id, { pricePerKwh: '0.30' }) }, { token: operator.token });
    await gql(url, SET, { i: aTariff(station.id, { pricePerKwh: '0.45' }) }, { token: operator.token });
    const list = await gql(url, 'query($s: ID!) { tariffs(stationId: $s) { pricePerKwh } }', {
      s: station.id,
    });
    expect(list.data!.tariffs.map((t: any) => t.pricePerKwh)).toEqual(['0.45', '0.30']);
  });

  it('refuses other operators and drivers, and allows admins', async () => {
    const station = await createStation(url, operator.token);
    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    const driver = await registerUser(url);
    expect(codeOf(await gql(url, SET, { i: aTariff(station.id) }, { token: other.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(url, SET, { i: aTariff(station.id) }, { token: driver.token }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(url, SET, { i: aTariff(station.id) }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(url, SET, { i: aTariff(station.id) }, { token: admin.token }))).toBeUndefined();
  });

  it.each([
    ['a negative price', { pricePerKwh: '-0.1' }, 'pricePerKwh'],
    ['too many decimals', { pricePerKwh: '0.1234567' }, 'pricePerKwh'],
    ['a bad currency', { currency: 'EURO' }, 'currency'],
    ['a negative grace period', { idleGraceMinutes: -1 }, 'idleGraceMinutes'],
    ['an EVSE without a charger', { evseId: 1 }, 'chargerId'],
  ])('rejects %s with BAD_USER_INPUT', async (_what, override, field) => {
    const station = await createStation(url, operator.token);
    const r = await gql(url, SET, { i: aTariff(station.id, override) }, { token: operator.token });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
  });

  it('answers an unknown station with NOT_FOUND', async () => {
    const r = await gql(
      url,
      SET,
      { i: aTariff('00000000-0000-4000-8000-000000000000') },
      { token: operator.token },
    );
    expect(codeOf(r)).toBe('NOT_FOUND');
  });
});

describe('session queries without sessions', () => {
  it('mySessions is empty for a new driver and needs a sign-in', async () => {
    const driver = await registerUser(url);
    const r = await gql(
      url,
      '{ mySessions { edges { node { id } } pageInfo { hasNextPage } } }',
      {},
      { token: driver.token },
    );
    expect(r.data!.mySessions).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
    expect(codeOf(await gql(url, '{ mySessions { edges { node { id } } } }'))).toBe('UNAUTHENTICATED');
  });

  it('sessions is for operators, auditors and admins only', async () => {
    const driver = await registerUser(url);
    const auditor = await aUserWithRoles(url, admin, ['AUDITOR']);
    expect(
      codeOf(await gql(url, '{ sessions { edges { node { id } } } }', {}, { token: driver.token })),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(url, '{ sessions { edges { node { id } } } }', {}, { token: auditor.token })),
    ).toBeUndefined();
    const bad = await gql(
      url,
      '{ sessions(filter: { stationId: "x" }) { edges { node { id } } } }',
      {},
      { token: operator.token },
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });

  it('an unknown session is NOT_FOUND', async () => {
    const r = await gql(
      url,
      '{ session(id: "00000000-0000-4000-8000-000000000000") { id } }',
      {},
      { token: admin.token },
    );
    expect(codeOf(r)).toBe('NOT_FOUND');
  });

  it('another user’s sessions are FORBIDDEN through User.sessions', async () => {
    const driver = await registerUser(url);
    const r = await gql(
      url,
      'query($id: ID!) { station(id: $id) { operator { sessions { edges { node { id } } } } } }',
      {
        id: (await createStation(url, operator.token)).id,
      },
      { token: driver.token },
    );
    expect(codeOf(r)).toBe('FORBIDDEN');
  });
});
