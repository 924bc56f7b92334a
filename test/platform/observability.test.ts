import { aUserWithRoles, loginAdmin, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let operator: Session;
const lines: { service: string; line: string }[] = [];

beforeAll(async () => {
  p = await startTestPlatform(
    { LOG_LEVEL: 'info' },
    { output: (service, line) => void lines.push({ service, line }) },
  );
  url = p.gatewayUrl;
  operator = await aUserWithRoles(url, await loginAdmin(url), ['OPERATOR']);
});
afterAll(() => p?.stop());

const metricsOf = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};

/** The value of one sample (`name{labels}`, labels in any order), or 0 when it is not there yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.split(' ').pop());
  }
  return 0;
}

const BOOT_16 = { chargePointVendor: 'GridLedger', chargePointModel: 'Test' };

it("the bridge's message counter for BootNotification moves when a real client boots", async () => {
  const labels = { action: 'BootNotification', direction: 'in', result: 'ok', service: 'ocpp-bridge' };
  const before = sample(await metricsOf(p.config.ports.ocpp), 'gridledger_ocpp_messages_total', labels);
  const c = await registeredCharger(url, operator);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  await cp.call('BootNotification', BOOT_16);
  const after = await metricsOf(p.config.ports.ocpp);
  await cp.close();
  expect(sample(after, 'gridledger_ocpp_messages_total', labels)).toBe(before + 1);
  expect(sample(after, 'gridledger_ocpp_connections', { protocol: 'OCPP16' })).toBeGreaterThanOrEqual(1);
});

it('counts refused charger connections by reason', async () => {
  const c = await registeredCharger(url, operator);
  const before = sample(await metricsOf(p.config.ports.ocpp), 'gridledger_ocpp_connections_refused_total', {
    reason: 'auth',
  });
  await expect(
    connectCharger(p.config.ports.ocpp, c.identity, 'wrong-password', 'ocpp1.6'),
  ).rejects.toThrow();
  const after = await metricsOf(p.config.ports.ocpp);
  expect(sample(after, 'gridledger_ocpp_connections_refused_total', { reason: 'auth' })).toBe(before + 1);
});

it("the gateway's error counter moves for a BAD_USER_INPUT, and the request is timed with its outcome", async () => {
  const port = p.config.ports.gateway;
  const before = await metricsOf(port);
  const r = await gql(url, '{ stations(near: { lat: 91, lng: 0, radiusKm: 5 }) { edges { cursor } } }');
  expect(codeOf(r)).toBe('BAD_USER_INPUT');
  const after = await metricsOf(port);
  const errors = (t: string) => sample(t, 'gridledger_graphql_errors_total', { code: 'BAD_USER_INPUT' });
  expect(errors(after)).toBe(errors(before) + 1);
  const timed = (t: string) =>
    sample(t, 'gridledger_graphql_request_duration_seconds_count', {
      operation_type: 'query',
      outcome: 'error',
    });
  expect(timed(after)).toBe(timed(before) + 1);
  // The subgraph that raised it counts it too.
  const station = await metricsOf(p.config.ports.station);
  expect(
    sample(station, 'gridledger_resolver_errors_total', { code: 'BAD_USER_INPUT' }),
  ).toBeGreaterThanOrEqual(1);
  expect(station).toMatch(/^gridledger_db_pool_connections\{state="idle"/m);
});

it('/metrics is not part of the GraphQL API', async () => {
  const r = await gql(url, '{ metrics }');
  expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  const res = await fetch(`http://127.0.0.1:${p.config.ports.gateway}/graphql/metrics`);
  expect(res.status).toBe(404);
});

it('queue gauges show a job waiting while its consumer is stopped, and none once it is back', async () => {
  const c = await registeredCharger(url, operator);
  const waiting = async () =>
    sample(await metricsOf(p.config.ports.ocpp), 'gridledger_queue_jobs', {
      queue: 'station-events',
      state: 'waiting',
    });
  // Connected first: the bridge asks the station subgraph for the charger's credentials.
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const held = await p.platform.hold('station');
  try {
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
      timestamp: new Date().toISOString(),
    });
    expect(await waiting()).toBeGreaterThanOrEqual(1);
  } finally {
    await held.resume();
  }
  await eventually(waiting, (n) => n === 0);
  await cp.close();
});

it("a request's id is in its response and on the gateway's access log line; a forged one is replaced", async () => {
  const requestId = `obs-${Date.now()}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${operator.token}`,
      'x-request-id': requestId,
    },
    body: JSON.stringify({
      query: '{ stations(near: { lat: 0, lng: 0, radiusKm: -1 }) { edges { cursor } } }',
    }),
  });
  expect(res.headers.get('x-request-id')).toBe(requestId);
  await eventually(
    async () =>
      new Set(lines.filter((l) => l.line.includes(`"requestId":"${requestId}"`)).map((l) => l.service)),
    (services) => services.has('gateway'),
    5000,
  );
  const access = lines.find((l) => l.service === 'gateway' && l.line.includes(`"requestId":"${requestId}"`))!;
  expect(JSON.parse(access.line)).toMatchObject({
    operationType: 'query',
    outcome: 'error',
    codes: ['BAD_USER_INPUT'],
  });
  // An id a client cannot be trusted with (it could forge log lines) is replaced by a fresh one.
  const forged = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'x","level":60,"y":"' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
