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
let operator: Session;
let driver: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  driver = await registerUser(url);
});
afterAll(() => p?.stop());

const ADD =
  'mutation($i: AddVehicleInput!) { addVehicle(input: $i) { id make batteryWh connectorTypes maxAcPowerW maxDcPowerW } }';
const aVehicle = (overrides: Record<string, unknown> = {}) => ({
  make: 'Volkswagen',
  model: 'ID.3',
  batteryWh: 58_000,
  connectorTypes: ['CCS2', 'TYPE2'],
  maxAcPowerW: 11_000,
  maxDcPowerW: 120_000,
  ...overrides,
});
const COMPATIBLE =
  'query($v: ID!) { stations(first: 100, filter: { compatibleWith: $v }) { edges { node { id } } } }';

async function stationWith(type: string) {
  const station = await createStation(url, operator.token);
  const r = await gql(
    url,
    'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { charger { id } } }',
    { s: station.id, i: aCharger({ connectors: [{ evseId: 1, type, maxPowerKw: 50 }] }) },
    { token: operator.token },
  );
  expect(r.errors).toBeUndefined();
  return station.id;
}

it('a driver adds vehicles (Wh and W, whole numbers) and sees them on their account only', async () => {
  const r = await gql(url, ADD, { i: aVehicle() }, { token: driver.token });
  expect(r.errors).toBeUndefined();
  expect(r.data!.addVehicle).toMatchObject({
    make: 'Volkswagen',
    batteryWh: 58_000,
    connectorTypes: ['CCS2', 'TYPE2'],
    maxDcPowerW: 120_000,
  });
  const mine = await gql(url, '{ me { vehicles { id model } } }', {}, { token: driver.token });
  expect(mine.data!.me.vehicles).toContainEqual({ id: r.data!.addVehicle.id, model: 'ID.3' });
  const other = await registerUser(url);
  expect(
    (await gql(url, '{ me { vehicles { id } } }', {}, { token: other.token })).data!.me.vehicles,
  ).toEqual([]);
});

it('refuses impossible vehicles with BAD_USER_INPUT and the field', async () => {
  for (const [bad, field] of [
    [{ batteryWh: 10 }, 'batteryWh'],
    [{ connectorTypes: [] }, 'connectorTypes'],
    [{ make: ' ' }, 'make'],
    [{ maxAcPowerW: -1 }, 'maxAcPowerW'],
  ] as const) {
    const r = await gql(url, ADD, { i: aVehicle(bad) }, { token: driver.token });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
  }
  expect(codeOf(await gql(url, ADD, { i: aVehicle() }))).toBe('UNAUTHENTICATED');
});

it('stations(filter: { compatibleWith }) keeps the stations with a connector the vehicle plugs into', async () => {
  const ccs = await stationWith('CCS2');
  const chademo = await stationWith('CHADEMO');
  const type2 = await stationWith('TYPE2');
  const vehicle = (
    await gql(url, ADD, { i: aVehicle({ connectorTypes: ['CCS2', 'TYPE2'] }) }, { token: driver.token })
  ).data!.addVehicle;
  const r = await gql(url, COMPATIBLE, { v: vehicle.id }, { token: driver.token });
  expect(r.errors).toBeUndefined();
  const ids = r.data!.stations.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(ids).toEqual(expect.arrayContaining([ccs, type2]));
  expect(ids).not.toContain(chademo);
  const leaf = (
    await gql(
      url,
      ADD,
      { i: aVehicle({ connectorTypes: ['CHADEMO'], maxDcPowerW: 50_000 }) },
      { token: driver.token },
    )
  ).data!.addVehicle;
  const old = (await gql(url, COMPATIBLE, { v: leaf.id }, { token: driver.token })).data!.stations.edges.map(
    (e: { node: { id: string } }) => e.node.id,
  );
  expect(old).toContain(chademo);
  expect(old).not.toContain(ccs);
});

it("a vehicle is nobody else's filter: another account gets NOT_FOUND, anonymous UNAUTHENTICATED", async () => {
  const vehicle = (await gql(url, ADD, { i: aVehicle() }, { token: driver.token })).data!.addVehicle;
  const other = await registerUser(url);
  expect(codeOf(await gql(url, COMPATIBLE, { v: vehicle.id }, { token: other.token }))).toBe('NOT_FOUND');
  expect(codeOf(await gql(url, COMPATIBLE, { v: vehicle.id }))).toBe('UNAUTHENTICATED');
  expect(codeOf(await gql(url, COMPATIBLE, { v: 'not-an-id' }, { token: driver.token }))).toBe('NOT_FOUND');
});

it('a driver removes their own vehicle; another account cannot', async () => {
  const vehicle = (await gql(url, ADD, { i: aVehicle() }, { token: driver.token })).data!.addVehicle;
  const REMOVE = 'mutation($v: ID!) { removeVehicle(id: $v) }';
  const other = await registerUser(url);
  expect(codeOf(await gql(url, REMOVE, { v: vehicle.id }, { token: other.token }))).toBe('NOT_FOUND');
  expect((await gql(url, REMOVE, { v: vehicle.id }, { token: driver.token })).data!.removeVehicle).toBe(true);
  const left = (await gql(url, '{ me { vehicles { id } } }', {}, { token: driver.token })).data!.me.vehicles;
  expect(left.map((v: { id: string }) => v.id)).not.toContain(vehicle.id);
});
