import { addMonths } from '../../subgraphs/session/services/plans.js';
import { receiptLines } from '../../subgraphs/session/services/receipt.js';
import { computeCost } from '../../subgraphs/session/services/pricing.js';

describe('plan periods (addMonths)', () => {
  it('renews on the same day of the month, clamped to the month’s last day, from the subscription’s start', () => {
    const start = new Date('2026-01-31T09:15:00Z');
    expect([0, 1, 2, 3, 13].map((n) => addMonths(start, n).toISOString())).toEqual([
      '2026-01-31T09:15:00.000Z',
      '2026-02-28T09:15:00.000Z',
      '2026-03-31T09:15:00.000Z',
      '2026-04-30T09:15:00.000Z',
      '2027-02-28T09:15:00.000Z',
    ]);
    expect(addMonths(new Date('2027-12-15T00:00:00Z'), 1).toISOString()).toBe('2028-01-15T00:00:00.000Z');
    expect(addMonths(new Date('2028-01-29T00:00:00Z'), 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('a plan on the receipt', () => {
  it('lists energy and time at list prices, then the plan’s discounts as negative lines; the lines add up', () => {
    const rates = {
      perKwhMicros: 390_000,
      perMinuteMicros: 20_000,
      sessionFeeMicros: 500_000,
      idleFeePerMinuteMicros: 0,
      idleGraceMinutes: 0,
    };
    const usage = {
      energyWh: 12_345,
      startedAt: new Date('2026-12-03T10:00:00Z'),
      stoppedAt: new Date('2026-12-03T11:30:00Z'),
      lastEnergyAt: new Date('2026-12-03T11:30:00Z'),
    };
    const cost = computeCost(rates, usage, {
      name: 'Plus',
      energyDiscountPerKwhMicros: 100_000,
      freeMinutesLeft: 30,
    });
    const lines = receiptLines(rates, { ...usage, idleMinutes: cost.idleMinutes, breakdown: cost });
    expect(lines.map((l) => [l.kind, l.description, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['ENERGY', 'Energy delivered', '12.345', '0.39', '4.81'],
      ['TIME', 'Time connected', '90.00', '0.02', '1.80'],
      ['PLAN_DISCOUNT', 'Plan Plus: discount per kWh', '12.345', '-0.10', '-1.23'],
      ['PLAN_DISCOUNT', 'Plan Plus: free minutes', '30.00', '-0.02', '-0.60'],
      ['SESSION_FEE', 'Session fee', '1', '0.50', '0.50'],
    ]);
    const sum = lines.reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0);
    expect(sum * 10_000).toBe(cost.totalMicros);
  });
});
