import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { addDays, localDate, startOfLocalDay } from '../../lib/time-zones.js';

/**
 * Reports from what real chargers said: a week of status history sent over OCPP 1.6 with past
 * timestamps, an exclusion, a session, and a live maintenance window, checked against figures
 * computed here by hand.
 */
let p: TestPlatform;
let url: string;
let operator: Session;
let otherOperator: Session;
let auditor: Session;
const TZ = 'America/New_York';
const CARD = 'REPORT0001';
const H = 3_600_000;

beforeAll(async () => {
  p = await startTestPlatform({
    REPORT_ROLLUP_MS: '200',
    MAINTENANCE_POLL_MS: '200',
    CHARGER_COMMAND_TIMEOUT_MS: '4000',
  });
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  otherOperator = await aUserWithRoles(url, admin, ['OPERATOR']);
  auditor = await aUserWithRoles(url, admin, ['AUDITOR']);
  const driver = await registerUser(url);
  await gql(url, `mutation { addIdToken(token: "${CARD}") { id } }`, {}, { token: driver.token });
});
afterAll(() => p?.stop());

const REPORT = `query($s: ID!, $from: String!, $to: String!, $g: ReportGranularity!) {
  stationReport(stationId: $s, from: $from, to: $to, granularity: $g) {
    timezone rolledUpTo uptimeTarget
    ports { evseId uptime downtimeMinutes excludedDowntimeMinutes meetsTarget }
    buckets { period uptime utilisation observedPortHours downtimeMinutes excludedDowntimeMinutes
      plannedMaintenanceMinutes faults { errorCode count } sessions energyWh revenue { currency amount }
      ports { evseId uptime utilisation downtimeMinutes excludedDowntimeMinutes } } } }`;

const stationWithCharger = () => registeredCharger(url, operator, {}, { timezone: TZ });

describe('station and operator reports', () => {
  it('a week of status history gives the uptime, utilisation and faults computed by hand; sessions add energy and revenue', async () => {
    const c = await stationWithCharger();
    const tariff = await gql(
      url,
      'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
      {
        i: { stationId: c.stationId, name: 'Std', currency: 'EUR', pricePerKwh: '0.40', sessionFee: '0.50' },
      },
      { token: operator.token },
    );
    expect(tariff.errors).toBeUndefined();
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    // Seven whole local days, ending the day before yesterday (all of it in the past).
    const today = localDate(Date.now(), TZ);
    const days = Array.from({ length: 7 }, (_, i) => addDays(today, i - 8));
    const dayStart = days.map((d) => startOfLocalDay(d, TZ));
    const at = (day: number, hour: number) => new Date(dayStart[day]! + hour * H).toISOString();
    const status = (connectorId: number, s: string, timestamp: string, errorCode = 'NoError') =>
      cp.call('StatusNotification', { connectorId, status: s, errorCode, timestamp });

    await status(1, 'Available', at(0, 0));
    await status(2, 'Available', at(0, 0));
    for (let d = 0; d < 7; d++) {
      // EVSE 1: a car plugged in 08:00–10:00 every day.
      await status(1, 'Charging', at(d, 8));
      await status(1, 'Available', at(d, 10));
    }
    // EVSE 1: a ground fault 12:00–15:00 on day 2, reported twice; unavailable 01:00–05:00 on day 4.
    await status(1, 'Faulted', at(2, 12), 'GroundFailure');
    await status(1, 'Faulted', at(2, 13), 'GroundFailure');
    await status(1, 'Available', at(2, 15));
    await status(1, 'Unavailable', at(4, 1));
    await status(1, 'Available', at(4, 5));
    // EVSE 2: faulted 00:00–06:00 on day 3.
    await status(2, 'Faulted', at(3, 0), 'OverCurrentFailure');
    await status(2, 'Available', at(3, 6));
    // The whole charger unavailable 20:00–22:00 on day 5: both EVSEs down.
    await status(0, 'Unavailable', at(5, 20));
    await status(0, 'Available', at(5, 22));

    // A utility outage recorded for 01:00–03:00 on day 4 (EVSE 1 only): not held against it.
    const excl = await gql(
      url,
      `mutation($i: OutageExclusionInput!) { recordOutageExclusion(input: $i) { id reason } }`,
      {
        i: {
          stationId: c.stationId,
          chargerId: c.chargerId,
          evseId: 1,
          startsAt: at(4, 1),
          endsAt: at(4, 3),
          reason: 'UTILITY_OUTAGE',
          note: 'Grid operator ticket 4711',
        },
      },
      { token: operator.token },
    );
    expect(excl.data!.recordOutageExclusion.reason).toBe('UTILITY_OUTAGE');
    // Someone else's station: refused; an exclusion that ends before it starts: a typed error.
    expect(
      codeOf(
        await gql(
          url,
          `mutation($i: OutageExclusionInput!) { recordOutageExclusion(input: $i) { id } }`,
          {
            i: {
              stationId: c.stationId,
              startsAt: at(4, 1),
              endsAt: at(4, 3),
              reason: 'VANDALISM',
              note: 'x',
            },
          },
          { token: otherOperator.token },
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(
          url,
          `mutation($i: OutageExclusionInput!) { recordOutageExclusion(input: $i) { id } }`,
          {
            i: {
              stationId: c.stationId,
              startsAt: at(4, 3),
              endsAt: at(4, 1),
              reason: 'VANDALISM',
              note: 'x',
            },
          },
          { token: operator.token },
        ),
      ),
    ).toBe('BAD_USER_INPUT');

    // A 20 kWh session on day 1, 10:00–11:00 on EVSE 1: 20 × 0.40 + 0.50 = 8.50 EUR.
    const started = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 1_000,
      timestamp: at(1, 10),
    })) as { transactionId: number };
    await cp.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: 21_000,
      timestamp: at(1, 11),
      reason: 'EVDisconnected',
    });

    const vars = { s: c.stationId, from: days[0], to: addDays(days[6]!, 1), g: 'DAY' };
    const report = await eventually(
      () => gql(url, REPORT, vars, { token: operator.token }),
      (r: any) =>
        r.data?.stationReport.buckets[1].sessions === 1 &&
        r.data.stationReport.buckets[5].downtimeMinutes === 240 &&
        r.data.stationReport.buckets[4].excludedDowntimeMinutes === 120,
      30_000,
    );
    const rep = (report as any).data.stationReport;
    expect(rep.timezone).toBe(TZ);
    expect(rep.buckets.map((b: any) => b.period)).toEqual(days);
    // Hand count, per day: [down minutes of EVSE 1, of EVSE 2, excluded minutes] over 2 × 24 h.
    const hand = [
      [0, 0, 0],
      [0, 0, 0],
      [180, 0, 0],
      [0, 360, 0],
      [240, 0, 120],
      [120, 120, 0],
      [0, 0, 0],
    ];
    rep.buckets.forEach((b: any, d: number) => {
      const [down1, down2, excluded] = hand[d]!;
      expect(b.observedPortHours).toBeCloseTo(48, 6);
      expect(b.downtimeMinutes).toBeCloseTo(down1! + down2!, 6);
      expect(b.excludedDowntimeMinutes).toBeCloseTo(excluded!, 6);
      expect(b.uptime).toBeCloseTo((48 * 60 - (down1! + down2! - excluded!)) / (48 * 60), 9);
      // EVSE 1 occupied 2 h a day (the session's 10:00–11:00 sent no status: utilisation counts what the connector said).
      expect(b.utilisation).toBeCloseTo(2 / 48, 9);
      const [p1, p2] = b.ports;
      expect(p1).toMatchObject({ evseId: 1, downtimeMinutes: down1, excludedDowntimeMinutes: excluded });
      expect(p1.uptime).toBeCloseTo((24 * 60 - (down1! - excluded!)) / (24 * 60), 9);
      expect(p2).toMatchObject({ evseId: 2, downtimeMinutes: down2, excludedDowntimeMinutes: 0 });
      expect(p1.utilisation).toBeCloseTo(2 / 24, 9);
      expect(p2.utilisation).toBe(0);
    });
    expect(rep.buckets[2].faults).toEqual([{ errorCode: 'GroundFailure', count: 1 }]);
    expect(rep.buckets[3].faults).toEqual([{ errorCode: 'OverCurrentFailure', count: 1 }]);
    expect(rep.buckets[0].faults).toEqual([]);
    expect(rep.buckets[1]).toMatchObject({
      sessions: 1,
      energyWh: 20_000,
      revenue: [{ currency: 'EUR', amount: '8.50' }],
    });
    expect(rep.buckets[2]).toMatchObject({ sessions: 0, energyWh: 0, revenue: [] });
    // The week per port: EVSE 1 down 3 + 4 + 2 h with 2 h excluded, EVSE 2 down 6 + 2 h: both under 97 %.
    expect(rep.ports).toHaveLength(2);
    expect(rep.ports[0]).toMatchObject({
      evseId: 1,
      downtimeMinutes: 540,
      excludedDowntimeMinutes: 120,
      meetsTarget: false,
    });
    expect(rep.ports[0].uptime).toBeCloseTo((168 - 7) / 168, 9);
    expect(rep.ports[1]).toMatchObject({ evseId: 2, downtimeMinutes: 480, meetsTarget: false });
    expect(rep.ports[1].uptime).toBeCloseTo(160 / 168, 9);

    // HOUR: the hour the ground fault began, EVSE 1 down all of it.
    const hour = await gql(
      url,
      REPORT,
      { s: c.stationId, from: at(2, 12), to: at(2, 13), g: 'HOUR' },
      { token: operator.token },
    );
    expect(hour.data!.stationReport.buckets).toHaveLength(1);
    expect(hour.data!.stationReport.buckets[0]).toMatchObject({ period: at(2, 12), downtimeMinutes: 60 });
    // MONTH sums the days of each month.
    const month = await gql(url, REPORT, { ...vars, g: 'MONTH' }, { token: auditor.token });
    const months = month.data!.stationReport.buckets;
    expect(months.reduce((n: number, b: any) => n + b.downtimeMinutes, 0)).toBeCloseTo(540 + 480, 6);
    expect(months.reduce((n: number, b: any) => n + b.sessions, 0)).toBe(1);

    // The operator's report adds this station in; another operator sees neither it nor its figures.
    const OP = `query($from: String!, $to: String!, $o: ID) { operatorReport(from: $from, to: $to, granularity: DAY, operatorId: $o) {
      operatorId stations { station { id } uptime meetsTarget } buckets { period downtimeMinutes sessions } } }`;
    const mine = await gql(url, OP, { from: vars.from, to: vars.to }, { token: operator.token });
    expect(mine.data!.operatorReport.stations.map((s: any) => s.station.id)).toContain(c.stationId);
    // This operator has this one station so far: its sums are the station's.
    expect(mine.data!.operatorReport.buckets.map((b: any) => b.downtimeMinutes)).toEqual(
      rep.buckets.map((b: any) => b.downtimeMinutes),
    );
    expect(mine.data!.operatorReport.buckets[1].sessions).toBe(1);
    const theirs = await gql(url, OP, { from: vars.from, to: vars.to }, { token: otherOperator.token });
    expect(theirs.data!.operatorReport.stations.map((s: any) => s.station.id)).not.toContain(c.stationId);
    expect(theirs.data!.operatorReport.buckets.every((b: any) => b.sessions === 0)).toBe(true);
    expect(
      codeOf(
        await gql(
          url,
          OP,
          { from: vars.from, to: vars.to, o: operator.userId },
          { token: otherOperator.token },
        ),
      ),
    ).toBe('FORBIDDEN');
    const audited = await gql(
      url,
      OP,
      { from: vars.from, to: vars.to, o: operator.userId },
      { token: auditor.token },
    );
    expect(audited.data!.operatorReport.buckets[1].sessions).toBe(
      mine.data!.operatorReport.buckets[1].sessions,
    );
    expect(codeOf(await gql(url, REPORT, vars, { token: otherOperator.token }))).toBe('FORBIDDEN');

    // The week's sessions as CSV, through a short-lived link the gateway streams.
    const EXPORT =
      'mutation($f: DateTimeISO!, $t: DateTimeISO!, $s: ID) { exportSessions(from: $f, to: $t, stationId: $s) { url expiresAt filename } }';
    const range = {
      f: new Date(dayStart[0]!).toISOString(),
      t: new Date(dayStart[6]! + 24 * H).toISOString(),
      s: c.stationId,
    };
    const link = (await gql(url, EXPORT, range, { token: operator.token })).data!.exportSessions;
    expect(link.url).toMatch(/^\/downloads\/[\w-]{32}$/);
    const origin = new URL(url).origin;
    const file = await fetch(origin + link.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/csv');
    expect(file.headers.get('content-disposition')).toContain(link.filename);
    const [header, ...rows] = (await file.text())
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(header!.slice(0, 3)).toEqual(['session_id', 'station_id', 'charger_identity']);
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]));
    expect(row).toMatchObject({
      station_id: c.stationId,
      status: 'COMPLETED',
      energy_wh: '20000',
      currency: 'EUR',
      cost: '8.50',
      energy_cost: '8.00',
      session_fee: '0.50',
    });
    // Another operator's export of the same period holds none of it; an unknown link is a 404.
    const theirLink = (await gql(url, EXPORT, { ...range, s: null }, { token: otherOperator.token })).data!
      .exportSessions;
    expect((await (await fetch(origin + theirLink.url)).text()).trim().split('\n')).toHaveLength(1);
    expect((await fetch(`${origin}/downloads/${'x'.repeat(32)}`)).status).toBe(404);
    expect(codeOf(await gql(url, EXPORT, { ...range, t: range.f }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(url, REPORT, { ...vars, from: '2026-13-01' }, { token: operator.token }))).toBe(
      'BAD_USER_INPUT',
    );
    await cp.close();
  }, 90_000);

  it('a maintenance window counts as planned downtime, not held against uptime', async () => {
    const c = await stationWithCharger();
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const now = Date.now();
    await cp.call('StatusNotification', {
      connectorId: 2,
      status: 'Available',
      errorCode: 'NoError',
      timestamp: new Date(now - 60_000).toISOString(),
    });
    // The charger does what it is told: Inoperative → Unavailable, Operative → Available.
    cp.handle('ChangeAvailability', async ({ params }: any) => {
      setImmediate(
        () =>
          void cp.call('StatusNotification', {
            connectorId: params.connectorId,
            status: params.type === 'Inoperative' ? 'Unavailable' : 'Available',
            errorCode: 'NoError',
            timestamp: new Date().toISOString(),
          }),
      );
      return { status: 'Accepted' };
    });
    const made = await gql(
      url,
      `mutation($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        scheduleMaintenance(chargerId: $c, evseId: 2, startsAt: $from, endsAt: $to, reason: "Cable swap") { id } }`,
      { c: c.chargerId, from: new Date(now + 1_000).toISOString(), to: new Date(now + 4_000).toISOString() },
      { token: operator.token },
    );
    expect(made.errors).toBeUndefined();
    const WINDOW =
      'query($id: ID!) { charger(id: $id) { maintenanceWindows { status startOutcome endOutcome } } }';
    await eventually(
      () => gql(url, WINDOW, { id: c.chargerId }, { token: operator.token }),
      (r: any) => r.data?.charger.maintenanceWindows[0]?.status === 'DONE',
      20_000,
    );
    const hourStart = new Date(Math.floor((now - 60_000) / H) * H).toISOString();
    const hourEnd = new Date(Date.now() + 1).toISOString();
    const r = await eventually(
      () =>
        gql(
          url,
          REPORT,
          { s: c.stationId, from: hourStart, to: hourEnd, g: 'HOUR' },
          { token: operator.token },
        ),
      (x: any) =>
        x.data?.stationReport.ports.some((port: any) => port.evseId === 2 && port.downtimeMinutes > 0),
      20_000,
    );
    const port2 = (r as any).data.stationReport.ports.find((port: any) => port.evseId === 2);
    // Down while the window was on, and until the charger reported Available after it ended (its own
    // clock: a moment past the window's end, which does count). The window's 3 s are planned downtime.
    const planned = (r as any).data.stationReport.buckets.reduce(
      (n: number, b: any) => n + b.plannedMaintenanceMinutes,
      0,
    );
    expect(planned).toBeGreaterThan(2 / 60);
    expect(planned).toBeLessThanOrEqual(3 / 60 + 1e-9);
    expect(port2.excludedDowntimeMinutes).toBeCloseTo(planned, 9);
    expect(port2.downtimeMinutes - port2.excludedDowntimeMinutes).toBeLessThan(2 / 60);
    expect(port2.uptime).toBeGreaterThan(0.99);
    await cp.close();
  }, 60_000);
});
