import { loadBridgeConfig } from '../../ocpp-bridge/config.js';
import { startOcppBridge } from '../../ocpp-bridge/index.js';
import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { answerCommands, connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, freePort, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;
let operator: Session;
let blockedDriver: Session;

beforeAll(async () => {
  // Long enough that a loaded CI machine does not turn slow answers into timeouts; short enough to test one.
  p = await startTestPlatform({ CHARGER_COMMAND_TIMEOUT_MS: '4000' });
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  // The cards the remote starts below are for.
  const driver = await registerUser(url);
  for (const card of ['CARD1', 'CARD2'])
    await gql(
      url,
      'mutation($t: String!) { addIdToken(token: $t) { id } }',
      { t: card },
      { token: driver.token },
    );
  blockedDriver = await registerUser(url);
  await gql(url, 'mutation { addIdToken(token: "BLOCKED9") { id } }', {}, { token: blockedDriver.token });
});
afterAll(() => p?.stop());

const run = (query: string, variables: Record<string, unknown>, token = operator.token) =>
  gql(url, query, variables, { token });

describe('remote commands to an OCPP 1.6J charger', () => {
  it('startCharging checks the EVSE and the id token before anything is sent', async () => {
    await gql(url, 'mutation { blockIdToken(token: "BLOCKED9") { id } }', {}, { token: blockedDriver.token });
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const received = answerCommands(cp, { RemoteStartTransaction: { status: 'Accepted' } });
    const start = (evseId: number, token: string) =>
      run(
        `mutation($c: ID!) { startCharging(chargerId: $c, evseId: ${evseId}, idToken: "${token}") { status } }`,
        { c: c.chargerId },
      );
    const noEvse = await start(7, 'CARD1');
    expect(codeOf(noEvse)).toBe('BAD_USER_INPUT');
    expect(noEvse.errors![0]!.message).toBe('EVSE 7 does not exist on this charger (it has 1, 2)');
    const unknown = await start(1, 'NOPE0001');
    expect([codeOf(unknown), unknown.errors![0]!.message]).toEqual([
      'BAD_USER_INPUT',
      'idToken NOPE0001 is not known',
    ]);
    const blocked = await start(1, 'BLOCKED9');
    expect([codeOf(blocked), blocked.errors![0]!.message]).toEqual([
      'BAD_USER_INPUT',
      'idToken BLOCKED9 is Blocked',
    ]);
    expect(received).toEqual([]);
    expect((await start(2, 'CARD1')).data).toEqual({ startCharging: { status: 'Accepted' } });
    expect(received).toEqual([
      { method: 'RemoteStartTransaction', params: { connectorId: 2, idTag: 'CARD1' } },
    ]);
    await cp.close();
  });

  it('maps each mutation to its 1.6 message and returns the charger’s answer', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const received = answerCommands(cp, {
      RemoteStartTransaction: { status: 'Accepted' },
      Reset: { status: 'Accepted' },
      UnlockConnector: { status: 'Unlocked' },
      ChangeAvailability: { status: 'Scheduled' },
      TriggerMessage: { status: 'Accepted' },
      GetConfiguration: {
        configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
        unknownKey: ['Nope'],
      },
      ChangeConfiguration: { status: 'RebootRequired' },
    });
    const id = { c: c.chargerId };
    const status = async (q: string, v: Record<string, unknown> = {}) => {
      const r = await run(q, { ...id, ...v });
      expect(r.errors).toBeUndefined();
      return Object.values(r.data!)[0] as any;
    };

    expect(
      await status(
        'mutation($c: ID!) { startCharging(chargerId: $c, evseId: 2, idToken: "card1") { status } }',
      ),
    ).toEqual({ status: 'Accepted' });
    expect(await status('mutation($c: ID!) { resetCharger(chargerId: $c, type: HARD) { status } }')).toEqual({
      status: 'Accepted',
    });
    expect(
      await status('mutation($c: ID!) { unlockConnector(chargerId: $c, evseId: 1) { status } }'),
    ).toEqual({ status: 'Unlocked' });
    expect(
      await status('mutation($c: ID!) { changeAvailability(chargerId: $c, operative: false) { status } }'),
    ).toEqual({ status: 'Scheduled' });
    expect(
      await status(
        'mutation($c: ID!) { triggerMessage(chargerId: $c, message: STATUS_NOTIFICATION, evseId: 1) { status } }',
      ),
    ).toEqual({ status: 'Accepted' });
    expect(
      await status(
        'mutation($c: ID!) { getChargerConfiguration(chargerId: $c, keys: ["HeartbeatInterval", "Nope"]) { entries { key value readonly } unknownKeys } }',
      ),
    ).toEqual({
      entries: [{ key: 'HeartbeatInterval', value: '300', readonly: false }],
      unknownKeys: ['Nope'],
    });
    expect(
      await status(
        'mutation($c: ID!) { setChargerConfiguration(chargerId: $c, key: "HeartbeatInterval", value: "60") { status } }',
      ),
    ).toEqual({ status: 'RebootRequired' });

    expect(received).toEqual([
      { method: 'RemoteStartTransaction', params: { connectorId: 2, idTag: 'CARD1' } },
      { method: 'Reset', params: { type: 'Hard' } },
      { method: 'UnlockConnector', params: { connectorId: 1 } },
      { method: 'ChangeAvailability', params: { connectorId: 0, type: 'Inoperative' } },
      { method: 'TriggerMessage', params: { requestedMessage: 'StatusNotification', connectorId: 1 } },
      { method: 'GetConfiguration', params: { key: ['HeartbeatInterval', 'Nope'] } },
      { method: 'ChangeConfiguration', params: { key: 'HeartbeatInterval', value: '60' } },
    ]);
    await cp.close();
  });

  it('stopCharging lets the driver stop their own session; another driver may not', async () => {
    const driver = await registerUser(url);
    await gql(url, 'mutation { addIdToken(token: "STOPME01") { id } }', {}, { token: driver.token });
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const received = answerCommands(cp, { RemoteStopTransaction: { status: 'Accepted' } });
    const start = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'STOPME01',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    })) as any;
    const mine = await eventually(
      () => gql(url, '{ mySessions { edges { node { id status } } } }', {}, { token: driver.token }),
      (x: any) => x.data?.mySessions.edges.length === 1,
    );
    const sessionId = mine.data!.mySessions.edges[0].node.id;
    const stranger = await registerUser(url);
    const STOP = 'mutation($s: ID!) { stopCharging(sessionId: $s) { id status } }';
    expect(codeOf(await gql(url, STOP, { s: sessionId }, { token: stranger.token }))).toBe('FORBIDDEN');
    const stopped = await gql(url, STOP, { s: sessionId }, { token: driver.token });
    expect(stopped.data!.stopCharging).toEqual({ id: sessionId, status: 'ACTIVE' });
    expect(received).toEqual([
      { method: 'RemoteStopTransaction', params: { transactionId: start.transactionId } },
    ]);
    await cp.close();
  });

  it('only the station’s operator and admins command a charger', async () => {
    const c = await registeredCharger(url, operator);
    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    const driver = await registerUser(url);
    const q = 'mutation($c: ID!) { resetCharger(chargerId: $c) { status } }';
    expect(codeOf(await run(q, { c: c.chargerId }, other.token))).toBe('FORBIDDEN');
    expect(codeOf(await run(q, { c: c.chargerId }, driver.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(url, q, { c: c.chargerId }))).toBe('UNAUTHENTICATED');
  });
});

describe('remote commands to an OCPP 2.0.1 charging station', () => {
  it('maps each mutation to its 2.0.1 message', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const received = answerCommands(cs, {
      RequestStartTransaction: { status: 'Accepted' },
      Reset: { status: 'Scheduled' },
      UnlockConnector: { status: 'Unlocked' },
      ChangeAvailability: { status: 'Accepted' },
      TriggerMessage: { status: 'Accepted' },
      GetVariables: {
        getVariableResult: [
          {
            attributeStatus: 'Accepted',
            attributeValue: '300',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
          },
          { attributeStatus: 'UnknownVariable', component: { name: 'X' }, variable: { name: 'Y' } },
        ],
      },
      SetVariables: {
        setVariableResult: [
          {
            attributeStatus: 'Accepted',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
          },
        ],
      },
    });
    const id = { c: c.chargerId };
    const ok = async (q: string) => {
      const r = await run(q, id);
      expect(r.errors).toBeUndefined();
      return Object.values(r.data!)[0];
    };
    await ok('mutation($c: ID!) { startCharging(chargerId: $c, evseId: 1, idToken: "CARD2") { status } }');
    expect(await ok('mutation($c: ID!) { resetCharger(chargerId: $c) { status } }')).toEqual({
      status: 'Scheduled',
    });
    await ok('mutation($c: ID!) { unlockConnector(chargerId: $c, evseId: 1, connectorId: 2) { status } }');
    await ok(
      'mutation($c: ID!) { changeAvailability(chargerId: $c, evseId: 2, operative: true) { status } }',
    );
    await ok('mutation($c: ID!) { triggerMessage(chargerId: $c, message: HEARTBEAT) { status } }');
    expect(
      await ok(
        'mutation($c: ID!) { getChargerConfiguration(chargerId: $c, keys: ["OCPPCommCtrlr.HeartbeatInterval", "X.Y"]) { entries { key value } unknownKeys } }',
      ),
    ).toEqual({
      entries: [{ key: 'OCPPCommCtrlr.HeartbeatInterval', value: '300' }],
      unknownKeys: ['X.Y'],
    });
    expect(
      await ok(
        'mutation($c: ID!) { setChargerConfiguration(chargerId: $c, key: "OCPPCommCtrlr.HeartbeatInterval", value: "60") { status } }',
      ),
    ).toEqual({ status: 'Accepted' });

    expect(received.map((r) => r.method)).toEqual([
      'RequestStartTransaction',
      'Reset',
      'UnlockConnector',
      'ChangeAvailability',
      'TriggerMessage',
      'GetVariables',
      'SetVariables',
    ]);
    expect(received[0]!.params).toMatchObject({
      evseId: 1,
      idToken: { idToken: 'CARD2', type: 'Central' },
      remoteStartId: expect.any(Number),
    });
    expect(received[1]!.params).toEqual({ type: 'OnIdle' });
    expect(received[2]!.params).toEqual({ evseId: 1, connectorId: 2 });
    expect(received[3]!.params).toEqual({ operationalStatus: 'Operative', evse: { id: 2 } });
    expect(received[4]!.params).toEqual({ requestedMessage: 'Heartbeat' });
    expect(received[6]!.params).toEqual({
      setVariableData: [
        {
          attributeValue: '60',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
        },
      ],
    });

    // 2.0.1 has no "read everything" call: keys are required, and must be Component.Variable.
    const noKeys = await run(
      'mutation($c: ID!) { getChargerConfiguration(chargerId: $c) { unknownKeys } }',
      id,
    );
    expect(codeOf(noKeys)).toBe('BAD_USER_INPUT');
    const notComponentVariable = await run(
      'mutation($c: ID!) { setChargerConfiguration(chargerId: $c, key: "HeartbeatInterval", value: "60") { status } }',
      id,
    );
    expect(codeOf(notComponentVariable)).toBe('BAD_USER_INPUT');
    expect(notComponentVariable.errors![0]!.message).toContain('Component.Variable');
    // Neither reached the charger; and 2.0.1 entries do not claim a mutability they were not told.
    expect(received).toHaveLength(7);
    expect(
      await ok(
        'mutation($c: ID!) { getChargerConfiguration(chargerId: $c, keys: ["OCPPCommCtrlr.HeartbeatInterval"]) { entries { key readonly } } }',
      ),
    ).toEqual({ entries: [{ key: 'OCPPCommCtrlr.HeartbeatInterval', readonly: null }] });
    await cs.close();
  });
});

describe('chargers that cannot answer', () => {
  it('an unconnected charger gives CHARGER_OFFLINE at once', async () => {
    const c = await registeredCharger(url, operator);
    const started = Date.now();
    const r = await run('mutation($c: ID!) { resetCharger(chargerId: $c) { status } }', { c: c.chargerId });
    expect(codeOf(r)).toBe('CHARGER_OFFLINE');
    // Well under the command timeout: nobody waited for an answer.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('a silent charger gives CHARGER_TIMEOUT after the command timeout, not a hang', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    cp.handle('Reset', () => new Promise(() => {})); // never answers
    const started = Date.now();
    const r = await run('mutation($c: ID!) { resetCharger(chargerId: $c) { status } }', { c: c.chargerId });
    expect(codeOf(r)).toBe('CHARGER_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3900);
    expect(Date.now() - started).toBeLessThan(10_000);
    await cp.close({ force: true });
  });

  it('a charger that refuses with a CALLERROR gives CHARGER_REJECTED', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    // No handler for UnlockConnector: the client answers NotImplemented.
    const r = await run('mutation($c: ID!) { unlockConnector(chargerId: $c, evseId: 1) { status } }', {
      c: c.chargerId,
    });
    expect(codeOf(r)).toBe('CHARGER_REJECTED');
    await cp.close();
  });
});

describe('several bridge instances', () => {
  it('a command reaches a charger held by another bridge instance, through Redis', async () => {
    const second = await startOcppBridge(
      loadBridgeConfig({ ...p.env, OCPP_PORT: String(await freePort()), LOG_LEVEL: 'silent' }),
    );
    try {
      const c = await registeredCharger(url, operator);
      const cp = await connectCharger(second.port, c.identity, c.password, 'ocpp1.6');
      const received = answerCommands(cp, { Reset: { status: 'Accepted' } });
      const r = await run('mutation($c: ID!) { resetCharger(chargerId: $c) { status } }', { c: c.chargerId });
      expect(r.data!.resetCharger).toEqual({ status: 'Accepted' });
      expect(received).toHaveLength(1);
      await cp.close();
    } finally {
      await second.close();
    }
  });
});

describe('connection cap', () => {
  it('refuses connections beyond OCPP_MAX_CONNECTIONS with HTTP 503 and keeps serving the others', async () => {
    const capped = await startOcppBridge(
      loadBridgeConfig({
        ...p.env,
        OCPP_PORT: String(await freePort()),
        OCPP_MAX_CONNECTIONS: '1',
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const first = await registeredCharger(url, operator);
      const second = await registeredCharger(url, operator);
      const cp = await connectCharger(capped.port, first.identity, first.password, 'ocpp1.6');
      await expect(
        connectCharger(capped.port, second.identity, second.password, 'ocpp1.6'),
      ).rejects.toMatchObject({
        code: 503,
      });
      expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
      await cp.close();
    } finally {
      await capped.close();
    }
  });
});
