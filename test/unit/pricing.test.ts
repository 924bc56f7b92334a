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
