import { receiptLines } from '../../subgraphs/session/services/receipt.js';
import { computeCost } from '../../subgraphs/session/services/pricing.js';

const rates = {
  perKwhMicros: 390_000,
  perMinuteMicros: 20_000,
  sessionFeeMicros: 500_000,
  idleFeePerMinuteMicros: 100_000,
  idleGraceMinutes: 10,
};

describe('receipt lines', () => {
  it('list every rate the tariff charges, with quantity and unit price, and add up to the cost', () => {
    const usage = {
      energyWh: 12_345,
      startedAt: new Date('2026-12-03T10:00:00Z'),
      stoppedAt: new Date('2026-12-03T11:30:30Z'),
      lastEnergyAt: new Date('2026-12-03T11:00:00Z'),
    };
    const cost = computeCost(rates, usage);
    const lines = receiptLines(rates, { ...usage, idleMinutes: cost.idleMinutes, breakdown: cost });
    expect(lines.map((l) => [l.kind, l.quantity, l.unit, l.unitPrice, l.amount])).toEqual([
      ['ENERGY', '12.345', 'kWh', '0.39', '4.81'],
      ['TIME', '90.50', 'min', '0.02', '1.81'],
      ['IDLE', '20.50', 'min', '0.10', '2.05'],
      ['SESSION_FEE', '1', 'session', '0.50', '0.50'],
    ]);
    const sum = lines.reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0);
    expect(sum).toBe(cost.totalMicros / 10_000);
  });

  it('print no line for a rate the tariff does not charge, and none without a tariff', () => {
    const free = { ...rates, perMinuteMicros: 0, idleFeePerMinuteMicros: 0, sessionFeeMicros: 0 };
    const usage = { energyWh: 1000, startedAt: new Date(0), stoppedAt: new Date(60_000), lastEnergyAt: null };
    const cost = computeCost(free, usage);
    expect(receiptLines(free, { ...usage, idleMinutes: 0, breakdown: cost }).map((l) => l.kind)).toEqual([
      'ENERGY',
    ]);
    expect(receiptLines(null, { ...usage, idleMinutes: 0, breakdown: cost })).toEqual([]);
  });
});
