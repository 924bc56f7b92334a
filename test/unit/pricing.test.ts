import { computeCost, type Rates } from '../../subgraphs/session/services/pricing.js';
import { formatMoney, parseMoney, roundToCents } from '../../subgraphs/session/services/money.js';

const t0 = new Date('2026-11-22T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const rates = (r: Partial<Rates> = {}): Rates => ({
  perKwhMicros: 0,
  perMinuteMicros: 0,
  sessionFeeMicros: 0,
  idleFeePerMinuteMicros: 0,
  idleGraceMinutes: 0,
  ...r,
});

describe('money', () => {
  it('parses decimal strings exactly into micro-units', () => {
    expect(parseMoney('0.39', 'p')).toBe(390_000);
    expect(parseMoney('12', 'p')).toBe(12_000_000);
    expect(parseMoney('0.000001', 'p')).toBe(1);
  });

  it.each(['-1', '1.0000001', 'abc', '', '1e3', '1,5'])('rejects %p', (value) => {
    expect(() => parseMoney(value, 'price')).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'price' }),
      }),
    );
  });

  it('formats with two decimals, more only when needed', () => {
    expect(formatMoney(390_000)).toBe('0.39');
    expect(formatMoney(12_000_000)).toBe('12.00');
    expect(formatMoney(1)).toBe('0.000001');
    expect(formatMoney(1_234_500)).toBe('1.2345');
  });

  it('rounds half away from zero to cents', () => {
    expect(roundToCents(5_000)).toBe(10_000);
    expect(roundToCents(4_999)).toBe(0);
    expect(roundToCents(-5_000)).toBe(-10_000);
  });
});

describe('computeCost', () => {
  it('charges energy by the kWh', () => {
    const c = computeCost(rates({ perKwhMicros: 390_000 }), {
      energyWh: 22_500,
      startedAt: t0,
      stoppedAt: at(60),
      lastEnergyAt: at(60),
    });
    expect(c.energyMicros).toBe(8_780_000); // 22.5 kWh × 0.39 = 8.775 → 8.78
    expect(c.totalMicros).toBe(8_780_000);
  });

  it('charges time pro rata to the second and adds the session fee', () => {
    const c = computeCost(rates({ perMinuteMicros: 100_000, sessionFeeMicros: 500_000 }), {
      energyWh: 0,
      startedAt: t0,
      stoppedAt: new Date(t0.getTime() + 90_000),
      lastEnergyAt: null,
    });
    expect(c.timeMicros).toBe(150_000);
    expect(c.totalMicros).toBe(650_000);
  });

  it('charges idle time only beyond the grace period', () => {
    const r = rates({ idleFeePerMinuteMicros: 200_000, idleGraceMinutes: 10 });
    const within = computeCost(r, {
      energyWh: 10_000,
      startedAt: t0,
      stoppedAt: at(70),
      lastEnergyAt: at(60),
    });
    expect(within.idleMicros).toBe(0);
    const beyond = computeCost(r, {
      energyWh: 10_000,
      startedAt: t0,
      stoppedAt: at(85),
      lastEnergyAt: at(60),
    });
    expect(beyond.idleMinutes).toBe(15);
    expect(beyond.idleMicros).toBe(3_000_000);
  });

  it('makes the total the sum of the rounded lines', () => {
    const c = computeCost(
      rates({ perKwhMicros: 333_333, perMinuteMicros: 33_333, sessionFeeMicros: 1_005 }),
      {
        energyWh: 1_000,
        startedAt: t0,
        stoppedAt: at(1),
        lastEnergyAt: at(1),
      },
    );
    expect(c.totalMicros).toBe(c.energyMicros + c.timeMicros + c.idleMicros + c.sessionFeeMicros);
    expect(c.totalMicros % 10_000).toBe(0);
  });

  it('never charges for negative energy or a stop before the start', () => {
    const c = computeCost(rates({ perKwhMicros: 390_000, perMinuteMicros: 100_000 }), {
      energyWh: -500,
      startedAt: at(10),
      stoppedAt: t0,
      lastEnergyAt: null,
    });
    expect(c.totalMicros).toBe(0);
  });
});

describe('time-of-use windows, idle from the connector, the cap', () => {
  // Berlin, Monday 2026-11-23: off-peak 00:00–07:00 and 22:00–24:00 on weekdays, 0.20/kWh, 0.01/min;
  // base (peak) 0.50/kWh, 0.02/min.
  const tou = rates({
    perKwhMicros: 500_000,
    perMinuteMicros: 20_000,
    windows: [
      {
        name: 'Off-peak',
        days: [1, 2, 3, 4, 5],
        start: 0,
        end: 7 * 60,
        perKwhMicros: 200_000,
        perMinuteMicros: 10_000,
      },
      {
        name: 'Off-peak',
        days: [1, 2, 3, 4, 5],
        start: 22 * 60,
        end: 1440,
        perKwhMicros: 200_000,
        perMinuteMicros: 10_000,
      },
    ],
  });
  const berlin = (hhmm: string) => new Date(`2026-11-23T${hhmm}:00+01:00`);

  it('prices a session across the off-peak boundary per window, energy split along the readings', () => {
    // 06:00–08:00 local; 12 kWh by 07:00 (the readings say so), 20 kWh in all.
    const cost = computeCost(tou, {
      energyWh: 20_000,
      startedAt: berlin('06:00'),
      stoppedAt: berlin('08:00'),
      lastEnergyAt: berlin('08:00'),
      timezone: 'Europe/Berlin',
      readings: [
        { at: berlin('06:30'), energyWh: 6_000 },
        { at: berlin('07:00'), energyWh: 12_000 },
        { at: berlin('07:30'), energyWh: 16_000 },
      ],
    });
    expect(cost.periods).toEqual([
      {
        window: 'Off-peak',
        minutes: 60,
        energyWh: 12_000,
        perKwhMicros: 200_000,
        perMinuteMicros: 10_000,
        energyMicros: 2_400_000,
        timeMicros: 600_000,
      },
      {
        window: null,
        minutes: 60,
        energyWh: 8_000,
        perKwhMicros: 500_000,
        perMinuteMicros: 20_000,
        energyMicros: 4_000_000,
        timeMicros: 1_200_000,
      },
    ]);
    expect(cost).toMatchObject({
      energyMicros: 6_400_000,
      timeMicros: 1_800_000,
      totalMicros: 8_200_000,
      capMicros: 0,
    });
  });

  it('follows the local clock and weekday: the same UTC hours on a Saturday are all peak', () => {
    const sat = (hhmm: string) => new Date(`2026-11-28T${hhmm}:00+01:00`);
    const cost = computeCost(tou, {
      energyWh: 10_000,
      startedAt: sat('06:00'),
      stoppedAt: sat('08:00'),
      lastEnergyAt: null,
      timezone: 'Europe/Berlin',
    });
    expect(cost.periods.map((p) => p.window)).toEqual([null]);
    // Across midnight on a weekday: both off-peak windows are one period.
    const night = computeCost(tou, {
      energyWh: 10_000,
      startedAt: berlin('23:00'),
      stoppedAt: new Date('2026-11-24T01:00:00+01:00'),
      lastEnergyAt: null,
      timezone: 'Europe/Berlin',
    });
    expect(night.periods).toMatchObject([{ window: 'Off-peak', minutes: 120, energyWh: 10_000 }]);
  });

  it('splits whole Wh so the periods add up to the session, whatever the readings', () => {
    const cost = computeCost(tou, {
      energyWh: 10_001,
      startedAt: berlin('06:59'),
      stoppedAt: berlin('07:02'),
      lastEnergyAt: null,
      timezone: 'Europe/Berlin',
    });
    expect(cost.periods.reduce((n, p) => n + p.energyWh, 0)).toBe(10_001);
    expect(cost.periods.every((p) => Number.isInteger(p.energyWh))).toBe(true);
  });

  it('starts idle time when the connector said charging stopped, not at the last meter increase', () => {
    const r = rates({ idleFeePerMinuteMicros: 100_000, idleGraceMinutes: 10 });
    const usage = { energyWh: 5_000, startedAt: at(0), stoppedAt: at(90), lastEnergyAt: at(80) };
    // The meter alone: 10 idle minutes, all in the grace period.
    expect(computeCost(r, usage).idleMicros).toBe(0);
    // The connector left CHARGING at minute 50: 40 idle minutes, 30 beyond the grace period.
    const c = computeCost(r, { ...usage, chargingEndedAt: at(50) });
    expect(c.idleMinutes).toBe(30);
    expect(c.idleMicros).toBe(3_000_000);
  });

  it('caps the total, taking the excess off idle, then time, then energy, so the lines still add up', () => {
    const r = rates({
      perKwhMicros: 400_000,
      perMinuteMicros: 10_000,
      sessionFeeMicros: 500_000,
      idleFeePerMinuteMicros: 100_000,
      maxCostMicros: 10_000_000,
    });
    // 20 kWh (8.00) + 60 min (0.60) + 30 idle min (3.00) + 0.50 = 12.10, capped at 10.00.
    const c = computeCost(r, { energyWh: 20_000, startedAt: at(0), stoppedAt: at(60), lastEnergyAt: at(30) });
    expect(c).toMatchObject({
      capMicros: 2_100_000,
      idleMicros: 900_000,
      timeMicros: 600_000,
      energyMicros: 8_000_000,
      sessionFeeMicros: 500_000,
      totalMicros: 10_000_000,
    });
    const under = computeCost(
      { ...r, maxCostMicros: 50_000_000 },
      { energyWh: 20_000, startedAt: at(0), stoppedAt: at(60), lastEnergyAt: at(30) },
    );
    expect(under).toMatchObject({ capMicros: 0, totalMicros: 12_100_000 });
  });
});

describe('subscription plans', () => {
  const plan = (p: { perKwh?: number; freeMinutes?: number }) => ({
    name: 'Plus',
    energyDiscountPerKwhMicros: p.perKwh ?? 0,
    freeMinutesLeft: p.freeMinutes ?? 0,
  });
  const usage = { energyWh: 12_345, startedAt: at(0), stoppedAt: at(90), lastEnergyAt: at(90) };

  it('takes the discount per kWh off the energy line, rounded to cents, and the free minutes off time', () => {
    const r = rates({ perKwhMicros: 390_000, perMinuteMicros: 20_000, sessionFeeMicros: 500_000 });
    const list = computeCost(r, usage);
    // 12.345 kWh × 0.39 = 4.81455 → 4.81; 90 min × 0.02 = 1.80; fee 0.50.
    expect(list).toMatchObject({ energyMicros: 4_810_000, timeMicros: 1_800_000, totalMicros: 7_110_000 });
    const c = computeCost(r, usage, plan({ perKwh: 100_000, freeMinutes: 30 }));
    // 12.345 kWh × 0.10 = 1.2345 → 1.23 off; 30 free minutes × 0.02 = 0.60 off.
    expect(c.plan).toEqual({
      name: 'Plus',
      energyDiscountPerKwhMicros: 100_000,
      energyWh: 12_345,
      energyDiscountMicros: 1_230_000,
      freeMinutes: 30,
      timeDiscountMicros: 600_000,
    });
    expect(c).toMatchObject({ energyMicros: 3_580_000, timeMicros: 1_200_000, sessionFeeMicros: 500_000 });
    expect(c.totalMicros).toBe(c.energyMicros + c.timeMicros + c.idleMicros + c.sessionFeeMicros);
    expect(c.totalMicros).toBe(list.totalMicros - 1_830_000);
  });

  it('never takes more than a line: a discount above the price per kWh makes the energy free, free minutes beyond the session are kept', () => {
    const r = rates({ perKwhMicros: 200_000, perMinuteMicros: 10_000 });
    const c = computeCost(r, usage, plan({ perKwh: 500_000, freeMinutes: 500 }));
    expect(c).toMatchObject({ energyMicros: 0, timeMicros: 0, totalMicros: 0 });
    // Only the session's 90 minutes are used: the rest stays for the period's next sessions.
    expect(c.plan).toMatchObject({
      freeMinutes: 90,
      energyDiscountMicros: 2_470_000,
      timeDiscountMicros: 900_000,
    });
  });

  it('spends free minutes on the periods with a time price in the order reached, each at its own price', () => {
    // Berlin: off-peak until 07:00 at 0.01/min, peak after at 0.02/min; a session 06:30–07:30.
    const tou = rates({
      perKwhMicros: 500_000,
      perMinuteMicros: 20_000,
      windows: [
        { name: 'Off-peak', days: [1], start: 0, end: 420, perKwhMicros: 200_000, perMinuteMicros: 10_000 },
      ],
    });
    const c = computeCost(
      tou,
      {
        energyWh: 0,
        startedAt: new Date('2026-11-23T06:30:00+01:00'),
        stoppedAt: new Date('2026-11-23T07:30:00+01:00'),
        lastEnergyAt: null,
        timezone: 'Europe/Berlin',
      },
      plan({ freeMinutes: 40 }),
    );
    // 30 off-peak minutes (0.30) and then 10 peak minutes (0.20) are free: 0.50 of the 0.90.
    expect(c.plan).toMatchObject({ freeMinutes: 40, timeDiscountMicros: 500_000 });
    expect(c.timeMicros).toBe(400_000);
  });

  it('applies before the cap: the cap limits what the subscriber pays after the discount', () => {
    const r = rates({ perKwhMicros: 400_000, maxCostMicros: 5_000_000 });
    // 20 kWh × 0.40 = 8.00, less 20 × 0.10 = 6.00, capped at 5.00.
    const c = computeCost(
      r,
      { energyWh: 20_000, startedAt: at(0), stoppedAt: at(60), lastEnergyAt: at(60) },
      plan({ perKwh: 100_000 }),
    );
    expect(c).toMatchObject({ capMicros: 1_000_000, energyMicros: 5_000_000, totalMicros: 5_000_000 });
    expect(c.plan?.energyDiscountMicros).toBe(2_000_000);
  });
});
