import { WebSocket } from 'ws';
import { signAccessToken } from '../../lib/tokens.js';
import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { startPlatform } from '../../scripts/platform.js';
import { platformServices } from '../../scripts/services.js';
import { freePort, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { follow, wsClient, wsRequest } from '../support/subscriptions.js';

let p: TestPlatform;
let url: string;
let admin: Session;
let operator: Session;
let driver: Session;
let otherDriver: Session;
const CARD = 'SUBS0001';
const clients: { dispose: () => void | Promise<void> }[] = [];

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  driver = await registerUser(url);
  otherDriver = await registerUser(url);
  await gql(url, `mutation { addIdToken(token: "${CARD}") { id } }`, {}, { token: driver.token });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await p?.stop();
});

/** A graphql-ws client signed in as `s` (or anonymous), of the platform's gateway unless told otherwise. */
const as = (s: Session | null, gatewayUrl = url) => {
  const client = wsClient(gatewayUrl, s ? { authorization: `Bearer ${s.token}` } : {});
  clients.push(client);
  return client;
};

let clock = Date.now() - 48 * 3600_000;
/**
 * Strictly increasing charger timestamps: a status older than the stored one is (rightly) ignored. A
 * minute apart, so that a session's energy fits its EVSE's power (else it is DISPUTED).
 */
const tick = () => new Date((clock += 60_000)).toISOString();

const STATUS_EVENT = `subscription($s: ID) {
  chargerStatusChanged(stationId: $s) {
    status evseId connectorId at
    charger { identity station { name operator { displayName } } activeSession { energyWh user { id } } }
  }
}`;

/** The gateway's subscription counts (its /health): to wait until a subscription is in place. */
const counts = async () => {
  const health = (await (await fetch(new URL('/health', url))).json()) as {
    subscriptions: { upstream: number; following: number };
  };
  return health.subscriptions;
};

describe('chargerStatusChanged through the gateway', () => {
  it('delivers a StatusNotification with fields from the station, user and session subgraphs', async () => {
    const c = await registeredCharger(url, operator);
    const sub = follow(as(operator), STATUS_EVENT, { s: c.stationId });
    // The upstream subscription is in place once the gateway answers; retry the status until it lands.
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const first = await eventually(
      async () => {
        await cp.call('StatusNotification', {
          connectorId: 1,
          errorCode: 'NoError',
          status: 'Available',
          timestamp: tick(),
        });
        return sub.results.length;
      },
      (n) => n > 0,
    );
    expect(first).toBeGreaterThan(0);
    const available = await sub.next();
    expect(available.errors).toBeUndefined();
    expect(available.data!.chargerStatusChanged).toMatchObject({
      status: 'AVAILABLE',
      evseId: 1,
      charger: {
        identity: c.identity,
        station: { name: expect.any(String), operator: { displayName: expect.any(String) } },
        activeSession: null,
      },
    });

    // A session starts: the next status event carries it, resolved by the session subgraph.
    const start = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 1000,
      timestamp: tick(),
    })) as { transactionId: number };
    await eventually(
      () => gql(url, `{ mySessions { edges { node { id } } } }`, {}, { token: driver.token }),
      (r) => r.data?.mySessions.edges.length > 0,
    );
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Charging',
      timestamp: tick(),
    });
    const charging = await sub.next((r) => r.data?.chargerStatusChanged.status === 'CHARGING');
    expect(charging.data!.chargerStatusChanged.charger.activeSession).toEqual({
      energyWh: 0,
      user: { id: driver.userId },
    });
    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 2000,
      timestamp: tick(),
    });
    sub.stop();
    cp.close({ force: true });
  });

  it('delivers each report once and in order: no repeats, older reports or unregistered connectors', async () => {
    const c = await registeredCharger(url, operator);
    const sub = follow(
      as(operator),
      'subscription($c: ID) { chargerStatusChanged(chargerId: $c) { status evseId at } }',
      {
        c: c.chargerId,
      },
    );
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const report = (connectorId: number, status: string, timestamp: string) =>
      cp.call('StatusNotification', { connectorId, errorCode: 'NoError', status, timestamp });
    const first = tick();
    await eventually(
      async () => {
        await report(1, 'Available', first);
        return sub.results.length;
      },
      (n) => n > 0,
    );
    const older = tick();
    const newer = tick();
    await report(1, 'Preparing', newer);
    await report(1, 'Preparing', newer); // the charger repeats a message
    await report(1, 'Finishing', older); // reported late
    await report(5, 'Faulted', tick()); // no such connector
    await report(2, 'Unavailable', tick());
    await sub.next((r) => r.data?.chargerStatusChanged.status === 'UNAVAILABLE');
    // Whatever number of first reports it took for the subscription to be in place, they repeat one.
    const seen = sub.results.map((r) => r.data!.chargerStatusChanged);
    expect(seen).toEqual([
      { status: 'AVAILABLE', evseId: 1, at: first },
      { status: 'PREPARING', evseId: 1, at: newer },
      { status: 'UNAVAILABLE', evseId: 2, at: expect.any(String) },
    ]);
    sub.stop();
    cp.close({ force: true });
  });

  it('connectorStatusChanged carries the connector and leaves out the charger-wide status', async () => {
    const c = await registeredCharger(url, operator);
    const sub = follow(
      as(operator),
      'subscription($c: ID!) { connectorStatusChanged(chargerId: $c) { status evseId connector { evseId type } } }',
      { c: c.chargerId },
    );
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    await eventually(
      async () => {
        // Charger-wide (connectorId 0) first, then connector 1: only the latter is a connector event.
        await cp.call('StatusNotification', {
          connectorId: 0,
          errorCode: 'NoError',
          status: 'Available',
          timestamp: tick(),
        });
        await cp.call('StatusNotification', {
          connectorId: 1,
          errorCode: 'NoError',
          status: 'Available',
          timestamp: tick(),
        });
        return sub.results.length;
      },
      (n) => n > 0,
    );
    expect(sub.results.every((r) => r.data?.connectorStatusChanged.evseId === 1)).toBe(true);
    expect(sub.results[0]!.data!.connectorStatusChanged).toEqual({
      status: 'AVAILABLE',
      evseId: 1,
      connector: { evseId: 1, type: 'CCS2' },
    });
    sub.stop();
    cp.close({ force: true });
  });

  it('refuses anonymous callers, and operators of other stations', async () => {
    const c = await registeredCharger(url, operator);
    const anonymous = follow(as(null), STATUS_EVENT, { s: c.stationId });
    const stranger = follow(as(driver), STATUS_EVENT, { s: c.stationId });
    const neither = follow(as(operator), 'subscription { chargerStatusChanged { status } }');
    await eventually(
      async () => [anonymous, stranger, neither].every((f) => f.completed || f.error),
      (done) => done,
    );
    const codeOf = (f: ReturnType<typeof follow>) =>
      (f.results[0]?.errors?.[0]?.extensions?.code ??
        (f.error as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code) as string;
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(codeOf(stranger)).toBe('FORBIDDEN');
    expect(codeOf(neither)).toBe('BAD_USER_INPUT');
    for (const f of [anonymous, stranger, neither])
      expect(JSON.stringify(f.results)).not.toMatch(/at .*\.js/);
  });

  it('closes the connection with 4401 for bad credentials and when the access token expires', async () => {
    const bad = as({ token: 'not-a-token' } as Session);
    const refused = follow(bad, STATUS_EVENT, { s: '00000000-0000-0000-0000-000000000000' });
    await eventually(
      async () => bad.closes.length,
      (n) => n > 0,
    );
    expect(bad.closes[0]).toMatchObject({ code: 4401 });
    expect(refused.error).toBeDefined();

    const shortLived = await signAccessToken(
      p.config.signing.privateKey('user-subgraph'),
      2,
      operator.userId,
      ['DRIVER', 'OPERATOR'] as never,
      'short',
    );
    const expiring = as({ token: shortLived } as Session);
    const c = await registeredCharger(url, operator);
    const f = follow(expiring, STATUS_EVENT, { s: c.stationId });
    await eventually(
      async () => expiring.closes.length,
      (n) => n > 0,
      10_000,
    );
    expect(expiring.closes[0]).toMatchObject({
      code: 4401,
      reason: 'Access token expired: reconnect with a fresh one',
    });
    expect(f.error).toBeDefined();
  });

  it('a client that stops reading does not delay a healthy one', async () => {
    const c = await registeredCharger(url, operator);
    // The stalled client: a raw graphql-ws connection whose socket stops being read after subscribing.
    const stalled = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => stalled.once('open', resolve));
    stalled.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${operator.token}` } }),
    );
    await new Promise((resolve) => stalled.once('message', resolve));
    // Big events (every alias is a copy), so that what the stalled client does not read fills the socket.
    const big = `subscription($s: ID) { chargerStatusChanged(stationId: $s) { status ${Array.from({ length: 150 }, (_, i) => `c${i}: charger { identity }`).join(' ')} } }`;
    stalled.send(
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: big, variables: { s: c.stationId } } }),
    );
    const healthy = follow(as(operator), STATUS_EVENT, { s: c.stationId });
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    await eventually(
      async () => {
        await cp.call('StatusNotification', {
          timestamp: tick(),
          connectorStatus: 'Available',
          evseId: 1,
          connectorId: 1,
        });
        return healthy.results.length;
      },
      (n) => n > 0,
    );
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();

    // Every status reaches the healthy client (each within 5 s, however loaded the machine) while the
    // stalled one reads nothing: were the stalled client holding up delivery, none would arrive.
    const statuses = ['Occupied', 'Available'] as const;
    const N = 120;
    let last = healthy.results.length - 1;
    for (let i = 0; i < N; i++) {
      await cp.call('StatusNotification', {
        timestamp: tick(),
        connectorStatus: statuses[i % 2],
        evseId: 1,
        connectorId: 1,
      });
      const expected = statuses[i % 2]!.toUpperCase();
      const r = await healthy.next(
        (x) => healthy.results.indexOf(x) > last && x.data?.chargerStatusChanged.status === expected,
        5000,
      );
      last = healthy.results.indexOf(r);
    }

    // The stalled client either lost intermediate events but not the latest one, or, having not
    // answered the server's pings meanwhile, was dropped by the server.
    const received: { status: string }[] = [];
    let closedByServer = false;
    stalled.on('close', () => (closedByServer = true));
    stalled.on('message', (m) => {
      const msg = JSON.parse(String(m));
      if (msg.type === 'next') received.push(msg.payload.data.chargerStatusChanged);
    });
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    await eventually(
      async () => closedByServer || received.at(-1)?.status === 'AVAILABLE',
      (done) => done,
    );
    expect(received.length).toBeGreaterThan(0);
    stalled.terminate();
    healthy.stop();
    cp.close({ force: true });
  });
});

describe('shared upstream subscriptions', () => {
  it('identical subscriptions of one caller share one upstream; none outlives its clients', async () => {
    const [c, other] = [await registeredCharger(url, operator), await registeredCharger(url, operator)];
    const before = await counts();
    const [socket, secondSocket] = [as(operator), as(operator)];
    const sameStation = [
      follow(socket, STATUS_EVENT, { s: c.stationId }),
      follow(socket, STATUS_EVENT, { s: c.stationId }),
      follow(secondSocket, STATUS_EVENT, { s: c.stationId }), // same caller, other connection: shared
      follow(as(admin), STATUS_EVENT, { s: c.stationId }), // another caller: its own
    ];
    const otherStation = follow(socket, STATUS_EVENT, { s: other.stationId }); // other variables: its own
    await eventually(
      counts,
      (n) => n.upstream === before.upstream + 3 && n.following === before.following + 5,
    );

    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Charging',
      timestamp: tick(),
    });
    for (const sub of sameStation) {
      const event = await sub.next();
      expect(event.data!.chargerStatusChanged).toMatchObject({ status: 'CHARGING', evseId: 1 });
    }
    expect(otherStation.results).toHaveLength(0);

    for (const sub of [...sameStation, otherStation]) sub.stop();
    await eventually(counts, (n) => n.upstream === before.upstream && n.following === before.following);
    cp.close({ force: true });
  });
});

describe('sessionUpdated and mySessionUpdates', () => {
  it('streams meter values with energy, cost so far and fields of other subgraphs; only to whom it belongs', async () => {
    const c = await registeredCharger(url, operator);
    await gql(
      url,
      'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
      {
        i: {
          stationId: c.stationId,
          name: 'Standard',
          currency: 'EUR',
          pricePerKwh: '0.40',
          sessionFee: '0.50',
        },
      },
      { token: operator.token },
    );
    const before = await counts();
    const mine = follow(
      as(driver),
      'subscription { mySessionUpdates { kind sessionId session { status energyWh charger { identity station { name } } user { displayName } } costSoFar } }',
    );
    // Session events are not replayed: start the session only once the subscription is in place.
    await eventually(counts, (n) => n.following === before.following + 1);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const started = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 5000,
      timestamp: tick(),
    })) as { transactionId: number };
    const first = await mine.next((r) => r.data?.mySessionUpdates.kind === 'STARTED');
    const sessionId = first.data!.mySessionUpdates.sessionId as string;
    expect(first.data!.mySessionUpdates.session).toMatchObject({
      status: 'ACTIVE',
      charger: { identity: c.identity, station: { name: expect.any(String) } },
      user: { displayName: expect.any(String) },
    });

    const followed = follow(
      as(driver),
      'subscription($s: ID!) { sessionUpdated(sessionId: $s) { kind session { energyWh status } costSoFar } }',
      { s: sessionId },
    );
    const foreign = follow(
      as(otherDriver),
      'subscription($s: ID!) { sessionUpdated(sessionId: $s) { kind } }',
      {
        s: sessionId,
      },
    );
    let energy = 5000;
    const meter = await eventually(
      async () => {
        energy += 1000;
        await cp.call('MeterValues', {
          connectorId: 1,
          transactionId: started.transactionId,
          meterValue: [
            {
              timestamp: tick(),
              sampledValue: [
                { value: String(energy), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              ],
            },
          ],
        });
        return followed.results.find((r) => r.data?.sessionUpdated.kind === 'METER_VALUES');
      },
      (r) => r !== undefined,
    );
    const update = meter!.data!.sessionUpdated;
    expect(update.session.status).toBe('ACTIVE');
    expect(update.session.energyWh).toBeGreaterThanOrEqual(1000);
    // 0.50 session fee + 0.40 per kWh delivered so far.
    expect(update.costSoFar).toBe((0.5 + (update.session.energyWh / 1000) * 0.4).toFixed(2));

    await cp.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: energy + 1000,
      timestamp: tick(),
    });
    const stopped = await followed.next((r) => r.data?.sessionUpdated.kind === 'STOPPED');
    expect(stopped.data!.sessionUpdated.session.status).toBe('COMPLETED');
    expect(stopped.data!.sessionUpdated.costSoFar).toBe(
      (0.5 + ((energy + 1000 - 5000) / 1000) * 0.4).toFixed(2),
    );

    await eventually(
      async () => foreign.completed || foreign.error !== undefined,
      (d) => d,
    );
    expect(foreign.results.every((r) => r.data == null)).toBe(true);
    expect(foreign.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    cp.close({ force: true });
  });
});

describe('the WebSocket endpoint', () => {
  it('also runs queries and mutations, with the same errors as HTTP', async () => {
    const client = as(driver);
    const me = await wsRequest(client, '{ me { id } }');
    expect(me.data).toEqual({ me: { id: driver.userId } });
    expect(me.errors).toBeUndefined();
    // As over HTTP, the answer says what it cost.
    expect((me.extensions as { cost?: unknown } | undefined)?.cost).toMatchObject({ requested: 2 });
    const denied = await wsRequest(client, '{ users { edges { node { id } } } }');
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const invalid = await wsRequest(client, '{ nope }').catch((errors: unknown) => ({ errors }));
    expect(JSON.stringify(invalid)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('survives a restart of the subgraph that owns the subscription: events resume', async () => {
    const c = await registeredCharger(url, operator);
    const sub = follow(as(operator), STATUS_EVENT, { s: c.stationId });
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const send = (status: string) =>
      cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status, timestamp: tick() });
    await eventually(
      async () => (await send('Available'), sub.results.length),
      (n) => n > 0,
    );
    await p.platform.restart('station');
    const before = sub.results.length;
    await eventually(
      async () => (
        await send('Unavailable'),
        sub.results.length > before || sub.error !== undefined || sub.completed
      ),
      (done) => done,
      30_000,
    );
    expect(sub.error).toBeUndefined();
    expect(sub.results.at(-1)!.data!.chargerStatusChanged.status).toBe('UNAVAILABLE');
    cp.close({ force: true });
  });
});

describe('several gateways and bridges side by side', () => {
  it("every gateway delivers every bridge's events", async () => {
    // A second gateway and a second bridge on the same Redis, database and subgraphs.
    const [gatewayPort, ocppPort] = [await freePort(), await freePort()];
    const spec = (name: string, port: number) => ({
      ...platformServices(p.config).find((s) => s.name === name)!,
      healthUrl: `http://127.0.0.1:${port}/health`,
    });
    const second = await startPlatform({
      env: { ...p.env, GATEWAY_PORT: String(gatewayPort), OCPP_PORT: String(ocppPort) },
      services: [spec('gateway', gatewayPort), spec('ocpp-bridge', ocppPort)],
      stdio: 'ignore',
      log: () => {},
    });
    try {
      const secondGateway = url.replace(`:${p.config.ports.gateway}/`, `:${gatewayPort}/`);
      const onSecond = as(operator, secondGateway);
      const [a, b] = [await registeredCharger(url, operator), await registeredCharger(url, operator)];
      const subs = [
        { station: a.stationId, sub: follow(as(operator), STATUS_EVENT, { s: a.stationId }) },
        { station: a.stationId, sub: follow(onSecond, STATUS_EVENT, { s: a.stationId }) },
        { station: b.stationId, sub: follow(as(operator), STATUS_EVENT, { s: b.stationId }) },
        { station: b.stationId, sub: follow(onSecond, STATUS_EVENT, { s: b.stationId }) },
      ];
      // Charger a on the platform's bridge, charger b on the second one.
      const cpA = await connectCharger(p.config.ports.ocpp, a.identity, a.password, 'ocpp1.6');
      const cpB = await connectCharger(ocppPort, b.identity, b.password, 'ocpp1.6');
      // Each round is a change of status for both chargers, with a newer timestamp.
      const statusesOf = {
        [a.stationId]: ['Faulted', 'Available'],
        [b.stationId]: ['Reserved', 'Unavailable'],
      };
      // The first reports may precede the new subscriptions' upstream: report until every client has one.
      let round = 0;
      await eventually(
        async () => {
          round++;
          for (const [cp, station] of [
            [cpA, a.stationId],
            [cpB, b.stationId],
          ] as const) {
            const status = statusesOf[station]![round % 2];
            await cp.call('StatusNotification', {
              connectorId: 1,
              errorCode: 'NoError',
              status,
              timestamp: tick(),
            });
          }
          return subs.map((s) => s.sub.results.length);
        },
        (counts) => counts.every((n) => n > 0),
      );
      for (const { station, sub } of subs) {
        expect(sub.error).toBeUndefined();
        const event = sub.results[0]!.data!.chargerStatusChanged;
        expect(statusesOf[station]!.map((x) => x.toUpperCase())).toContain(event.status);
        expect(event.charger.identity).toBe(station === a.stationId ? a.identity : b.identity);
        expect(event.charger.station.operator.displayName).toBeTruthy();
      }
      cpA.close({ force: true });
      cpB.close({ force: true });
    } finally {
      await second.stop();
    }
  });
});
