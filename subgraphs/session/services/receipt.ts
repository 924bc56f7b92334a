import type { Rates } from './pricing.js';
import { formatMoney } from './money.js';

export interface ReceiptLineData {
  kind: 'ENERGY' | 'TIME' | 'IDLE' | 'SESSION_FEE';
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  amount: string;
}

/**
 * The priced lines of a completed session as its receipt prints them: one per rate the tariff charges
 * (a zero rate prints no line), each with its quantity — kWh to 3 decimals, minutes to 2 — its unit
 * price and its amount as pricing.ts rounded it (whole cents). The lines add up to the session's cost.
 */
export function receiptLines(
  rates: Rates | null,
  s: {
    energyWh: number;
    startedAt: Date;
    stoppedAt: Date;
    idleMinutes: number | null;
    breakdown: {
      energyMicros?: number;
      timeMicros?: number;
      idleMicros?: number;
      sessionFeeMicros?: number;
    } | null;
  },
): ReceiptLineData[] {
  if (!rates || !s.breakdown) return [];
  const b = s.breakdown;
  const minutes = Math.max(0, s.stoppedAt.getTime() - s.startedAt.getTime()) / 60_000;
  const lines: ReceiptLineData[] = [];
  if (rates.perKwhMicros)
    lines.push({
      kind: 'ENERGY',
      description: 'Energy delivered',
      quantity: (s.energyWh / 1000).toFixed(3),
      unit: 'kWh',
      unitPrice: formatMoney(rates.perKwhMicros),
      amount: formatMoney(b.energyMicros ?? 0),
    });
  if (rates.perMinuteMicros)
    lines.push({
      kind: 'TIME',
      description: 'Time connected',
      quantity: minutes.toFixed(2),
      unit: 'min',
      unitPrice: formatMoney(rates.perMinuteMicros),
      amount: formatMoney(b.timeMicros ?? 0),
    });
  if (rates.idleFeePerMinuteMicros)
    lines.push({
      kind: 'IDLE',
      description: `Idle after a ${rates.idleGraceMinutes}-minute grace period`,
      quantity: (s.idleMinutes ?? 0).toFixed(2),
      unit: 'min',
      unitPrice: formatMoney(rates.idleFeePerMinuteMicros),
      amount: formatMoney(b.idleMicros ?? 0),
    });
  if (rates.sessionFeeMicros)
    lines.push({
      kind: 'SESSION_FEE',
      description: 'Session fee',
      quantity: '1',
      unit: 'session',
      unitPrice: formatMoney(rates.sessionFeeMicros),
      amount: formatMoney(b.sessionFeeMicros ?? 0),
    });
  return lines;
}
