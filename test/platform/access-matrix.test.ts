/**
 * Who may call what: every mutation of the public API (read from the gateway's schema, so a new
 * mutation without a row here fails) and the sensitive queries, for anonymous callers, each role, the
 * owning and a second operator, and API keys with and without the scope the field needs.
 */
import { ROOT_FIELD_SCOPES } from '../../gateway/scopes.js';
import {
  aCharger,
  aStation,
  aUserWithRoles,
  createStation,
  loginAdmin,
  registerUser,
} from '../support/builders.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;

type Caller =
  'anonymous' | 'driver' | 'owner' | 'otherOperator' | 'auditor' | 'admin' | 'keyWithScope' | 'keyWithout';
const CALLERS: Caller[] = [
  'anonymous',
  'driver',
  'owner',
  'otherOperator',
  'auditor',
  'admin',
  'keyWithScope',
  'keyWithout',
];
const PERSONS: Caller[] = ['driver', 'owner', 'otherOperator', 'auditor', 'admin'];
const OPERATORS: Caller[] = ['owner', 'otherOperator', 'admin'];
const OWNER: Caller[] = ['owner', 'admin'];

interface Row {
  /** The operation, given the fixtures. */
  query: (f: Fixtures) => { query: string; variables?: Record<string, unknown> };
  /**
   * Who gets past authentication and authorization (any other outcome: a result, NOT_FOUND, a charger
   * offline…); everyone else must get UNAUTHENTICATED or FORBIDDEN. `keyWithScope` is the owner's key
   * with the field's scope, where one exists.
   */
  allowed: Caller[];
}

interface Fixtures {
  stationId: string;
  chargerId: string;
  userId: string;
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const command = (m: string, args: string) => (f: Fixtures) => ({
  query: `mutation($c: ID!) { ${m}(chargerId: $c, ${args}) { __typename } }`,
  variables: { c: f.chargerId },
});

/** Mutations. Sessions are looked up by id: for an unknown one, who passes still gets NOT_FOUND. */
const MUTATIONS: Record<string, Row> = {
  createStation: {
    query: () => ({
      query: 'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
      variables: { i: aStation() },
    }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  updateStation: {
    query: (f) => ({
      query: 'mutation($s: ID!) { updateStation(id: $s, input: { name: "Renamed" }) { id } }',
      variables: { s: f.stationId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  registerCharger: {
    query: (f) => ({
      query:
        'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password } }',
      variables: { s: f.stationId, i: aCharger() },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  addConnector: {
    query: (f) => ({
      query:
        'mutation($c: ID!) { addConnector(chargerId: $c, input: { evseId: 9, type: CCS2, maxPowerKw: 50 }) { id } }',
      variables: { c: f.chargerId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  setTariff: {
    query: (f) => ({
      query:
        'mutation($s: ID!) { setTariff(input: { stationId: $s, name: "T", currency: "USD", pricePerKwh: "0.30" }) { id } }',
      variables: { s: f.stationId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  startCharging: {
    query: command('startCharging', 'evseId: 1, idToken: "TAG00001"'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  resetCharger: { query: command('resetCharger', 'type: SOFT'), allowed: [...OWNER, 'keyWithScope'] },
  unlockConnector: { query: command('unlockConnector', 'evseId: 1'), allowed: [...OWNER, 'keyWithScope'] },
  changeAvailability: {
    query: command('changeAvailability', 'operative: true'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  triggerMessage: {
    query: command('triggerMessage', 'message: HEARTBEAT'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  getChargerConfiguration: {
    query: command('getChargerConfiguration', 'keys: ["HeartbeatInterval"]'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  setChargerConfiguration: {
    query: command('setChargerConfiguration', 'key: "HeartbeatInterval", value: "60"'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  updateFirmware: {
    query: command('updateFirmware', 'location: "https://fw.example.org/v2.bin"'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  requestChargerLogs: {
    query: command('requestChargerLogs', 'location: "ftp://logs.example.org/"'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  setStationPowerLimit: {
    query: (f) => ({
      query: 'mutation($s: ID!) { setStationPowerLimit(stationId: $s, limitKw: null) { id } }',
      variables: { s: f.stationId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  clearChargingProfile: {
    query: (f) => ({
      query: 'mutation($c: ID!) { clearChargingProfile(chargerId: $c) }',
      variables: { c: f.chargerId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  getCompositeSchedule: {
    query: command('getCompositeSchedule', 'evseId: 1'),
    allowed: [...OWNER, 'keyWithScope'],
  },
  syncLocalList: { query: command('syncLocalList', 'full: true'), allowed: [...OWNER, 'keyWithScope'] },
  getLocalListVersion: {
    query: (f) => ({
      query: 'mutation($c: ID!) { getLocalListVersion(chargerId: $c) }',
      variables: { c: f.chargerId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  scheduleMaintenance: {
    query: command(
      'scheduleMaintenance',
      'startsAt: "2099-01-01T00:00:00Z", endsAt: "2099-01-01T02:00:00Z", reason: "Matrix check"',
    ),
    allowed: [...OWNER, 'keyWithScope'],
  },
  recordOutageExclusion: {
    query: (f) => ({
      query:
        'mutation($s: ID!) { recordOutageExclusion(input: { stationId: $s, startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-01-01T01:00:00Z", reason: UTILITY_OUTAGE, note: "Matrix check" }) { id } }',
      variables: { s: f.stationId },
    }),
    allowed: [...OWNER, 'keyWithScope'],
  },
  // Everyone signed in exports what they may read (their own sessions, at least).
  exportSessions: {
    query: () => ({
      query: 'mutation { exportSessions(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { url } }',
    }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  exportTrades: {
    query: () => ({
      query: 'mutation { exportTrades(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { url } }',
    }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  downloadInvoice: {
    query: () => ({ query: `mutation { downloadInvoice(id: "${UNKNOWN}") { url } }` }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  issueInvoices: {
    query: () => ({ query: 'mutation { issueInvoices(period: "1999-01") }' }),
    allowed: ['admin'],
  },
  acknowledgeChargerAlert: {
    query: () => ({ query: `mutation { acknowledgeChargerAlert(id: "${UNKNOWN}") { id } }` }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  cancelMaintenance: {
    query: () => ({ query: `mutation { cancelMaintenance(id: "${UNKNOWN}") { id } }` }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  clearAuthorizationCache: {
    query: command('clearAuthorizationCache', ''),
    allowed: [...OWNER, 'keyWithScope'],
  },
  // A token that is nobody's: every person gets past the checks to BAD_USER_INPUT; API keys may not reserve.
  reserveConnector: {
    query: (f) => ({
      query:
        'mutation($c: ID!, $x: DateTimeISO!) { reserveConnector(chargerId: $c, evseId: 1, expiresAt: $x, idToken: "TAG00001") { id } }',
      variables: { c: f.chargerId, x: new Date(Date.now() + 3_600_000).toISOString() },
    }),
    allowed: PERSONS,
  },
  cancelReservation: {
    query: () => ({ query: `mutation { cancelReservation(id: "${UNKNOWN}") { id } }` }),
    allowed: PERSONS,
  },
  createPlan: {
    query: () => ({
      query:
        'mutation { createPlan(input: { name: "Plus", currency: "USD", monthlyFee: "9.90", energyDiscountPerKwh: "0.05" }) { id } }',
    }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  // An unknown plan: NOT_FOUND for operators and admins.
  retirePlan: {
    query: () => ({ query: `mutation { retirePlan(planId: "${UNKNOWN}") { id } }` }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  subscribeToPlan: {
    query: () => ({ query: `mutation { subscribeToPlan(planId: "${UNKNOWN}") { id } }` }),
    allowed: PERSONS,
  },
  cancelPlanSubscription: {
    query: () => ({ query: `mutation { cancelPlanSubscription(subscriptionId: "${UNKNOWN}") { id } }` }),
    allowed: PERSONS,
  },
  stopCharging: {
    query: () => ({ query: `mutation { stopCharging(sessionId: "${UNKNOWN}") { id } }` }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  retrySettlement: {
    query: () => ({ query: `mutation { retrySettlement(sessionId: "${UNKNOWN}") { id } }` }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  resolveSessionDispute: {
    query: () => ({
      query: `mutation { resolveSessionDispute(sessionId: "${UNKNOWN}", settle: false) { id } }`,
    }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  prepareRefund: {
    query: () => ({
      query: `mutation { prepareRefund(sessionId: "${UNKNOWN}", amount: "1.00", reason: "test") { to } }`,
    }),
    allowed: [...OPERATORS, 'keyWithScope'],
  },
  createApiKey: {
    query: () => ({ query: 'mutation { createApiKey(name: "m", scopes: [STATIONS_READ]) { apiKey } }' }),
    allowed: OPERATORS,
  },
  revokeApiKey: {
    query: () => ({ query: `mutation { revokeApiKey(id: "${UNKNOWN}") { id } }` }),
    allowed: PERSONS,
  },
  addIdToken: {
    query: () => ({
      query: `mutation { addIdToken(token: "M${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)}") { id } }`,
    }),
    allowed: PERSONS,
  },
  blockIdToken: {
    query: () => ({ query: 'mutation { blockIdToken(token: "NOSUCHTAG") { id } }' }),
    allowed: PERSONS,
  },
  setUserRoles: {
    query: (f) => ({
      query: 'mutation($u: ID!) { setUserRoles(userId: $u, roles: [DRIVER]) { id } }',
      variables: { u: f.userId },
    }),
    allowed: ['admin'],
  },
  walletLinkChallenge: {
    query: () => ({
      query:
        'mutation { walletLinkChallenge(address: "0x000000000000000000000000000000000000dEaD") { message } }',
    }),
    allowed: PERSONS,
  },
  linkWallet: {
    query: () => ({
      query:
        'mutation { linkWallet(address: "0x000000000000000000000000000000000000dEaD", signature: "0x00") { id } }',
    }),
    allowed: PERSONS,
  },
  resendVerificationEmail: {
    query: () => ({ query: 'mutation { resendVerificationEmail }' }),
    allowed: PERSONS,
  },
  changePassword: {
    query: () => ({
      query:
        'mutation { changePassword(currentPassword: "not the password", newPassword: "whatever it is now") { accessToken } }',
    }),
    // A wrong current password is UNAUTHENTICATED too: persons are told apart by the message below.
    allowed: PERSONS,
  },
  requestEmailChange: {
    query: () => ({
      query: 'mutation { requestEmailChange(newEmail: "x@example.org", password: "not the password") }',
    }),
    allowed: PERSONS,
  },
  createCommunity: {
    query: () => ({
      query:
        'mutation { createCommunity(input: { name: "M", timezone: "UTC", priceFloorPerKwh: 0, priceCapPerKwh: 500000 }) { id } }',
    }),
    allowed: OPERATORS,
  },
  // The energy market: joining and cancelling need a signed-in caller; sites and orders a market
  // role (the matrix's callers hold none but ADMIN's); device keys a person; readings a device key.
  joinCommunity: {
    query: () => ({ query: 'mutation { joinCommunity(inviteCode: "no-such-code") { id } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  createSite: {
    query: () => ({
      query: `mutation { createSite(input: { communityId: "${UNKNOWN}", name: "S", latitude: 0, longitude: 0, pvCapacityWp: 0 }) { id } }`,
    }),
    allowed: ['admin'],
  },
  registerMeter: {
    query: () => ({
      query: `mutation { registerMeter(siteId: "${UNKNOWN}", kind: PRODUCTION, serial: "SN1") { deviceKey } }`,
    }),
    allowed: PERSONS,
  },
  rotateMeterKey: {
    query: () => ({ query: `mutation { rotateMeterKey(meterId: "${UNKNOWN}") { deviceKey } }` }),
    allowed: PERSONS,
  },
  placeOrder: {
    query: () => ({
      query: `mutation { placeOrder(input: { communityId: "${UNKNOWN}", intervalStart: "2030-01-01T00:00:00Z", side: BUY, energyWh: 100, limitPricePerKwh: 10 }) { id } }`,
    }),
    allowed: ['admin'],
  },
  cancelOrder: {
    query: () => ({ query: `mutation { cancelOrder(id: "${UNKNOWN}") { id } }` }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  // A user's token or API key never stands in for a meter's device key.
  submitMeterReadings: {
    query: () => ({
      query: `mutation { submitMeterReadings(meterId: "${UNKNOWN}", readings: [{ timestamp: "2030-01-01T00:00:00Z", importWh: 1, exportWh: 1 }]) { accepted } }`,
    }),
    allowed: [],
  },
  addVehicle: {
    query: () => ({
      query:
        'mutation { addVehicle(input: { make: "M", model: "X", batteryWh: 50000, connectorTypes: [CCS2], maxAcPowerW: 11000 }) { id } }',
    }),
    allowed: PERSONS,
  },
  removeVehicle: {
    query: () => ({ query: `mutation { removeVehicle(id: "${UNKNOWN}") }` }),
    allowed: PERSONS,
  },
  // Public: anyone but an API key (a person signs in, registers, resets a password).
  register: {
    query: () => ({
      query: 'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
      variables: {
        i: {
          email: `m-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`,
          password: 'correct horse battery',
          displayName: 'M',
        },
      },
    }),
    allowed: ['anonymous', ...PERSONS],
  },
  login: {
    query: () => ({
      query: 'mutation { login(email: "nobody@example.org", password: "not the password") { accessToken } }',
    }),
    allowed: ['anonymous', ...PERSONS],
  },
  refreshToken: {
    query: () => ({ query: 'mutation { refreshToken(token: "spent") { accessToken } }' }),
    allowed: ['anonymous', ...PERSONS],
  },
  logout: {
    query: () => ({ query: 'mutation { logout(refreshToken: "spent") }' }),
    allowed: ['anonymous', ...PERSONS],
  },
  verifyEmail: {
    query: () => ({ query: 'mutation { verifyEmail(token: "made-up") { id } }' }),
    allowed: ['anonymous', ...PERSONS],
  },
  requestPasswordReset: {
    query: () => ({ query: 'mutation { requestPasswordReset(email: "nobody@example.org") }' }),
    allowed: ['anonymous', ...PERSONS],
  },
  resetPassword: {
    query: () => ({
      query: 'mutation { resetPassword(token: "made-up", newPassword: "whatever it is now") }',
    }),
    allowed: ['anonymous', ...PERSONS],
  },
};

/** Sensitive queries: accounts, sessions, escrow. */
const QUERIES: Record<string, Row> = {
  me: { query: () => ({ query: '{ me { id } }' }), allowed: [...PERSONS, 'keyWithScope'] },
  users: { query: () => ({ query: '{ users(first: 1) { edges { node { id } } } }' }), allowed: ['admin'] },
  sessions: {
    query: () => ({ query: '{ sessions(first: 1) { edges { node { id } } } }' }),
    allowed: ['owner', 'otherOperator', 'auditor', 'admin', 'keyWithScope'],
  },
  sessionLedger: {
    query: () => ({ query: '{ sessionLedger(first: 1) { nextCursor } }' }),
    allowed: ['auditor', 'admin'],
  },
  // An unknown record number: NOT_FOUND for whoever is signed in (a known one: parties, auditors, admins).
  settlementProof: {
    query: () => ({ query: '{ settlementProof(recordId: "999999999") { recordHash } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  ledgerSummary: {
    query: () => ({
      query:
        '{ ledgerSummary(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { sessionRecords trades { records } } }',
    }),
    allowed: ['auditor', 'admin'],
  },
  chargerMessages: {
    query: (f) => ({
      query:
        'query($c: ID!) { chargerMessages(chargerId: $c, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { edges { cursor } } }',
      variables: { c: f.chargerId },
    }),
    allowed: ['owner', 'admin', 'keyWithScope'],
  },
  stationReport: {
    query: (f) => ({
      query:
        'query($s: ID!) { stationReport(stationId: $s, from: "2026-01-01", to: "2026-01-02", granularity: DAY) { buckets { uptime sessions } } }',
      variables: { s: f.stationId },
    }),
    allowed: ['owner', 'auditor', 'admin', 'keyWithScope'],
  },
  // Operators get their own report; only admins and auditors name another operator.
  operatorReport: {
    query: () => ({
      query:
        '{ operatorReport(from: "2026-01-01", to: "2026-01-02", granularity: DAY) { buckets { uptime sessions } } }',
    }),
    allowed: ['owner', 'otherOperator', 'auditor', 'admin', 'keyWithScope'],
  },
  refundLedger: {
    query: () => ({ query: '{ refundLedger(first: 1) { nextCursor } }' }),
    allowed: ['auditor', 'admin'],
  },
  planFeeLedger: {
    query: () => ({ query: '{ planFeeLedger(first: 1) { nextCursor } }' }),
    allowed: ['auditor', 'admin'],
  },
  // An unknown record: NOT_FOUND for whoever is signed in.
  planFeeProof: {
    query: () => ({ query: '{ planFeeProof(recordId: "999999999") { recordHash } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  plans: {
    query: (f) => ({ query: 'query($u: ID!) { plans(operatorId: $u) { id } }', variables: { u: f.userId } }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  planSubscriptions: {
    query: () => ({ query: '{ planSubscriptions { id } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  readingAnchors: {
    query: () => ({ query: '{ readingAnchors(first: 1) { nextCursor } }' }),
    allowed: ['auditor', 'admin'],
  },
  // An unknown meter: NOT_FOUND for whoever is signed in.
  readingProof: {
    query: () => ({
      query: `{ readingProof(meterId: "${UNKNOWN}", intervalStart: "2026-01-01T00:00:00Z") { root } }`,
    }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  tradeLedger: {
    query: () => ({ query: '{ tradeLedger(first: 1) { nextCursor } }' }),
    allowed: ['auditor', 'admin'],
  },
  tradeSettlementProof: {
    query: () => ({ query: '{ tradeSettlementProof(recordId: "999999999") { recordHash } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  mySessions: {
    query: () => ({ query: '{ mySessions(first: 1) { edges { node { id } } } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  myEscrow: {
    query: () => ({ query: '{ myEscrow { __typename } }' }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  site: {
    query: () => ({ query: `{ site(id: "${UNKNOWN}") { id } }` }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  meterReadings: {
    query: () => ({
      query: `{ meterReadings(meterId: "${UNKNOWN}", from: "2030-01-01T00:00:00Z", to: "2030-01-02T00:00:00Z") { at } }`,
    }),
    allowed: [...PERSONS, 'keyWithScope'],
  },
  myTrades: { query: () => ({ query: '{ myTrades { id } }' }), allowed: [...PERSONS, 'keyWithScope'] },
};

const tokens = {} as Record<Caller, { token?: string; headers?: Record<string, string> }>;
let fixtures: Fixtures;
const keys = {} as Record<string, { with: string; without: string }>;

beforeAll(async () => {
  p = await startTestPlatform({
    RATE_LIMIT_APIKEY_PER_MINUTE: '0',
    RATE_LIMIT_APIKEY_PER_HOUR: '0',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  const owner = await aUserWithRoles(url, admin, ['OPERATOR']);
  const other = await aUserWithRoles(url, admin, ['OPERATOR']);
  const auditor = await aUserWithRoles(url, admin, ['AUDITOR']);
  const driver = await registerUser(url);
  const target = await registerUser(url);
  const station = await createStation(url, owner.token);
  const reg = await gql(
    url,
    'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { charger { id } } }',
    { s: station.id, i: aCharger() },
    { token: owner.token },
  );
  fixtures = {
    stationId: station.id,
    chargerId: reg.data!.registerCharger.charger.id,
    userId: target.userId,
  };
  Object.assign(tokens, {
    anonymous: {},
    driver: { token: driver.token },
    owner: { token: owner.token },
    otherOperator: { token: other.token },
    auditor: { token: auditor.token },
    admin: { token: admin.token },
  });
  // One key per scope (the owner's), and one with nothing but stations:read for "without".
  const made = new Map<string, Promise<string>>();
  const make = (scope: string) => {
    if (!made.has(scope))
      made.set(
        scope,
        gql(
          url,
          'mutation($s: [ApiKeyScope!]!) { createApiKey(name: "matrix", scopes: $s) { apiKey } }',
          { s: [scope] },
          { token: owner.token },
        ).then((r) => r.data!.createApiKey.apiKey as string),
      );
    return made.get(scope)!;
  };
  const byValue = Object.fromEntries(
    [
      'STATIONS_READ',
      'STATIONS_WRITE',
      'SESSIONS_READ',
      'CHARGERS_COMMAND',
      'SETTLEMENT_WRITE',
      'USERS_READ',
      'MARKET_READ',
      'MARKET_TRADE',
      'REPORTS_READ',
    ].map((name) => [name.toLowerCase().replace('_', ':'), name]),
  );
  const readOnly = await make('STATIONS_READ');
  for (const [coordinate, scope] of Object.entries(ROOT_FIELD_SCOPES)) {
    keys[coordinate] = {
      with: scope ? await make(byValue[scope]!) : readOnly,
      without: scope === 'stations:read' ? await make('MARKET_TRADE') : readOnly,
    };
  }
}, 120_000);
afterAll(() => p?.stop());

async function outcome(row: Row, coordinate: string, caller: Caller) {
  const { query, variables } = row.query(fixtures);
  const auth =
    caller === 'keyWithScope' || caller === 'keyWithout'
      ? { headers: { 'x-api-key': keys[coordinate]![caller === 'keyWithScope' ? 'with' : 'without'] } }
      : tokens[caller];
  const r = await gql(url, query, variables ?? {}, auth);
  const code = codeOf(r);
  // A row whose document is wrong tests nothing.
  if (code === 'GRAPHQL_VALIDATION_FAILED') throw new Error(`${coordinate}: ${r.errors![0]!.message}`);
  // A wrong current password is UNAUTHENTICATED by design; a missing sign-in says so in its message.
  const refused =
    code === 'FORBIDDEN' ||
    (code === 'UNAUTHENTICATED' &&
      !/password is wrong|invalid email or password|refresh token/i.test(r.errors![0]!.message));
  return { refused, code, message: r.errors?.[0]?.message };
}

it('every mutation of the public API has a row in this matrix', async () => {
  const r = await gql(url, '{ __schema { mutationType { fields { name } } } }');
  const names = (r.data!.__schema.mutationType.fields as { name: string }[]).map((f) => f.name).sort();
  expect(names).toEqual(Object.keys(MUTATIONS).sort());
});

describe.each([
  ['Mutation', MUTATIONS],
  ['Query', QUERIES],
] as const)('%s', (type, rows) => {
  it.each(Object.keys(rows))('%s: who passes and who is refused', async (field) => {
    const row = rows[field]!;
    const coordinate = `${type}.${field}`;
    const scoped = ROOT_FIELD_SCOPES[coordinate];
    const seen: Record<string, string> = {};
    for (const caller of CALLERS) {
      const expected = row.allowed.includes(caller) && (scoped || !caller.startsWith('key'));
      const { refused, code, message } = await outcome(row, coordinate, caller);
      if (refused === expected) seen[caller] = `${refused ? 'refused' : 'passed'} (${code}: ${message})`;
    }
    expect(seen).toEqual({});
  });
});
