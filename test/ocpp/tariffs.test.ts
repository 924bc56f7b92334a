import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { addDays, localDate } from '../../lib/time-zones.js';

/** Time-of-use tariffs and idle fees, priced from what a real OCPP 1.6 charger reported. */
let p: TestPlatform;
let url: string;
let operator: Session;
const CARD = 'TARIFF0001';
const TZ = 'Europe/Berlin';

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const driver = await registerUser(url);
  await gql(url, `mutation { addIdToken(token: "${CARD}") { id } }`, {}, { token: driver.token });
});
afterAll(() => p?.stop());

/** A time of yesterday in Berlin ("HH:MM" local), as an ISO instant. */
function yesterday(hhmm: string): string {
  const day = addDays(localDate(Date.now(), TZ), -1);
  const offset = new Intl.DateTimeFormat('en-US', { timeZone: TZ, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${day}T12:00:00Z`))
    .find((x) => x.type === 'timeZoneName')!
    .value.replace('GMT', '');
  return new Date(`${day}T${hhmm}:00${offset || '+00:00'}`).toISOString();
}

const SET =
  'mutation($i: SetTariffInput!) { setTariff(input: $i) { id windows { name days start end pricePerKwh } maxSessionCost } }';

describe('time-of-use tariffs', () => {
  it('a session across the off-peak boundary is priced per window, and its idle fee starts when the connector stopped charging', async () => {
    const c = await registeredCharger(url, operator, {}, { timezone: TZ });
    const station = { id: c.stationId };
    const charger = { id: c.chargerId, identity: c.identity };
    const password = c.password;
    // Off-peak 00:00–07:00 every day at 0.20/kWh; otherwise 0.50/kWh; 0.10 a minute idle after 10 minutes.
    const tariff = await gql(
      url,
      SET,
      {
        i: {
          stationId: station.id,
          name: 'Day/night',
          currency: 'EUR',
          pricePerKwh: '0.50',
          idleFeePerMinute: '0.10',
          idleGraceMinutes: 10,
          windows: [
            {
              name: 'Off-peak',
              days: [1, 2, 3, 4, 5, 6, 7],
              start: '00:00',
              end: '07:00',
              pricePerKwh: '0.20',
            },
          ],
        },
      },
      { token: operator.token },
    );
    expect(tariff.data!.setTariff.windows).toEqual([
      { name: 'Off-peak', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '07:00', pricePerKwh: '0.20' },
    ]);
    // Overlapping windows, a window that ends before it starts: typed errors.
    for (const windows of [
      [
        { name: 'A', days: [1], start: '00:00', end: '08:00', pricePerKwh: '0.1' },
        { name: 'B', days: [1, 2], start: '07:00', end: '09:00', pricePerKwh: '0.1' },
      ],
      [{ name: 'A', days: [1], start: '09:00', end: '08:00', pricePerKwh: '0.1' }],
      [{ name: 'A', days: [8], start: '07:00', end: '08:00', pricePerKwh: '0.1' }],
    ])
      expect(
        codeOf(
          await gql(
            url,
            SET,
            { i: { stationId: station.id, name: 'x', currency: 'EUR', pricePerKwh: '1', windows } },
            { token: operator.token },
          ),
        ),
      ).toBe('BAD_USER_INPUT');

    const cp = await connectCharger(p.config.ports.ocpp, charger.identity, password, 'ocpp1.6');
    // Yesterday, local time: 06:00–08:00.
    const local = yesterday;
    await cp.call('StatusNotification', {
      connectorId: 1,
      status: 'Charging',
      errorCode: 'NoError',
      timestamp: local('06:00'),
    });
    const started = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 1_000,
      timestamp: local('06:00'),
    })) as { transactionId: number };
    const tx = started.transactionId;
    for (const [hhmm, wh] of [
      ['06:30', 7_000],
      ['07:00', 13_000],
      ['07:30', 17_000],
    ] as const)
      await cp.call('MeterValues', {
        connectorId: 1,
        transactionId: tx,
        meterValue: [
          {
            timestamp: local(hhmm),
            sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
          },
        ],
      });
    // Readings are split across windows as stored when the stop is priced: the three are in first
    // (the bridge's queue may run a stop before readings sent just ahead of it).
    await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { meterValues { energyWh } } } } }',
          { c: charger.id },
          { token: operator.token },
        ),
      (r: any) => r.data?.sessions.edges[0]?.node.meterValues.length === 3,
    );
    // The car stops drawing at 07:40 (the connector says so); it stays plugged in until 08:00.
    await cp.call('StatusNotification', {
      connectorId: 1,
      status: 'SuspendedEV',
      errorCode: 'NoError',
      timestamp: local('07:40'),
    });
    await eventually(
      () =>
        gql(
          url,
          'query($id: ID!) { charger(id: $id) { connectors { status } } }',
          { id: charger.id },
          { token: operator.token },
        ),
      (r: any) => r.data?.charger.connectors[0].status === 'SUSPENDED_EV',
    );
    await cp.call('StopTransaction', {
      transactionId: tx,
      meterStop: 21_000,
      timestamp: local('08:00'),
      reason: 'EVDisconnected',
    });

    const done = await eventually(
      () =>
        gql(
          url,
          `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status cost
             costBreakdown { energy idle total } receipt { total lines { kind description quantity unitPrice amount } } } } } }`,
          { c: charger.id },
          { token: operator.token },
        ),
      (r: any) => r.data?.sessions.edges[0]?.node.status === 'COMPLETED',
      30_000,
    );
    const s = (done as any).data.sessions.edges[0].node;
    // 12 kWh off-peak × 0.20 = 2.40; 8 kWh after 07:00 × 0.50 = 4.00; idle 07:40–08:00 = 20 min, 10
    // beyond the grace period × 0.10 = 1.00. The meter alone (energy rose until 08:00) would bill no idle.
    expect(s.costBreakdown).toEqual({ energy: '6.40', idle: '1.00', total: '7.40' });
    expect(s.receipt.lines).toEqual([
      {
        kind: 'ENERGY',
        description: 'Energy delivered (Off-peak)',
        quantity: '12.000',
        unitPrice: '0.20',
        amount: '2.40',
      },
      {
        kind: 'ENERGY',
        description: 'Energy delivered (standard rate)',
        quantity: '8.000',
        unitPrice: '0.50',
        amount: '4.00',
      },
      {
        kind: 'IDLE',
        description: 'Idle after a 10-minute grace period',
        quantity: '10.00',
        unitPrice: '0.10',
        amount: '1.00',
      },
    ]);
    expect(s.receipt.total).toBe('7.40');
    await cp.close();
  }, 60_000);
});

describe('a stop that carries its readings', () => {
  const register = (wh: number) => ({
    value: String(wh),
    measurand: 'Energy.Active.Import.Register',
    unit: 'Wh',
  });
  /**
   * 06:00–08:00 yesterday: 6 kWh by 06:30, 12 kWh by 07:00 (the off-peak end), 20 kWh at 08:00. The
   * reading that decides the split comes last (chargers may send them in any order): as a job of its
   * own it would be the one most likely overtaken by the stop.
   */
  const READINGS = [
    ['06:30', 7_000],
    ['07:30', 17_000],
    ['07:00', 13_000],
  ] as const;

  /** A charger at a Berlin station priced 0.20/kWh off-peak (00:00–07:00), else 0.50/kWh. */
  async function touCharger() {
    const c = await registeredCharger(url, operator, {}, { timezone: TZ });
    await gql(
      url,
      SET,
      {
        i: {
          stationId: c.stationId,
          name: 'Day/night',
          currency: 'EUR',
          pricePerKwh: '0.50',
          windows: [
            {
              name: 'Off-peak',
              days: [1, 2, 3, 4, 5, 6, 7],
              start: '00:00',
              end: '07:00',
              pricePerKwh: '0.20',
            },
          ],
        },
      },
      { token: operator.token },
    );
    return c;
  }

  const completed = (chargerId: string) =>
    eventually(
      () =>
        gql(
          url,
          `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { status energyWh
             costBreakdown { energy total } meterValues { energyWh } } } } }`,
          { c: chargerId },
          { token: operator.token },
        ),
      (r: any) => r.data?.sessions.edges[0]?.node.status === 'COMPLETED',
      30_000,
    ).then((r: any) => r.data.sessions.edges[0].node);

  // 12 kWh off-peak × 0.20 = 2.40 and 8 kWh × 0.50 = 4.00. Priced without the readings (a stop that
  // overtook them), the 20 kWh would be split by time alone: 10 + 10 kWh, 7.00.
  it('1.6: StopTransaction’s transactionData is stored with the stop, so its readings split the energy', async () => {
    const c = await touCharger();
    const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
    const { transactionId } = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: CARD,
      meterStart: 1_000,
      timestamp: yesterday('06:00'),
    })) as { transactionId: number };
    await cp.call('StopTransaction', {
      transactionId,
      meterStop: 21_000,
      timestamp: yesterday('08:00'),
      reason: 'EVDisconnected',
      transactionData: READINGS.map(([hhmm, wh]) => ({
        timestamp: yesterday(hhmm),
        sampledValue: [register(wh)],
      })),
    });
    const s = await completed(c.chargerId);
    expect(s.meterValues.map((m: any) => m.energyWh).sort((a: number, b: number) => a - b)).toEqual([
      7_000, 13_000, 17_000,
    ]);
    expect(s.costBreakdown).toEqual({ energy: '6.40', total: '6.40' });
    await cp.close();
  });

  it('2.0.1: an Ended event’s meter values are stored with the stop, so its readings split the energy', async () => {
    const c = await touCharger();
    const cs = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp2.0.1');
    const tx = `tou-${Date.now()}`;
    const event = (eventType: 'Started' | 'Ended', at: string, readings: (readonly [string, number])[]) =>
      cs.call('TransactionEvent', {
        eventType,
        timestamp: yesterday(at),
        triggerReason: eventType === 'Started' ? 'Authorized' : 'EVDeparted',
        seqNo: eventType === 'Started' ? 0 : 1,
        transactionInfo: {
          transactionId: tx,
          ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
        },
        ...(eventType === 'Started'
          ? { idToken: { idToken: CARD, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } }
          : {}),
        meterValue: readings.map(([hhmm, wh]) => ({
          timestamp: yesterday(hhmm),
          sampledValue: [
            { value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
          ],
        })),
      });
    await event('Started', '06:00', [['06:00', 1_000]]);
    await event('Ended', '08:00', [...READINGS, ['08:00', 21_000]]);
    const s = await completed(c.chargerId);
    expect(s.energyWh).toBe(20_000);
    expect(s.costBreakdown).toEqual({ energy: '6.40', total: '6.40' });
    await cs.close();
  });
});
