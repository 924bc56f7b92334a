import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { answerCommands, connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

/** Reservations, firmware updates and log uploads, with real OCPP 1.6 and 2.0.1 clients. */
let p: TestPlatform;
let url: string;
let operator: Session;
let driver: Session;
let other: Session;
const MINE = 'RESV0001';
const THEIRS = 'RESV0002';

beforeAll(async () => {
  p = await startTestPlatform({ CHARGER_COMMAND_TIMEOUT_MS: '4000', MAINTENANCE_POLL_MS: '200' });
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  driver = await registerUser(url);
  other = await registerUser(url);
  await gql(url, `mutation { addIdToken(token: "${MINE}") { id } }`, {}, { token: driver.token });
  await gql(url, `mutation { addIdToken(token: "${THEIRS}") { id } }`, {}, { token: other.token });
});
afterAll(() => p?.stop());

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const iso = (offsetMinutes = 0) => new Date(Date.now() + offsetMinutes * 60_000).toISOString();
const RESERVE = `mutation($c: ID!, $e: Int!, $x: DateTimeISO!, $t: String!) {
  reserveConnector(chargerId: $c, evseId: $e, expiresAt: $x, idToken: $t) { id status evseId chargerAnswer } }`;
const reserve = (who: Session, chargerId: string, evseId: number, idToken: string, expiresAt = inAnHour()) =>
  gql(url, RESERVE, { c: chargerId, e: evseId, x: expiresAt, t: idToken }, { token: who.token });

describe('reservations', () => {
  it('1.6: ReserveNow reaches the charger; another driver’s start there is refused, the reserving driver’s uses it', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const asked = answerCommands(cp, { ReserveNow: { status: 'Accepted' } });
    const made = await reserve(driver, c.chargerId, 1, MINE);
    expect(made.data!.reserveConnector).toMatchObject({ status: 'ACTIVE', evseId: 1 });
    expect(asked).toEqual([
      {
        method: 'ReserveNow',
        params: {
          connectorId: 1,
          idTag: MINE,
          expiryDate: expect.any(String),
          reservationId: expect.any(Number),
        },
      },
    ]);
    // The EVSE is taken: a second reservation is a CONFLICT, nothing is sent.
    expect(codeOf(await reserve(other, c.chargerId, 1, THEIRS))).toBe('CONFLICT');
    expect(asked).toHaveLength(1);
    // Validation: someone else's token, an EVSE the charger lacks, an expiry beyond a day.
    expect(codeOf(await reserve(driver, c.chargerId, 2, THEIRS))).toBe('BAD_USER_INPUT');
    expect(codeOf(await reserve(driver, c.chargerId, 9, MINE))).toBe('BAD_USER_INPUT');
    expect(codeOf(await reserve(driver, c.chargerId, 2, MINE, iso(60 * 25)))).toBe('BAD_USER_INPUT');

    // The operator sees it on the charger; another driver does not.
    const RES = 'query($id: ID!) { charger(id: $id) { reservations { id evseId idToken status } } }';
    const seen = await gql(url, RES, { id: c.chargerId }, { token: operator.token });
    expect(seen.data!.charger.reservations).toEqual([
      { id: made.data!.reserveConnector.id, evseId: 1, idToken: MINE, status: 'ACTIVE' },
    ]);
    expect(
      (await gql(url, RES, { id: c.chargerId }, { token: other.token })).data!.charger.reservations,
    ).toEqual([]);

    const theirs = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: THEIRS,
      meterStart: 0,
      timestamp: iso(-10),
    })) as any;
    expect(theirs.idTagInfo.status).toBe('Invalid');
    const mine = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: MINE,
      meterStart: 0,
      timestamp: iso(-5),
    })) as any;
    expect(mine.idTagInfo.status).toBe('Accepted');

    const sessions = await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { transactionId reservationId anomalies } } } }',
          { c: c.chargerId },
          { token: operator.token },
        ),
      (r: any) => r.data?.sessions.edges.length === 2,
    );
    const byTx = (t: any) =>
      sessions
        .data!.sessions.edges.map((e: any) => e.node)
        .find((s: any) => s.transactionId === String(t.transactionId));
    expect(byTx(mine)).toEqual({
      transactionId: String(mine.transactionId),
      reservationId: made.data!.reserveConnector.id,
      anomalies: [],
    });
    expect(byTx(theirs).reservationId).toBeNull();
    expect(byTx(theirs).anomalies).toContain('EVSE 1 was reserved for another driver');
    // Used: it is no longer in force.
    await eventually(
      () => gql(url, RES, { id: c.chargerId }, { token: operator.token }),
      (r: any) => r.data?.charger.reservations.length === 0,
    );
    await cp.close();
  });

  it('2.0.1: a refused ReserveNow is REJECTED with the charger’s answer; cancelling sends CancelReservation; ReservationStatusUpdate ends one', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    let answer = 'Occupied';
    const asked: { method: string; params: any }[] = [];
    cs.handle('ReserveNow', async ({ params }: { params?: any }) => {
      asked.push({ method: 'ReserveNow', params });
      return { status: answer };
    });
    cs.handle('CancelReservation', async ({ params }: { params?: any }) => {
      asked.push({ method: 'CancelReservation', params });
      return { status: 'Accepted' };
    });
    const refused = await reserve(driver, c.chargerId, 1, MINE);
    expect(refused.data!.reserveConnector).toMatchObject({ status: 'REJECTED', chargerAnswer: 'Occupied' });
    answer = 'Accepted';
    const made = (await reserve(driver, c.chargerId, 1, MINE)).data!.reserveConnector;
    expect(made.status).toBe('ACTIVE');
    expect(asked[1]).toEqual({
      method: 'ReserveNow',
      params: {
        id: expect.any(Number),
        evseId: 1,
        expiryDateTime: expect.any(String),
        idToken: { idToken: MINE, type: 'ISO14443' },
      },
    });
    const ocppId = asked[1]!.params.id;

    // Another driver may not cancel it; its driver may.
    const CANCEL = 'mutation($id: ID!) { cancelReservation(id: $id) { status } }';
    expect(codeOf(await gql(url, CANCEL, { id: made.id }, { token: other.token }))).toBe('FORBIDDEN');
    const cancelled = await gql(url, CANCEL, { id: made.id }, { token: driver.token });
    expect(cancelled.data!.cancelReservation.status).toBe('CANCELLED');
    expect(asked[2]).toEqual({ method: 'CancelReservation', params: { reservationId: ocppId } });
    expect(codeOf(await gql(url, CANCEL, { id: made.id }, { token: driver.token }))).toBe('CONFLICT');

    // The charger lets a reservation go by itself: ReservationStatusUpdate.
    const again = (await reserve(driver, c.chargerId, 2, MINE)).data!.reserveConnector;
    await cs.call('ReservationStatusUpdate', {
      reservationId: asked[3]!.params.id,
      reservationUpdateStatus: 'Expired',
    });
    const RES = 'query($id: ID!) { charger(id: $id) { reservations { id } } }';
    await eventually(
      () => gql(url, RES, { id: c.chargerId }, { token: driver.token }),
      (r: any) => r.data?.charger.reservations.length === 0,
    );
    expect(again.status).toBe('ACTIVE');
    await cs.close();
  });
});

describe('firmware and logs', () => {
  it('UpdateFirmware and GetDiagnostics (1.6) / GetLog (2.0.1) as operator commands; their status notifications show on the charger', async () => {
    const STATUS = 'query($id: ID!) { charger(id: $id) { firmwareStatus diagnosticsStatus } }';
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const c = await registeredCharger(url, operator);
      const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, protocol);
      const v16 = protocol === 'ocpp1.6';
      const asked = answerCommands(
        cp,
        v16
          ? { UpdateFirmware: {}, GetDiagnostics: { fileName: 'diag-1.zip' } }
          : { UpdateFirmware: { status: 'Accepted' }, GetLog: { status: 'Accepted', filename: 'log-1.zip' } },
      );
      const fw = await gql(
        url,
        'mutation($c: ID!) { updateFirmware(chargerId: $c, location: "https://fw.example.org/v2.bin") { status } }',
        { c: c.chargerId },
        { token: operator.token },
      );
      expect(fw.data!.updateFirmware.status).toBe('Accepted');
      const logs = await gql(
        url,
        'mutation($c: ID!) { requestChargerLogs(chargerId: $c, location: "ftp://logs.example.org/in/") { status fileName } }',
        { c: c.chargerId },
        { token: operator.token },
      );
      expect(logs.data!.requestChargerLogs).toEqual({
        status: 'Accepted',
        fileName: v16 ? 'diag-1.zip' : 'log-1.zip',
      });
      expect(asked.map((a) => a.method)).toEqual(
        v16 ? ['UpdateFirmware', 'GetDiagnostics'] : ['UpdateFirmware', 'GetLog'],
      );
      expect(v16 ? asked[0]!.params.location : asked[0]!.params.firmware.location).toBe(
        'https://fw.example.org/v2.bin',
      );
      expect(v16 ? asked[1]!.params.location : asked[1]!.params.log.remoteLocation).toBe(
        'ftp://logs.example.org/in/',
      );

      await cp.call('FirmwareStatusNotification', {
        status: 'Downloading',
        ...(v16 ? {} : { requestId: 1 }),
      });
      await cp.call(v16 ? 'DiagnosticsStatusNotification' : 'LogStatusNotification', {
        status: 'Uploaded',
        ...(v16 ? {} : { requestId: 1 }),
      });
      await eventually(
        () => gql(url, STATUS, { id: c.chargerId }, { token: operator.token }),
        (r: any) =>
          r.data?.charger.firmwareStatus === 'Downloading' && r.data.charger.diagnosticsStatus === 'Uploaded',
      );
      // Not a URL a charger can fetch: BAD_USER_INPUT, nothing sent.
      const bad = await gql(
        url,
        'mutation($c: ID!) { updateFirmware(chargerId: $c, location: "file:///etc/passwd") { status } }',
        { c: c.chargerId },
        { token: operator.token },
      );
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(asked).toHaveLength(2);
      await cp.close();
    }
  });
});

describe('smart charging: a station power limit shared through charging profiles', () => {
  const LIMIT =
    'mutation($s: ID!, $l: Float) { setStationPowerLimit(stationId: $s, limitKw: $l) { powerLimitKw } }';
  const limitW = (call: { params: any }) =>
    call.params.csChargingProfiles?.chargingSchedule.chargingSchedulePeriod[0].limit ??
    call.params.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit;
  const evseOf = (call: { params: any }) => call.params.connectorId ?? call.params.evseId;

  it('1.6: shared when set, again as EVSEs start and stop being used, cleared when removed', async () => {
    const c = await registeredCharger(url, operator); // EVSE 1: 150 kW, EVSE 2: 22 kW
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const asked = answerCommands(cp, {
      SetChargingProfile: { status: 'Accepted' },
      ClearChargingProfile: { status: 'Accepted' },
      GetCompositeSchedule: {
        status: 'Accepted',
        connectorId: 1,
        scheduleStart: '2026-12-03T10:00:00Z',
        chargingSchedule: {
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 15000 }],
        },
      },
    });
    const profiles = () =>
      asked.filter((a) => a.method === 'SetChargingProfile').map((a) => [evseOf(a), limitW(a)]);
    const set = await gql(url, LIMIT, { s: c.stationId, l: 30 }, { token: operator.token });
    expect(set.data!.setStationPowerLimit.powerLimitKw).toBe(30);
    // Nothing in use: each EVSE may take the whole limit, up to its own maximum.
    expect(profiles()).toEqual([
      [1, 30_000],
      [2, 22_000],
    ]);
    expect(asked[0]!.params.csChargingProfiles).toMatchObject({
      chargingProfilePurpose: 'TxDefaultProfile',
      stackLevel: 1,
      chargingSchedule: { chargingRateUnit: 'W' },
    });

    let minute = 0;
    const status = (evse: number, s: string) =>
      cp.call('StatusNotification', {
        connectorId: evse,
        errorCode: 'NoError',
        status: s,
        timestamp: iso(minute++ - 30),
      });
    await status(1, 'Charging'); // EVSE 1 keeps 30 kW; idle EVSE 2 would get half
    await eventually(
      async () => profiles().length,
      (n) => n === 3,
    );
    expect(profiles()[2]).toEqual([2, 15_000]);
    await status(2, 'Charging'); // both in use: 15 kW each
    await eventually(
      async () => profiles().length,
      (n) => n === 4,
    );
    expect(profiles()[3]).toEqual([1, 15_000]);
    const CONNECTORS = 'query($id: ID!) { charger(id: $id) { connectors { evseId powerLimitW } } }';
    const shares = await eventually(
      () => gql(url, CONNECTORS, { id: c.chargerId }),
      (r: any) => r.data?.charger.connectors.every((x: any) => x.powerLimitW === 15_000),
    );
    expect(shares.data!.charger.connectors).toHaveLength(2);
    await status(1, 'Available'); // EVSE 2 alone: its 22 kW maximum
    await eventually(
      async () => profiles().length,
      (n) => n === 5,
    );
    expect(profiles()[4]).toEqual([2, 22_000]);

    const schedule = await gql(
      url,
      'mutation($c: ID!) { getCompositeSchedule(chargerId: $c, evseId: 1, durationSeconds: 600) { status scheduleStart periods { startPeriod limitW } } }',
      { c: c.chargerId },
      { token: operator.token },
    );
    expect(schedule.data!.getCompositeSchedule).toEqual({
      status: 'Accepted',
      scheduleStart: '2026-12-03T10:00:00.000Z',
      periods: [{ startPeriod: 0, limitW: 15000 }],
    });
    expect(asked.find((a) => a.method === 'GetCompositeSchedule')!.params).toEqual({
      connectorId: 1,
      duration: 600,
      chargingRateUnit: 'W',
    });

    await gql(url, LIMIT, { s: c.stationId, l: null }, { token: operator.token });
    expect(asked.filter((a) => a.method === 'ClearChargingProfile').map((a) => a.params.connectorId)).toEqual(
      [1, 2],
    );
    const cleared = await gql(url, CONNECTORS, { id: c.chargerId });
    expect(cleared.data!.charger.connectors.map((x: any) => x.powerLimitW)).toEqual([null, null]);
    expect(codeOf(await gql(url, LIMIT, { s: c.stationId, l: 0.5 }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(url, LIMIT, { s: c.stationId, l: 30 }, { token: driver.token }))).toBe(
      'FORBIDDEN',
    );
    await cp.close();
  });

  it('2.0.1: SetChargingProfile carries the share for the EVSE', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const asked = answerCommands(cs, { SetChargingProfile: { status: 'Accepted' } });
    await gql(url, LIMIT, { s: c.stationId, l: 11 }, { token: operator.token });
    expect(asked.map((a) => [evseOf(a), limitW(a)])).toEqual([
      [1, 11_000],
      [2, 11_000],
    ]);
    expect(asked[0]!.params.chargingProfile).toMatchObject({
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
    });
    await cs.close();
  });
});

describe('local authorization lists', () => {
  const SYNC =
    'mutation($c: ID!, $f: Boolean) { syncLocalList(chargerId: $c, full: $f) { status updateType version entries } }';

  it('1.6: the station’s drivers’ tokens go Full, then Differential; a card blocked later reaches the list at once', async () => {
    const spare = 'RESV0003';
    await gql(url, `mutation { addIdToken(token: "${spare}") { id } }`, {}, { token: driver.token });
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const asked = answerCommands(cp, {
      SendLocalList: { status: 'Accepted' },
      GetLocalListVersion: { listVersion: 2 },
    });
    // The driver charged here: their tokens belong on this station's lists.
    const start = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: MINE,
      meterStart: 0,
      timestamp: iso(-20),
    })) as any;
    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 1000,
      timestamp: iso(-5),
    });
    // Once the session is stored (the list is built from stored sessions), one sync.
    await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status } } } }',
          { c: c.chargerId },
          { token: operator.token },
        ),
      (r: any) => r.data?.sessions.edges[0]?.node.status === 'COMPLETED',
    );
    const first = await gql(url, SYNC, { c: c.chargerId }, { token: operator.token });
    expect(first.data!.syncLocalList).toEqual({
      status: 'Accepted',
      updateType: 'Full',
      version: 1,
      entries: 2,
    });
    const full = asked.filter((a) => a.method === 'SendLocalList').at(-1)!;
    expect(full.params).toEqual({
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [
        { idTag: MINE, idTagInfo: { status: 'Accepted' } },
        { idTag: spare, idTagInfo: { status: 'Accepted' } },
      ],
    });
    const sent = asked.length;
    expect(
      (await gql(url, SYNC, { c: c.chargerId }, { token: operator.token })).data!.syncLocalList,
    ).toMatchObject({
      status: 'Unchanged',
      version: 1,
    });
    expect(asked).toHaveLength(sent);

    await gql(url, `mutation { blockIdToken(token: "${spare}") { id } }`, {}, { token: driver.token });
    await eventually(
      async () => asked.length,
      (n) => n > sent,
    );
    expect(asked.at(-1)).toEqual({
      method: 'SendLocalList',
      params: {
        listVersion: 2,
        updateType: 'Differential',
        localAuthorizationList: [{ idTag: spare, idTagInfo: { status: 'Blocked' } }],
      },
    });
    const VERSION = 'mutation($c: ID!) { getLocalListVersion(chargerId: $c) }';
    expect(
      (await gql(url, VERSION, { c: c.chargerId }, { token: operator.token })).data!.getLocalListVersion,
    ).toBe(2);
    // The authorization cache (tokens the charger remembered on its own) is cleared on request.
    const cleared = answerCommands(cp, { ClearCache: { status: 'Accepted' } });
    const CLEAR = 'mutation($c: ID!) { clearAuthorizationCache(chargerId: $c) { status } }';
    const clear = await gql(url, CLEAR, { c: c.chargerId }, { token: operator.token });
    expect(clear.data!.clearAuthorizationCache).toEqual({ status: 'Accepted' });
    expect(cleared).toEqual([{ method: 'ClearCache', params: {} }]);
    await cp.close();
  });

  it('2.0.1: SendLocalList carries versionNumber and idTokenInfo', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const asked = answerCommands(cs, {
      SendLocalList: { status: 'Accepted' },
      ReserveNow: { status: 'Accepted' },
    });
    // A reservation makes its driver one of the station's.
    await reserve(driver, c.chargerId, 1, MINE);
    const r = await gql(url, SYNC, { c: c.chargerId, f: true }, { token: operator.token });
    expect(r.data!.syncLocalList).toMatchObject({ status: 'Accepted', updateType: 'Full', version: 1 });
    const list = asked.find((a) => a.method === 'SendLocalList')!.params;
    expect(list).toMatchObject({ versionNumber: 1, updateType: 'Full' });
    expect(list.localAuthorizationList).toContainEqual({
      idToken: { idToken: MINE, type: 'ISO14443' },
      idTokenInfo: { status: 'Accepted' },
    });
    await cs.close();
  });
});

describe('maintenance windows', () => {
  const SCHEDULE = `mutation($c: ID!, $e: Int, $from: DateTimeISO!, $to: DateTimeISO!) {
    scheduleMaintenance(chargerId: $c, evseId: $e, startsAt: $from, endsAt: $to, reason: "Cable swap") {
      id status startOutcome endOutcome } }`;
  const WINDOWS =
    'query($id: ID!) { charger(id: $id) { maintenanceWindows { id evseId status startOutcome endOutcome reason } } }';

  it('1.6: Inoperative at the start, Operative at the end, both answers on the charger; reservations in it are refused', async () => {
    const c = await registeredCharger(url, operator);
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const asked = answerCommands(cp, { ChangeAvailability: { status: 'Accepted' } });
    const from = new Date(Date.now() + 1_000);
    const to = new Date(Date.now() + 3_000);
    const made = await gql(
      url,
      SCHEDULE,
      { c: c.chargerId, e: 1, from: from.toISOString(), to: to.toISOString() },
      { token: operator.token },
    );
    expect(made.data!.scheduleMaintenance).toMatchObject({ status: 'SCHEDULED', startOutcome: null });
    // The EVSE is down in that span: no reservation over it; an overlapping window is a CONFLICT.
    expect(codeOf(await reserve(driver, c.chargerId, 1, MINE))).toBe('CONFLICT');
    const overlap = await gql(
      url,
      SCHEDULE,
      { c: c.chargerId, e: null, from: from.toISOString(), to: to.toISOString() },
      { token: operator.token },
    );
    expect(codeOf(overlap)).toBe('CONFLICT');

    await eventually(
      async () => asked.length,
      (n) => n === 2,
      10_000,
    );
    expect(asked).toEqual([
      { method: 'ChangeAvailability', params: { connectorId: 1, type: 'Inoperative' } },
      { method: 'ChangeAvailability', params: { connectorId: 1, type: 'Operative' } },
    ]);
    const shown = await eventually(
      () => gql(url, WINDOWS, { id: c.chargerId }, { token: operator.token }),
      (r: any) => r.data?.charger.maintenanceWindows[0]?.status === 'DONE',
    );
    expect(shown.data!.charger.maintenanceWindows).toEqual([
      {
        id: made.data!.scheduleMaintenance.id,
        evseId: 1,
        status: 'DONE',
        startOutcome: 'Accepted',
        endOutcome: 'Accepted',
        reason: 'Cable swap',
      },
    ]);
    // Only the station's operator and admins see them.
    expect(
      (await gql(url, WINDOWS, { id: c.chargerId }, { token: driver.token })).data!.charger
        .maintenanceWindows,
    ).toEqual([]);
    await cp.close();
  });

  it('2.0.1: a window on the whole charger started now and cancelled: Inoperative, then Operative at once', async () => {
    const c = await registeredCharger(url, operator);
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const asked = answerCommands(cs, { ChangeAvailability: { status: 'Accepted' } });
    const made = await gql(
      url,
      SCHEDULE,
      { c: c.chargerId, from: new Date().toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() },
      { token: operator.token },
    );
    expect(made.data!.scheduleMaintenance).toMatchObject({ status: 'ACTIVE', startOutcome: 'Accepted' });
    expect(asked).toEqual([{ method: 'ChangeAvailability', params: { operationalStatus: 'Inoperative' } }]);
    const cancelled = await gql(
      url,
      'mutation($id: ID!) { cancelMaintenance(id: $id) { status endOutcome } }',
      { id: made.data!.scheduleMaintenance.id },
      { token: operator.token },
    );
    expect(cancelled.data!.cancelMaintenance).toEqual({ status: 'DONE', endOutcome: 'Accepted' });
    expect(asked[1]).toEqual({ method: 'ChangeAvailability', params: { operationalStatus: 'Operative' } });
    await cs.close();
  });
});
