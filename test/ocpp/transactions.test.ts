import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger, setTariff } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { follow, wsClient } from '../support/subscriptions.js';

/**
 * Transactions as a conformance tool drives them (issue 17): events out of order or missing, tokens
 * not accepted, connectors that do not exist or are busy. Every case with a real OCPP client.
 */
let p: TestPlatform;
let url: string;
let operator: Session;
let driver: Session;
const CARD = 'TXCARD0001';
const BLOCKED_CARD = 'TXCARD0002';

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  driver = await registerUser(url);
  for (const card of [CARD, BLOCKED_CARD])
    await gql(url, `mutation { addIdToken(token: "${card}") { id } }`, {}, { token: driver.token });
  await gql(url, `mutation { blockIdToken(token: "${BLOCKED_CARD}") { id } }`, {}, { token: driver.token });
});
afterAll(() => p?.stop());

const iso = (offsetMinutes = 0) => new Date(Date.now() + offsetMinutes * 60_000).toISOString();
const energy = (kWh: number) => ({
  value: kWh,
  measurand: 'Energy.Active.Import.Register',
  unitOfMeasure: { unit: 'kWh' },
});
const SESSION = `id status transactionId evseId energyWh meterStartWh meterStopWh startInferred tokenStatus
  anomalies disputeReason settlement { status } user { id } meterValues { energyWh }`;

const sessionsOf = (chargerId: string) =>
  gql(
    url,
    `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { ${SESSION} } } } }`,
    { c: chargerId },
    { token: operator.token },
  );
const sessionsWhen = (chargerId: string, done: (nodes: any[]) => boolean) =>
  eventually(
    () => sessionsOf(chargerId),
    (r: any) => Boolean(r.data) && done(r.data.sessions.edges.map((e: any) => e.node)),
    30_000,
  ).then((r: any) => r.data.sessions.edges.map((e: any) => e.node) as any[]);

/** A 2.0.1 TransactionEvent at `minutes` from now; `kWh`: an energy register reading taken then. */
function txEvent(
  cs: { call: (method: string, params: unknown) => Promise<unknown> },
  eventType: 'Started' | 'Updated' | 'Ended',
  transactionId: string,
  seqNo: number,
  minutes: number,
  o: { kWh?: number; evse?: number; token?: string; trigger?: string; stoppedReason?: string } = {},
) {
  // One instant for the event and its reading: two clock reads can differ by a millisecond, and a
  // reading dated after an Ended event's time is not the session's.
  const at = iso(minutes);
  return cs.call('TransactionEvent', {
    eventType,
    timestamp: at,
    triggerReason: o.trigger ?? 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId, ...(o.stoppedReason ? { stoppedReason: o.stoppedReason } : {}) },
    ...(o.token ? { idToken: { idToken: o.token, type: 'ISO14443' } } : {}),
    ...(o.evse ? { evse: { id: o.evse, connectorId: 1 } } : {}),
    ...(o.kWh != null ? { meterValue: [{ timestamp: at, sampledValue: [energy(o.kWh)] }] } : {}),
  }) as Promise<any>;
}

/** A 1.6 StartTransaction at `minutes` from now. */
const start16 = (
  cp: { call: (method: string, params: unknown) => Promise<unknown> },
  connectorId: number,
  idTag: string,
  meterStart: number,
  minutes: number,
) => cp.call('StartTransaction', { connectorId, idTag, meterStart, timestamp: iso(minutes) }) as Promise<any>;

describe('OCPP 2.0.1: the transaction is opened by whichever event arrives first', () => {
  it('Updated and Ended without a Started give one session, counted from the first reading received', async () => {
    const c = await registeredCharger(url, operator);
    await setTariff(url, operator, c.stationId);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const tx = 'lost-start-1';
    const updated = await txEvent(cs, 'Updated', tx, 1, -20, { kWh: 50, token: CARD, evse: 1 });
    expect(updated.idTokenInfo).toEqual({ status: 'Accepted' });
    await txEvent(cs, 'Ended', tx, 2, -10, { kWh: 56, stoppedReason: 'EVDisconnected' });
    const [s] = await sessionsWhen(c.chargerId, (n) => n[0]?.status === 'COMPLETED');
    expect(s).toMatchObject({
      transactionId: tx,
      evseId: 1,
      startInferred: true,
      tokenStatus: 'ACCEPTED',
      anomalies: [],
      meterStartWh: 50_000,
      meterStopWh: 56_000,
      energyWh: 6_000,
      user: { id: driver.userId },
    });
    await cs.close();
  });

  it('a Started that arrives after an Updated sets the start; events after Ended add nothing', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const tx = 'late-start-1';
    await txEvent(cs, 'Updated', tx, 1, -20, { kWh: 12 });
    await sessionsWhen(c.chargerId, (n) => n.length === 1 && n[0].startInferred);
    await txEvent(cs, 'Started', tx, 0, -30, { kWh: 10, token: CARD, evse: 2, trigger: 'Authorized' });
    await txEvent(cs, 'Ended', tx, 2, -5, { kWh: 15, stoppedReason: 'Local' });
    const [s] = await sessionsWhen(
      c.chargerId,
      (n) => n[0]?.status === 'COMPLETED' && n[0].meterValues.length === 3,
    );
    expect(s).toMatchObject({
      startInferred: false,
      evseId: 2,
      meterStartWh: 10_000,
      energyWh: 5_000,
      tokenStatus: 'ACCEPTED',
      user: { id: driver.userId },
    });
    // The charger goes on sending for the finished transaction: nothing is added to it.
    await txEvent(cs, 'Updated', tx, 3, -1, { kWh: 30 });
    await cs.call('Heartbeat', {});
    await new Promise((r) => setTimeout(r, 1500));
    const [after] = await sessionsWhen(c.chargerId, () => true);
    expect(after).toMatchObject({ status: 'COMPLETED', energyWh: 5_000, meterStopWh: 15_000 });
    expect(after.meterValues).toHaveLength(3);
    await cs.close();
  });

  it('a Started without evse is not put on EVSE 1: the EVSE comes from the event that names it', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const tx = 'no-evse-1';
    await txEvent(cs, 'Started', tx, 0, -10, { kWh: 1, trigger: 'CablePluggedIn' });
    const [opened] = await sessionsWhen(c.chargerId, (n) => n.length === 1);
    expect(opened.evseId).toBeNull();
    await txEvent(cs, 'Updated', tx, 1, -9, { evse: 2, token: CARD, trigger: 'Authorized' });
    const [s] = await sessionsWhen(c.chargerId, (n) => n[0]?.evseId === 2 && n[0].user != null);
    expect(s).toMatchObject({ evseId: 2, tokenStatus: 'ACCEPTED', anomalies: [], status: 'ACTIVE' });
    await cs.close();
  });
});

describe('tokens not accepted at the start are recorded and flagged, not billed', () => {
  it('1.6: a blocked and an unknown card start anyway; both sessions end DISPUTED and are not settled', async () => {
    const c = await registeredCharger(url, operator);
    await setTariff(url, operator, c.stationId);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const blocked = await start16(cp, 1, BLOCKED_CARD, 0, -30);
    expect(blocked.idTagInfo.status).toBe('Blocked');
    const unknown = await start16(cp, 2, 'NOBODYS-CARD', 0, -30);
    expect(unknown.idTagInfo.status).toBe('Invalid');
    for (const t of [blocked, unknown])
      await cp.call('StopTransaction', {
        transactionId: t.transactionId,
        meterStop: 5000,
        timestamp: iso(-5),
      });
    const sessions = await sessionsWhen(
      c.chargerId,
      (n) => n.length === 2 && n.every((s) => s.status !== 'ACTIVE'),
    );
    const byToken = Object.fromEntries(sessions.map((s) => [s.tokenStatus, s]));
    expect(byToken.BLOCKED).toMatchObject({
      status: 'DISPUTED',
      settlement: null,
      user: { id: driver.userId },
      anomalies: [`id token ${BLOCKED_CARD} was BLOCKED at the start`],
    });
    expect(byToken.INVALID).toMatchObject({ status: 'DISPUTED', settlement: null, user: null });
    await cp.close();
  });

  it('2.0.1: a Started with a blocked token is answered Blocked and flagged', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const tx = 'blocked-201';
    const answer = await txEvent(cs, 'Started', tx, 0, -10, { kWh: 1, token: BLOCKED_CARD, evse: 1 });
    expect(answer.idTokenInfo).toEqual({ status: 'Blocked' });
    await txEvent(cs, 'Ended', tx, 1, -5, { kWh: 2, stoppedReason: 'DeAuthorized' });
    const [s] = await sessionsWhen(c.chargerId, (n) => n[0]?.status === 'DISPUTED');
    expect(s).toMatchObject({ tokenStatus: 'BLOCKED', settlement: null });
    expect(s.disputeReason).toContain('BLOCKED');
    await cs.close();
  });
});

describe('connectors are checked at the start', () => {
  it('1.6: an unregistered connector is answered Invalid, a busy one ConcurrentTx; both are flagged and the EVSE keeps its session', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const seven = await start16(cp, 7, CARD, 0, -30);
    expect(seven.idTagInfo.status).toBe('Invalid');
    const first = await start16(cp, 1, CARD, 100, -20);
    expect(first.idTagInfo.status).toBe('Accepted');
    await sessionsWhen(c.chargerId, (n) => n.length === 2);
    const busy = await start16(cp, 1, CARD, 200, -15);
    expect(busy.idTagInfo.status).toBe('ConcurrentTx');
    const sessions = await sessionsWhen(c.chargerId, (n) => n.length === 3);
    const byTx = (t: any) => sessions.find((s) => s.transactionId === String(t.transactionId));
    expect(byTx(seven)).toMatchObject({ tokenStatus: 'ACCEPTED', evseId: 7 });
    expect(byTx(seven).anomalies).toContain('EVSE 7 is not registered on this charger');
    expect(byTx(busy).anomalies).toContain(`EVSE 1 already had session ${byTx(first).id} in progress`);
    expect(byTx(first).anomalies).toEqual([]);

    const active = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { activeSession { transactionId } } }',
      { id: c.chargerId },
      { token: operator.token },
    );
    expect(active.data!.charger.activeSession).toEqual({ transactionId: String(first.transactionId) });

    for (const t of [seven, first, busy])
      await cp.call('StopTransaction', {
        transactionId: t.transactionId,
        meterStop: 1000,
        timestamp: iso(-1),
      });
    const done = await sessionsWhen(c.chargerId, (n) => n.every((s) => s.status !== 'ACTIVE'));
    const statusOf = (t: any) => done.find((s) => s.transactionId === String(t.transactionId)).status;
    expect([statusOf(seven), statusOf(first), statusOf(busy)]).toEqual(['DISPUTED', 'COMPLETED', 'DISPUTED']);
    await cp.close();
  });
});

describe('a blocked card stops working at once', () => {
  it('Authorize answered Accepted (and cached by the bridge) is answered Blocked right after blockIdToken', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const card = 'TXCARD0003';
    await gql(url, `mutation { addIdToken(token: "${card}") { id } }`, {}, { token: driver.token });
    const authorize = async () =>
      ((await cp.call('Authorize', { idTag: card })) as { idTagInfo: { status: string } }).idTagInfo.status;
    expect(await authorize()).toBe('Accepted');
    const blocked = await gql(
      url,
      `mutation { blockIdToken(token: "${card}") { status } }`,
      {},
      {
        token: driver.token,
      },
    );
    expect(blocked.data!.blockIdToken.status).toBe('BLOCKED');
    // The bridge's cache keeps answers 60 s; the block reaches it by pub/sub in well under a second.
    await eventually(authorize, (status) => status === 'Blocked', 2_000);
    await cp.close();
  });
});

describe('reports that fit nowhere else are alerts on the charger', () => {
  const ALERTS = 'kind evseId connectorId status errorCode message chargerId';

  it('a fault on an unregistered connector (1.6), an unknown EVSE and a security event (2.0.1) reach the operator, live and stored', async () => {
    const c = await registeredCharger(url, operator);
    const ws = wsClient(url, { authorization: `Bearer ${operator.token}` });
    const live = follow(ws, `subscription($c: ID) { chargerAlertRaised(chargerId: $c) { ${ALERTS} } }`, {
      c: c.chargerId,
    });
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    // The upstream subscription is in place once the gateway answers: report until the alert lands
    // (each report is an alert of its own: another time).
    let minute = -30;
    await eventually(
      async () => {
        await cp.call('StatusNotification', {
          connectorId: 7,
          errorCode: 'GroundFailure',
          status: 'Faulted',
          timestamp: iso(minute++),
        });
        return live.results.length;
      },
      (n) => n > 0,
    );
    const first = await live.next();
    expect(first.data!.chargerAlertRaised).toMatchObject({
      kind: 'UNKNOWN_CONNECTOR',
      evseId: 7,
      status: 'FAULTED',
      errorCode: 'GroundFailure',
      chargerId: c.chargerId,
    });
    await cp.close();

    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    await cs.call('StatusNotification', {
      timestamp: iso(-2),
      connectorStatus: 'Faulted',
      evseId: 9,
      connectorId: 1,
    });
    await cs.call('SecurityEventNotification', {
      type: 'TamperDetectionActivated',
      timestamp: iso(-1),
      techInfo: 'enclosure opened',
    });
    await live.next((r) => r.data?.chargerAlertRaised.kind === 'SECURITY_EVENT');
    const stored = await eventually(
      () =>
        gql(
          url,
          `query($id: ID!) { charger(id: $id) { alerts { ${ALERTS} } } }`,
          { id: c.chargerId },
          {
            token: operator.token,
          },
        ),
      (r: any) => r.data?.charger.alerts[0]?.kind === 'SECURITY_EVENT',
    );
    const alerts = stored.data!.charger.alerts.map((a: any) => [a.kind, a.evseId, a.status, a.errorCode]);
    expect(alerts.slice(0, 3)).toEqual([
      ['SECURITY_EVENT', null, null, 'TamperDetectionActivated'],
      ['UNKNOWN_CONNECTOR', 9, 'FAULTED', null],
      ['UNKNOWN_CONNECTOR', 7, 'FAULTED', 'GroundFailure'],
    ]);
    expect(stored.data!.charger.alerts[0].message).toContain('enclosure opened');

    // Acknowledged alerts drop out of the unacknowledged list.
    const ACK = 'mutation($id: ID!) { acknowledgeChargerAlert(id: $id) { acknowledgedAt } }';
    const IDS =
      'query($id: ID!, $u: Boolean) { charger(id: $id) { alerts(first: 100, unacknowledged: $u) { id } } }';
    const ids = async (u: boolean) =>
      (await gql(url, IDS, { id: c.chargerId, u }, { token: operator.token })).data!.charger.alerts.map(
        (a: any) => a.id,
      );
    const before = await ids(false);
    const ack = await gql(url, ACK, { id: before[0] }, { token: operator.token });
    expect(ack.data!.acknowledgeChargerAlert.acknowledgedAt).toEqual(expect.any(String));
    expect(await ids(true)).toEqual(before.slice(1));

    // Another operator sees none of it.
    const admin = await loginAdmin(url);
    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    const denied = await gql(
      url,
      'query($id: ID!) { charger(id: $id) { alerts { kind } } }',
      { id: c.chargerId },
      {
        token: other.token,
      },
    );
    expect(codeOf(denied)).toBe('FORBIDDEN');
    expect(codeOf(await gql(url, ACK, { id: before[0] }, { token: other.token }))).toBe('FORBIDDEN');
    live.stop();
    await ws.dispose();
    await cs.close();
  });
});

describe('the OCPP message log', () => {
  it('keeps every frame in and out per charger, replies named after their calls, for its operator only', async () => {
    const c = await registeredCharger(url, operator);
    const from = new Date(Date.now() - 60_000).toISOString();
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    await cp.call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'Log' });
    await cp.call('Heartbeat', {});
    await cp.call('Authorize', { idTag: 'NOBODYS-CARD' });
    const to = new Date(Date.now() + 60_000).toISOString();
    const LOG = `query($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $a: String, $after: String, $first: Int) {
      chargerMessages(chargerId: $c, from: $from, to: $to, action: $a, after: $after, first: $first) {
        edges { node { direction messageType action messageId frame } } pageInfo { hasNextPage endCursor } } }`;
    const read = (vars: Record<string, unknown> = {}) =>
      gql(url, LOG, { c: c.chargerId, from, to, ...vars }, { token: operator.token });
    const all = await eventually(read, (r: any) => r.data?.chargerMessages.edges.length === 6);
    const nodes = all.data!.chargerMessages.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.direction, n.messageType, n.action])).toEqual([
      ['IN', 'CALL', 'BootNotification'],
      ['OUT', 'CALLRESULT', 'BootNotification'],
      ['IN', 'CALL', 'Heartbeat'],
      ['OUT', 'CALLRESULT', 'Heartbeat'],
      ['IN', 'CALL', 'Authorize'],
      ['OUT', 'CALLRESULT', 'Authorize'],
    ]);
    expect(JSON.parse(nodes[5].frame)).toEqual([3, nodes[4].messageId, { idTagInfo: { status: 'Invalid' } }]);

    const authorize = await read({ a: 'Authorize' });
    expect(authorize.data!.chargerMessages.edges).toHaveLength(2);
    const page = await read({ first: 4 });
    expect(page.data!.chargerMessages.pageInfo.hasNextPage).toBe(true);
    const rest = await read({ first: 4, after: page.data!.chargerMessages.pageInfo.endCursor });
    expect(rest.data!.chargerMessages.edges.map((e: any) => e.node.action)).toEqual([
      'Authorize',
      'Authorize',
    ]);

    const admin = await loginAdmin(url);
    const other = await aUserWithRoles(url, admin, ['OPERATOR']);
    expect(codeOf(await gql(url, LOG, { c: c.chargerId, from, to }, { token: other.token }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await read({ from: to, to: from }))).toBe('BAD_USER_INPUT');
    await cp.close();
  });
});
