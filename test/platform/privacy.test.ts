import {
  aUserWithRoles,
  createStation,
  loginAdmin,
  registerUser,
  type Session,
} from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

const CARD = '04A1B2C3D4E5';
const SESSION = 'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id idToken } } } }';
const ONE = 'query($id: ID!) { session(id: $id) { idToken } }';

it("a driver's RFID tag is shown in full to the driver and admins, masked to the station's operator", async () => {
  const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const driver = await registerUser(url);
  await gql(
    url,
    'mutation($t: String!) { addIdToken(token: $t) { id } }',
    { t: CARD },
    { token: driver.token },
  );
  const c = await registeredCharger(url, operator);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: CARD,
    meterStart: 0,
    timestamp: new Date().toISOString(),
  });
  const seen = await eventually(
    () => gql(url, SESSION, { c: c.chargerId }, { token: operator.token }),
    (r) => r.data?.sessions.edges.length === 1,
  );
  await cp.close();
  const { id, idToken } = seen.data!.sessions.edges[0].node;
  expect(idToken).toBe('****D4E5');
  expect((await gql(url, ONE, { id }, { token: driver.token })).data!.session.idToken).toBe(CARD);
  expect((await gql(url, ONE, { id }, { token: admin.token })).data!.session.idToken).toBe(CARD);
});

it("an operator does not read another operator's email; admins and auditors do", async () => {
  const one = await aUserWithRoles(url, admin, ['OPERATOR']);
  const other = await aUserWithRoles(url, admin, ['OPERATOR']);
  const auditor = await aUserWithRoles(url, admin, ['AUDITOR']);
  await createStation(url, other.token, { location: { lat: -33.9, lng: 18.4 } });
  const NEAR = `{ stations(near: { lat: -33.9, lng: 18.4, radiusKm: 1 }) { edges { node { operator { id email } } } } }`;
  const as = async (s: Session) => {
    const r = await gql(url, NEAR, {}, { token: s.token });
    return r.data!.stations.edges[0].node.operator as { id: string; email: string | null };
  };
  expect(await as(one)).toEqual({ id: other.userId, email: null });
  expect((await as(admin)).email).toContain('@');
  expect((await as(auditor)).email).toContain('@');
  expect((await as(other)).email).toContain('@');
});
