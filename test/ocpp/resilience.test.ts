import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { freePort, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { startRedis } from '../support/redis.js';

/** Sessions here start an hour before they stop, so that their energy fits the EVSE's power. */
const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

let redisPort: number;
let redis: ChildProcess;
let p: TestPlatform;
let url: string;
let operator: Session;

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  p = await startTestPlatform({
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    OCPP_ENQUEUE_TIMEOUT_MS: '1000',
  });
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  // A known card: a session on an unknown one ends DISPUTED, not COMPLETED.
  const driver = await registerUser(url);
  await gql(url, 'mutation { addIdToken(token: "CARD") { id } }', {}, { token: driver.token });
});
afterAll(async () => {
  await p?.stop();
  redis?.kill('SIGKILL');
});

const sessionsOf = (chargerId: string) =>
  gql(
    url,
    'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status energyWh } } } }',
    { c: chargerId },
    { token: operator.token },
  );

it('a session survives a bridge crash in its middle: the charger reconnects and its stop completes it', async () => {
  const c = await registeredCharger(url, operator);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6', {
    reconnect: true,
  });
  const start = (await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: 'CARD',
    meterStart: 0,
    timestamp: anHourAgo(),
  })) as any;
  await eventually(
    () => sessionsOf(c.chargerId),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'ACTIVE',
  );

  await p.platform.restart('ocpp-bridge'); // SIGKILL, then the supervisor starts a new one
  await eventually(
    async () => cp.state,
    (state) => state === 1 /* OPEN */,
    20_000,
  );

  await cp.call('StopTransaction', {
    transactionId: start.transactionId,
    meterStop: 7_000,
    timestamp: new Date().toISOString(),
  });
  const done = await eventually(
    () => sessionsOf(c.chargerId),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'COMPLETED',
  );
  expect(done.data!.sessions.edges[0].node.energyWh).toBe(7_000);
  await cp.close();
});

it('with Redis down a StopTransaction is refused (the charger keeps it and retries), heartbeats are answered; after Redis returns the retry completes the session', async () => {
  const c = await registeredCharger(url, operator);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const start = (await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: 'CARD',
    meterStart: 1_000,
    timestamp: anHourAgo(),
  })) as any;
  await eventually(
    () => sessionsOf(c.chargerId),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'ACTIVE',
  );

  redis.kill('SIGKILL');
  await once(redis, 'exit');
  const stop = { transactionId: start.transactionId, meterStop: 4_000, timestamp: new Date().toISOString() };
  const refused = await cp.call('StopTransaction', stop).then(
    () => null,
    (err: { rpcErrorCode?: string; message?: string }) => err,
  );
  expect(refused).toMatchObject({ rpcErrorCode: 'InternalError' });
  expect(refused!.message).not.toMatch(/redis|ECONNREFUSED|at /i);
  expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });

  redis = await startRedis(redisPort);
  // The charger retries, as OCPP 1.6 §3.4 says it SHALL for transaction messages.
  await eventually(
    () =>
      cp.call('StopTransaction', stop).then(
        () => true,
        () => false,
      ),
    (ok) => ok,
    20_000,
  );
  const done = await eventually(
    () => sessionsOf(c.chargerId),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'COMPLETED',
    20_000,
  );
  expect(done.data!.sessions.edges[0].node.energyWh).toBe(3_000);
  await cp.close();
});
