import { Queue } from 'bullmq';
import { WebSocket } from 'ws';
import { jobId, QUEUE } from '../../lib/queues.js';
import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger, setTariff } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;
let operator: Session;
let driver: Session;
const CARD = 'AABBCCDD01';

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  driver = await registerUser(url);
  await gql(url, `mutation { addIdToken(token: "${CARD}") { id } }`, {}, { token: driver.token });
});
afterAll(() => p?.stop());

const SESSION_FIELDS = `id status energyWh meterStartWh meterStopWh cost currency stopReason transactionId evseId
  costBreakdown { energy time idle sessionFee total } meterValues { energyWh powerW soc }
  charger { identity vendor model firmwareVersion protocol } user { id }`;

const mySessions = () =>
  gql(url, `{ mySessions { edges { node { ${SESSION_FIELDS} } } } }`, {}, { token: driver.token });
/** A time `offsetMinutes` from now: sessions span minutes, so their energy fits their EVSE's power. */
const iso = (offsetMinutes = 0) => new Date(Date.now() + offsetMinutes * 60_000).toISOString();

describe('OCPP 1.6J charging session, end to end to GraphQL', () => {
  it('boot, status, authorize, start, meter values and stop give a COMPLETED, priced session', async () => {
    const c = await registeredCharger(url, operator);
    await setTariff(url, operator, c.stationId);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');

    const boot = (await cp.call('BootNotification', {
      chargePointVendor: 'ACME',
      chargePointModel: 'Wallbox 22',
      firmwareVersion: '1.2.3',
    })) as any;
    expect(boot).toMatchObject({ status: 'Accepted', interval: 300 });
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
      timestamp: iso(-60),
    });
    expect(await cp.call('Authorize', { idTag: CARD })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('Authorize', { idTag: 'UNKNOWN-CARD' })).toEqual({
      idTagInfo: { status: 'Invalid' },
    });

    const start = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 10_000,
      timestamp: iso(-50),
    })) as any;
    expect(start.idTagInfo.status).toBe('Accepted');
    expect(Number.isInteger(start.transactionId)).toBe(true);
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [
        {
          timestamp: iso(-30),
          sampledValue: [
            { value: '15.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' },
            { value: '11000', unit: 'W', measurand: 'Power.Active.Import' },
            { value: '62', measurand: 'SoC', unit: 'Percent' },
          ],
        },
      ],
    });
    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 20_000,
      timestamp: iso(-10),
      reason: 'EVDisconnected',
    });

    // The sample and the stop may be handled in either order; wait for both.
    const r = await eventually(mySessions, (x: any) => {
      const node = x.data?.mySessions.edges[0]?.node;
      return node?.status === 'COMPLETED' && node.meterValues.length === 1;
    });
    const s = r.data!.mySessions.edges[0].node;
    expect(s).toMatchObject({
      energyWh: 10_000,
      meterStartWh: 10_000,
      meterStopWh: 20_000,
      currency: 'EUR',
      stopReason: 'EVDisconnected',
      transactionId: String(start.transactionId),
      evseId: 1,
      user: { id: driver.userId },
      charger: {
        identity: c.identity,
        vendor: 'ACME',
        model: 'Wallbox 22',
        firmwareVersion: '1.2.3',
        protocol: 'OCPP16',
      },
    });
    // 10 kWh × 0.40 + 0.50 session fee.
    expect(s.cost).toBe('4.50');
    expect(s.costBreakdown).toEqual({
      energy: '4.00',
      time: '0.00',
      idle: '0.00',
      sessionFee: '0.50',
      total: '4.50',
    });
    expect(s.meterValues).toEqual([{ energyWh: 15_500, powerW: 11_000, soc: 62 }]);
    // The receipt: each line the tariff charges, with its quantity and unit price, adding up to the total.
    const receipt = await gql(
      url,
      `query($id: ID!) { session(id: $id) { receipt { lines { kind quantity unit unitPrice amount } total currency
        energyWh settlementStatus station { id name } } } }`,
      { id: s.id },
      { token: driver.token },
    );
    expect(receipt.data!.session.receipt).toEqual({
      lines: [
        { kind: 'ENERGY', quantity: '10.000', unit: 'kWh', unitPrice: '0.40', amount: '4.00' },
        { kind: 'SESSION_FEE', quantity: '1', unit: 'session', unitPrice: '0.50', amount: '0.50' },
      ],
      total: '4.50',
      currency: 'EUR',
      energyWh: 10_000,
      settlementStatus: null,
      station: { id: c.stationId, name: expect.any(String) },
    });

    const status = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { lastSeenAt connectors { evseId status } } }',
      { id: c.chargerId },
    );
    expect(status.data!.charger.connectors[0]).toEqual({ evseId: 1, status: 'AVAILABLE' });
    expect(status.data!.charger.lastSeenAt).toEqual(expect.any(String));
    await cp.close();
  });

  it('rejects a non-numeric sample and keeps the rest of its batch; samples dated after the stop stay out of the finished session', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const start = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 0,
      timestamp: iso(-40),
    })) as any;
    const tx = String(start.transactionId);
    const [bad, good, late] = [iso(-30), iso(-20), iso(-5)];
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [
        { timestamp: bad, sampledValue: [{ value: 'abc' }] },
        {
          timestamp: good,
          sampledValue: [
            { value: '2000', unit: 'Wh' },
            { value: 'x', unit: 'W', measurand: 'Power.Active.Import' },
          ],
        },
      ],
    });
    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 3000,
      timestamp: iso(-10),
    });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: late, sampledValue: [{ value: '9000', unit: 'Wh' }] }],
    });
    // Every job the bridge queued for this transaction has run.
    const queue = new Queue(QUEUE.sessionEvents, {
      connection: { url: p.env.REDIS_URL },
      prefix: `${p.env.REDIS_PREFIX}:bull`,
    });
    try {
      const ids = [
        jobId('mv', c.identity, tx, good),
        jobId('tx-stop', c.identity, tx),
        jobId('mv', c.identity, tx, late),
      ];
      await eventually(
        async () => Promise.all(ids.map(async (id) => (await queue.getJob(id))?.isCompleted())),
        (done) => done.every(Boolean),
      );
      // The non-numeric sample never became a job.
      expect(await queue.getJob(jobId('mv', c.identity, tx, bad))).toBeUndefined();
    } finally {
      await queue.close();
    }
    const r = await gql(
      url,
      'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status energyWh meterValues { energyWh powerW soc } } } } }',
      { c: c.chargerId },
      { token: operator.token },
    );
    expect(r.data!.sessions.edges[0].node).toEqual({
      status: 'COMPLETED',
      energyWh: 3000,
      meterValues: [{ energyWh: 2000, powerW: null, soc: null }],
    });
    await cp.close();
  });

  it('a repeated StartTransaction gets the same transaction id and makes no second session', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const start = { connectorId: 2, idTag: CARD, meterStart: 0, timestamp: iso(-5) };
    const first = (await cp.call('StartTransaction', start)) as any;
    const second = (await cp.call('StartTransaction', start)) as any;
    expect(second.transactionId).toBe(first.transactionId);
    const sessions = await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id status } } } }',
          { c: c.chargerId },
          { token: operator.token },
        ),
      (x: any) => x.data?.sessions.edges.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 500));
    const again = await gql(
      url,
      'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id } } } }',
      { c: c.chargerId },
      { token: operator.token },
    );
    expect(again.data!.sessions.edges).toHaveLength(1);
    expect(sessions.data!.sessions.edges[0].node.status).toBe('ACTIVE');

    const active = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { activeSession { transactionId } } }',
      { id: c.chargerId },
      { token: operator.token },
    );
    expect(active.data!.charger.activeSession).toEqual({ transactionId: String(first.transactionId) });
    // A driver who is not the session's sees no active session on the public charger.
    const stranger = await registerUser(url);
    const hidden = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { activeSession { id } } }',
      { id: c.chargerId },
      { token: stranger.token },
    );
    expect(hidden.data!.charger.activeSession).toBeNull();
    await cp.close();
  });
});

describe('OCPP 2.0.1 charging session, end to end to GraphQL', () => {
  it('TransactionEvent Started, Updated and Ended give a COMPLETED, priced session; repeats change nothing', async () => {
    const c = await registeredCharger(url, operator);
    await setTariff(url, operator, c.stationId);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const boot = (await cs.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { vendorName: 'Volt', model: 'DC150', firmwareVersion: '2.0.0' },
    })) as any;
    expect(boot.status).toBe('Accepted');
    await cs.call('StatusNotification', {
      timestamp: iso(-40),
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    });
    expect(await cs.call('Authorize', { idToken: { idToken: CARD, type: 'ISO14443' } })).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });

    const tx = 'TX-201-A';
    const energy = (kwh: number) => ({
      value: kwh,
      measurand: 'Energy.Active.Import.Register',
      unitOfMeasure: { unit: 'kWh' },
    });
    const started = {
      eventType: 'Started',
      timestamp: iso(-30),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: tx, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: CARD, type: 'ISO14443' },
      meterValue: [{ timestamp: iso(-30), sampledValue: [energy(100)] }],
    };
    expect(await cs.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    await cs.call('TransactionEvent', started); // a repeat
    await cs.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: iso(-20),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId: tx },
      meterValue: [
        {
          timestamp: iso(-20),
          sampledValue: [
            energy(105),
            { value: 50, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          ],
        },
      ],
    });
    // The end and its last reading at one instant (two clock reads may differ by a millisecond, and a
    // reading dated after the end is not the session's).
    const ended = iso(-10);
    await cs.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: ended,
      triggerReason: 'EVCommunicationLost',
      seqNo: 2,
      transactionInfo: { transactionId: tx, stoppedReason: 'EVDisconnected' },
      meterValue: [{ timestamp: ended, sampledValue: [energy(112.5)] }],
    });

    // Events of one transaction may be handled out of order (a sample before its start is retried):
    // wait until the session is complete and all three samples are stored.
    const r = await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status energyWh cost stopReason transactionId meterValues { energyWh powerW } charger { protocol vendor } } } } }',
          { c: c.chargerId },
          { token: operator.token },
        ),
      (x: any) =>
        x.data?.sessions.edges[0]?.node.status === 'COMPLETED' &&
        x.data.sessions.edges[0].node.meterValues.length === 3,
      // Retried jobs back off (250 ms, doubling): a loaded machine can take a while.
      30_000,
    );
    expect(r.data!.sessions.edges).toHaveLength(1);
    const s = r.data!.sessions.edges[0].node;
    expect(s).toMatchObject({
      energyWh: 12_500,
      stopReason: 'EVDisconnected',
      transactionId: tx,
      charger: { protocol: 'OCPP201', vendor: 'Volt' },
    });
    expect(s.cost).toBe('5.50'); // 12.5 kWh × 0.40 + 0.50
    expect(s.meterValues).toEqual([
      { energyWh: 100_000, powerW: null },
      { energyWh: 105_000, powerW: 50_000 },
      { energyWh: 112_500, powerW: null },
    ]);
    const connector = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { connectors { evseId status } } }',
      { id: c.chargerId },
    );
    expect(connector.data!.charger.connectors[0]).toEqual({ evseId: 1, status: 'OCCUPIED' });
    await cs.close();
  });
});

describe('OCPP 2.0.1 actions the bridge does not take', () => {
  it('are answered NotSupported (recognised), unknown ones NotImplemented; the connection lives on', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const codeOfCall = (method: string, params: Record<string, unknown>) =>
      cs.call(method, params).then(
        () => 'answered',
        (err: { rpcErrorCode?: string }) => err.rpcErrorCode,
      );
    const now = new Date().toISOString();
    expect(await codeOfCall('NotifyReport', { requestId: 1, generatedAt: now, seqNo: 0 })).toBe(
      'NotSupported',
    );
    expect(await codeOfCall('DataTransfer', { vendorId: 'acme' })).toBe('NotSupported');
    expect(await codeOfCall('NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'EMS' } })).toBe(
      'NotSupported',
    );
    expect(await codeOfCall('Heartbeat', {})).toBe('answered');
    await cs.close();
  });
});

describe('who may connect', () => {
  it('refuses a wrong password and an unknown charger with HTTP 401', async () => {
    const c = await registeredCharger(url, operator);
    const refused = { code: 401, message: 'Unauthorized' };
    const port = p.config.ports.ocpp;
    await expect(
      connectCharger(port, c.identity, 'wrong-password-000000000000', 'ocpp1.6'),
    ).rejects.toMatchObject(refused);
    await expect(connectCharger(port, 'NO-SUCH-CP', c.password, 'ocpp1.6')).rejects.toMatchObject(refused);
    await expect(connectCharger(port, c.identity, undefined, 'ocpp1.6')).rejects.toMatchObject(refused);
  });

  it('refuses a client that offers no supported subprotocol', async () => {
    const c = await registeredCharger(url, operator);
    const auth = `Basic ${Buffer.from(`${c.identity}:${c.password}`).toString('base64')}`;
    for (const protocols of [[], ['ocpp1.5']]) {
      const ws = new WebSocket(`ws://127.0.0.1:${p.config.ports.ocpp}/ocpp/${c.identity}`, protocols, {
        headers: { authorization: auth },
      });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
      expect(status).toBe(400);
    }
  });
});

describe('bad frames get the right OCPP error and the connection lives on', () => {
  async function rawCharger(protocol = 'ocpp1.6') {
    const c = await registeredCharger(url, operator);
    const auth = `Basic ${Buffer.from(`${c.identity}:${c.password}`).toString('base64')}`;
    const ws = new WebSocket(`ws://127.0.0.1:${p.config.ports.ocpp}/ocpp/${c.identity}`, [protocol], {
      headers: { authorization: auth },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies: unknown[][] = [];
    ws.on('message', (data) => replies.push(JSON.parse(String(data))));
    const send = async (frame: string) => {
      const before = replies.length;
      ws.send(frame);
      await eventually(
        async () => replies.length,
        (n) => n > before,
        5000,
      );
      return replies[replies.length - 1]!;
    };
    return { ws, send, replies, charger: c };
  }

  it('malformed JSON, schema violations and unknown actions, with the codes of the OCPP-J 1.6 table', async () => {
    const { ws, send } = await rawCharger();
    // 1.6 has no RpcFrameworkError: a frame without the PDU's structure is a FormationViolation.
    const malformed = await send('[2, "m1", "Heartbeat", {');
    expect(malformed[0]).toBe(4);
    expect(malformed[2]).toBe('FormationViolation');
    expect((await send('{"not": "an array"}'))[2]).toBe('FormationViolation');
    expect((await send(JSON.stringify([7, 'm1b', 'Heartbeat', {}])))[2]).toBe('FormationViolation');

    const invalid = await send(
      JSON.stringify([2, 'm2', 'BootNotification', { chargePointVendor: 42, chargePointModel: 'x' }]),
    );
    expect(invalid[0]).toBe(4);
    expect(invalid[2]).toBe('TypeConstraintViolation');
    // Spelt as the 1.6 table spells it (errata v1.0 §5.1: not to be fixed in 1.6).
    const missing = await send(JSON.stringify([2, 'm2b', 'BootNotification', { chargePointVendor: 'x' }]));
    expect(missing[2]).toBe('OccurenceConstraintViolation');

    const unknown = await send(JSON.stringify([2, 'm3', 'MakeCoffee', {}]));
    expect(unknown).toEqual([4, 'm3', 'NotImplemented', expect.any(String), expect.anything()]);

    // Actions of the protocol the bridge does not take (here: ones a central system sends) are
    // "recognised, not supported".
    const notHandled = await send(JSON.stringify([2, 'm4', 'GetDiagnostics', { location: 'ftp://x' }]));
    expect(notHandled[2]).toBe('NotSupported');
    const remoteStart = await send(JSON.stringify([2, 'm4b', 'RemoteStartTransaction', { idTag: 'X' }]));
    expect(remoteStart.slice(0, 3)).toEqual([4, 'm4b', 'NotSupported']);

    // Internal text never reaches a charger: no stack frames, paths or library names.
    expect(JSON.stringify([malformed, invalid, unknown, notHandled])).not.toMatch(
      /at \w|\.js|node_modules|\/work\//,
    );

    const heartbeat = await send(JSON.stringify([2, 'm5', 'Heartbeat', {}]));
    expect(heartbeat).toEqual([3, 'm5', { currentTime: expect.any(String) }]);
    ws.close();
  });

  it('2.0.1 keeps the codes of the OCPP-J 2.0.1 table', async () => {
    const { ws, send } = await rawCharger('ocpp2.0.1');
    expect((await send('[2, "m1", "Heartbeat", {'))[2]).toBe('RpcFrameworkError');
    expect((await send(JSON.stringify([7, 'm1b', 'Heartbeat', {}])))[2]).toBe('MessageTypeNotSupported');
    expect((await send(JSON.stringify([2, 'm2', 'Heartbeat', {}])))[0]).toBe(3);
    ws.close();
  });

  it('a call repeated under the same message id: the first call’s reply comes first, the repeat is refused after it', async () => {
    const { ws, replies, charger } = await rawCharger();
    const frame = JSON.stringify([
      2,
      'dup-1',
      'StartTransaction',
      { connectorId: 1, idTag: CARD, meterStart: 100, timestamp: iso(-5) },
    ]);
    ws.send(frame);
    ws.send(frame);
    await eventually(
      async () => replies.length,
      (n) => n >= 2,
      10_000,
    );
    expect(replies[0]!.slice(0, 2)).toEqual([3, 'dup-1']);
    expect(replies[1]!.slice(0, 3)).toEqual([4, 'dup-1', 'FormationViolation']);
    // The session the first call answered for exists, once.
    const transactionId = String((replies[0]![2] as { transactionId: number }).transactionId);
    const r = await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { transactionId } } } }',
          { c: charger.chargerId },
          { token: operator.token },
        ),
      (x: any) => x.data?.sessions.edges.length > 0,
    );
    expect(r.data!.sessions.edges.map((e: any) => e.node.transactionId)).toEqual([transactionId]);
    ws.close();
  });

  it('a negative connector in a StatusNotification and connector 0 in a StartTransaction are PropertyConstraintViolation (1.6)', async () => {
    const { ws, send } = await rawCharger();
    const status = await send(
      JSON.stringify([
        2,
        's1',
        'StatusNotification',
        { connectorId: -1, errorCode: 'NoError', status: 'Available' },
      ]),
    );
    expect(status.slice(0, 3)).toEqual([4, 's1', 'PropertyConstraintViolation']);
    expect(status[3]).toContain('connectorId');
    const start = await send(
      JSON.stringify([
        2,
        's2',
        'StartTransaction',
        { connectorId: 0, idTag: CARD, meterStart: 0, timestamp: new Date().toISOString() },
      ]),
    );
    expect(start.slice(0, 3)).toEqual([4, 's2', 'PropertyConstraintViolation']);
    // Nothing was recorded for the refused start, and the connection lives on.
    expect((await send(JSON.stringify([2, 's3', 'Heartbeat', {}])))[0]).toBe(3);
    ws.close();
  });

  it('a StopTransaction for a transaction the platform never saw is acknowledged but creates nothing', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    expect(await cp.call('StopTransaction', { transactionId: 123, meterStop: 10, timestamp: iso() })).toEqual(
      {},
    );
    const r = await gql(
      url,
      'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id } } } }',
      { c: c.chargerId },
      { token: operator.token },
    );
    expect(r.data!.sessions.edges).toHaveLength(0);
    expect(codeOf(r)).toBeUndefined();
    await cp.close();
  });
});
