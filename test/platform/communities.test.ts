import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let operator: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  operator = await aUserWithRoles(url, await loginAdmin(url), ['OPERATOR']);
});
afterAll(() => p?.stop());

const CREATE =
  'mutation($i: CreateCommunityInput!) { createCommunity(input: $i) { id name intervalMinutes gateClosureMinutes priceFloorPerKwh priceCapPerKwh operatorId } }';
const aCommunity = (overrides: Record<string, unknown> = {}) => ({
  name: `Solar street ${Date.now()}`,
  timezone: 'Europe/Berlin',
  priceFloorPerKwh: 0,
  priceCapPerKwh: 500_000,
  ...overrides,
});

it('an operator creates a community (15-minute intervals, 5-minute gate closure by default); anyone lists it', async () => {
  const r = await gql(url, CREATE, { i: aCommunity() }, { token: operator.token });
  expect(r.errors).toBeUndefined();
  expect(r.data!.createCommunity).toMatchObject({
    intervalMinutes: 15,
    gateClosureMinutes: 5,
    priceCapPerKwh: 500_000,
    operatorId: operator.userId,
  });
  const id = r.data!.createCommunity.id;
  const list = await gql(url, '{ communities { id name } }');
  expect(list.data!.communities.map((c: { id: string }) => c.id)).toContain(id);
  expect((await gql(url, 'query($c: ID!) { community(id: $c) { id } }', { c: id })).data!.community.id).toBe(
    id,
  );
  expect(codeOf(await gql(url, 'query { community(id: "nope") { id } }'))).toBe('NOT_FOUND');
});

it('refuses impossible markets with BAD_USER_INPUT and the field; drivers may not create one', async () => {
  for (const [bad, field] of [
    [{ intervalMinutes: 7 }, 'intervalMinutes'],
    [{ intervalMinutes: 90 }, 'intervalMinutes'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ priceFloorPerKwh: 10, priceCapPerKwh: 5 }, 'priceCapPerKwh'],
    [{ name: ' ' }, 'name'],
  ] as const) {
    const r = await gql(url, CREATE, { i: aCommunity(bad) }, { token: operator.token });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
  }
  const driver = await registerUser(url);
  expect(codeOf(await gql(url, CREATE, { i: aCommunity() }, { token: driver.token }))).toBe('FORBIDDEN');
});
