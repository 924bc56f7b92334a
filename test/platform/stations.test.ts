import {
  aCharger,
  aStation,
  aUserWithRoles,
  createStation,
  loginAdmin,
  registerUser,
  type Session,
} from '../support/builders.js';
import { codeOf, expectNoInternals, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

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

const CREATE =
  'mutation($input: CreateStationInput!) { createStation(input: $input) { id name operator { id } } }';
const REGISTER =
  'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { id identity connectors { evseId connectorId type maxPowerKw status } } } }';
const SEARCH = `query($near: NearInput, $filter: StationFilter, $first: Int, $after: String) {
  stations(near: $near, filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name distanceKm operator { id email displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('role checks on station management', () => {
  it('a driver cannot create a station; an anonymous caller must authenticate', async () => {
    const driver = await registerUser(url);
    expect(codeOf(await gql(url, CREATE, { input: aStation() }, { token: driver.token }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(url, CREATE, { input: aStation() }))).toBe('UNAUTHENTICATED');
  });

  it('an operator creates stations for themself, and only an admin for someone else', async () => {
    const mine = await createStation(url, operator.token);
    expect(mine.operator.id).toBe(operator.userId);

    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    const forOther = await gql(
      url,
      CREATE,
      { input: aStation({ operatorId: other.userId }) },
      { token: operator.token },
    );
    expect(codeOf(forOther)).toBe('FORBIDDEN');
    const byAdmin = await gql(
      url,
      CREATE,
      { input: aStation({ operatorId: other.userId }) },
      { token: admin.token },
    );
    expect(byAdmin.data!.createStation.operator.id).toBe(other.userId);
  });

  it('only the station’s operator or an admin updates it or registers chargers on it', async () => {
    const station = await createStation(url, operator.token);
    const intruder = await aUserWithRoles(url, admin, ['OPERATOR']);
    const update =
      'mutation($id: ID!, $name: String) { updateStation(id: $id, input: { name: $name }) { name } }';
    expect(
      codeOf(await gql(url, update, { id: station.id, name: 'Mine now' }, { token: intruder.token })),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(url, REGISTER, { s: station.id, i: aCharger() }, { token: intruder.token })),
    ).toBe('FORBIDDEN');
    expect(
      (await gql(url, update, { id: station.id, name: 'Renamed' }, { token: operator.token })).data!
        .updateStation.name,
    ).toBe('Renamed');
    expect(
      (await gql(url, update, { id: station.id, name: 'By admin' }, { token: admin.token })).data!
        .updateStation.name,
    ).toBe('By admin');
  });
});

describe('chargers', () => {
  it('registers a charger, returns its password once, and rejects a duplicate identity', async () => {
    const station = await createStation(url, operator.token);
    const input = aCharger({
      connectors: [
        { evseId: 1, type: 'CCS2', maxPowerKw: 150 },
        { evseId: 2, type: 'TYPE2', maxPowerKw: 22 },
      ],
    });
    const r = await gql(url, REGISTER, { s: station.id, i: input }, { token: operator.token });
    expect(r.errors).toBeUndefined();
    const { password, charger } = r.data!.registerCharger;
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(charger.connectors).toEqual([
      { evseId: 1, connectorId: 1, type: 'CCS2', maxPowerKw: 150, status: 'UNKNOWN' },
      { evseId: 2, connectorId: 1, type: 'TYPE2', maxPowerKw: 22, status: 'UNKNOWN' },
    ]);

    const byIdentity = await gql(
      url,
      'query($i: String!) { chargerByIdentity(identity: $i) { id station { id } } }',
      { i: input.identity },
    );
    expect(byIdentity.data!.chargerByIdentity).toEqual({ id: charger.id, station: { id: station.id } });
    expect(JSON.stringify(byIdentity)).not.toContain(password);

    const again = await gql(
      url,
      REGISTER,
      { s: station.id, i: aCharger({ identity: input.identity }) },
      { token: operator.token },
    );
    expect(codeOf(again)).toBe('CONFLICT');
  });

  it.each([
    ['has a colon', 'CP:1'],
    ['is empty', ''],
    ['has a slash', 'a/b'],
    ['is too long', 'x'.repeat(49)],
  ])('rejects an identity that %s', async (_what, identity) => {
    const station = await createStation(url, operator.token);
    const r = await gql(
      url,
      REGISTER,
      { s: station.id, i: aCharger({ identity }) },
      { token: operator.token },
    );
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe('identity');
  });

  it('adds connectors, refusing a duplicate EVSE/connector pair and nonsense power', async () => {
    const station = await createStation(url, operator.token);
    const { charger } = (
      await gql(url, REGISTER, { s: station.id, i: aCharger() }, { token: operator.token })
    ).data!.registerCharger;
    const add =
      'mutation($c: ID!, $i: AddConnectorInput!) { addConnector(chargerId: $c, input: $i) { evseId connectorId type } }';
    const ok = await gql(
      url,
      add,
      { c: charger.id, i: { evseId: 1, connectorId: 2, type: 'CHADEMO', maxPowerKw: 50 } },
      { token: operator.token },
    );
    expect(ok.data!.addConnector).toEqual({ evseId: 1, connectorId: 2, type: 'CHADEMO' });
    const dup = await gql(
      url,
      add,
      { c: charger.id, i: { evseId: 1, connectorId: 2, type: 'CCS2', maxPowerKw: 50 } },
      { token: operator.token },
    );
    expect(codeOf(dup)).toBe('CONFLICT');
    const bad = await gql(
      url,
      add,
      { c: charger.id, i: { evseId: 0, type: 'CCS2', maxPowerKw: -3 } },
      { token: operator.token },
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('geo search', () => {
  // A line of stations going east from a point in Lisbon, 0..9 km away, alternating connector types.
  const origin = { lat: 38.7223, lng: -9.1393 };
  const kmPerDegLng = 111.32 * Math.cos((origin.lat * Math.PI) / 180);
  let ids: string[] = [];
  let searchOperator: Session;

  beforeAll(async () => {
    searchOperator = await aUserWithRoles(url, admin, ['OPERATOR']);
    ids = [];
    for (let i = 0; i < 10; i++) {
      const station = await createStation(url, searchOperator.token, {
        name: `Lisbon ${i}`,
        location: { lat: origin.lat, lng: origin.lng + (i + 0.5) / kmPerDegLng },
      });
      const connectors = [{ evseId: 1, type: i % 2 ? 'TYPE2' : 'CCS2', maxPowerKw: i % 2 ? 22 : 150 }];
      await gql(
        url,
        REGISTER,
        { s: station.id, i: aCharger({ connectors }) },
        { token: searchOperator.token },
      );
      ids.push(station.id);
    }
    // A station far away that no Lisbon search may return.
    await createStation(url, searchOperator.token, {
      name: 'Porto',
      location: { lat: 41.1579, lng: -8.6291 },
    });
  });

  it('orders by distance and resolves the operator from the user subgraph', async () => {
    const r = await gql(
      url,
      SEARCH,
      { near: { ...origin, radiusKm: 20 }, first: 20 },
      { token: admin.token },
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.stations.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual(ids);
    const distances = nodes.map((n: any) => n.distanceKm);
    expect(distances[0]).toBeCloseTo(0.5, 1);
    expect(distances[9]).toBeCloseTo(9.5, 1);
    expect(nodes[0].operator).toEqual({
      id: searchOperator.userId,
      email: expect.stringContaining('@'),
      displayName: 'Dana Driver',
    });
  });

  it('keeps the radius: a 3 km search finds the three nearest only', async () => {
    const r = await gql(url, SEARCH, { near: { ...origin, radiusKm: 3 } });
    expect(r.data!.stations.edges.map((e: any) => e.node.id)).toEqual(ids.slice(0, 3));
  });

  it('pages by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r: any = await gql(url, SEARCH, { near: { ...origin, radiusKm: 20 }, first: 3, after });
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.stations.edges.map((e: any) => e.node.id));
      after = r.data.stations.pageInfo.hasNextPage ? r.data.stations.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(seen).toEqual(ids);
    expect(pages).toBe(4);
  });

  it('filters by connector type and power', async () => {
    const ccs = await gql(url, SEARCH, {
      near: { ...origin, radiusKm: 20 },
      filter: { connectorType: 'CCS2' },
    });
    expect(ccs.data!.stations.edges.map((e: any) => e.node.id)).toEqual(ids.filter((_, i) => i % 2 === 0));
    const fast = await gql(url, SEARCH, { near: { ...origin, radiusKm: 20 }, filter: { minPowerKw: 100 } });
    expect(fast.data!.stations.edges).toHaveLength(5);
    // No connector has reported AVAILABLE yet.
    const available = await gql(url, SEARCH, {
      near: { ...origin, radiusKm: 20 },
      filter: { availableOnly: true },
    });
    expect(available.data!.stations.edges).toHaveLength(0);
  });

  it('hides the operator’s email from anonymous callers but still resolves the operator', async () => {
    const r = await gql(url, SEARCH, { near: { ...origin, radiusKm: 1 } });
    expect(r.data!.stations.edges[0].node.operator).toEqual({
      id: searchOperator.userId,
      email: null,
      displayName: 'Dana Driver',
    });
  });

  it('lists an operator’s stations on User.stations', async () => {
    const r = await gql(
      url,
      '{ me { stations(first: 50) { edges { node { name } } } } }',
      {},
      { token: searchOperator.token },
    );
    const names = r.data!.me.stations.edges.map((e: any) => e.node.name);
    expect(names).toEqual([...[...Array(10).keys()].map((i) => `Lisbon ${i}`), 'Porto'].sort());
  });

  it.each([
    ['latitude out of range', { lat: 91, lng: 0, radiusKm: 5 }],
    ['longitude out of range', { lat: 0, lng: -181, radiusKm: 5 }],
    ['a negative radius', { lat: 0, lng: 0, radiusKm: -1 }],
    ['a huge radius', { lat: 0, lng: 0, radiusKm: 100000 }],
  ])('rejects %s with BAD_USER_INPUT', async (_what, near) => {
    const r = await gql(url, SEARCH, { near });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expectNoInternals(r);
  });

  it('rejects coordinates of the wrong type before reaching a subgraph', async () => {
    const r = await gql(url, SEARCH, { near: { lat: 'north', lng: 0, radiusKm: 5 } });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expectNoInternals(r);
  });

  it('rejects malformed cursors and page sizes', async () => {
    expect(codeOf(await gql(url, SEARCH, { after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    expect(
      codeOf(
        await gql(url, SEARCH, {
          near: { ...origin, radiusKm: 5 },
          after: Buffer.from('["x","y"]').toString('base64url'),
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(url, SEARCH, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(url, SEARCH, { first: 1000 }))).toBe('BAD_USER_INPUT');
  });
});

describe('unknown ids and bad input', () => {
  it.each([
    ['station', '{ station(id: "00000000-0000-4000-8000-000000000000") { id } }'],
    ['station (not a uuid)', '{ station(id: "42") { id } }'],
    ['charger', '{ charger(id: "00000000-0000-4000-8000-000000000000") { id } }'],
  ])('answers an unknown %s with NOT_FOUND', async (_what, query) => {
    const r = await gql(url, query);
    expect(codeOf(r)).toBe('NOT_FOUND');
    expectNoInternals(r);
  });

  it('answers a registration on an unknown station with NOT_FOUND', async () => {
    const r = await gql(
      url,
      REGISTER,
      { s: '00000000-0000-4000-8000-000000000000', i: aCharger() },
      { token: operator.token },
    );
    expect(codeOf(r)).toBe('NOT_FOUND');
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['an empty name', { name: ' ' }, 'name'],
    ['a latitude out of range', { location: { lat: -95, lng: 0 } }, 'location.lat'],
  ])('rejects a station with %s', async (_what, override, field) => {
    const r = await gql(url, CREATE, { input: aStation(override) }, { token: operator.token });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
  });
});
