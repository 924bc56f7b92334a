import type { PlanDiscount, PricedPeriod, Rates, StoredCostBreakdown } from './pricing.js';
import { formatMoney, roundToCents } from './money.js';

export interface ReceiptLineData {
  kind: 'ENERGY' | 'TIME' | 'PLAN_DISCOUNT' | 'IDLE' | 'SESSION_FEE' | 'CAP';
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  amount: string;
}

/**
 * The priced lines of a completed session as its receipt prints them: energy and time per price
 * period (each time-of-use window the session spent time in, and the base prices), at their list
 * prices; a subscription plan's discounts as negative PLAN_DISCOUNT lines (per kWh, free minutes); the
 * idle fee and the session fee — a zero price prints no line — each with its quantity (kWh to 3 decimals, minutes to 2),
 * unit price and amount as pricing.ts rounded it (whole cents); then, when the tariff's cap was
 * reached, a negative CAP line. The lines add up to the session's cost.
 */
export function receiptLines(
  rates: Rates | null,
  s: {
    energyWh: number;
    startedAt: Date;
    stoppedAt: Date;
    idleMinutes: number | null;
    breakdown: (Omit<StoredCostBreakdown, 'plan'> & { plan?: PlanDiscount | null }) | null;
  },
): ReceiptLineData[] {
  if (!rates || !s.breakdown) return [];
  const b = s.breakdown;
  const cap = b.capMicros ?? 0;
  // Sessions priced before periods were stored: one period at the base prices.
  const periods: PricedPeriod[] = b.periods ?? [
    {
      window: null,
      minutes: Math.max(0, s.stoppedAt.getTime() - s.startedAt.getTime()) / 60_000,
      energyWh: s.energyWh,
      perKwhMicros: rates.perKwhMicros,
      perMinuteMicros: rates.perMinuteMicros,
      energyMicros: b.energyMicros,
      timeMicros: b.timeMicros,
    },
  ];
  const named = periods.some((p) => p.window !== null);
  const label = (what: string, p: PricedPeriod) =>
    named ? `${what} (${p.window ?? 'standard rate'})` : what;
  const lines: ReceiptLineData[] = [];
  for (const p of periods)
    if (p.perKwhMicros)
      lines.push({
        kind: 'ENERGY',
        description: label('Energy delivered', p),
        quantity: (p.energyWh / 1000).toFixed(3),
        unit: 'kWh',
        unitPrice: formatMoney(p.perKwhMicros),
        amount: formatMoney(p.energyMicros),
      });
  for (const p of periods)
    if (p.perMinuteMicros)
      lines.push({
        kind: 'TIME',
        description: label('Time connected', p),
        quantity: p.minutes.toFixed(2),
        unit: 'min',
        unitPrice: formatMoney(p.perMinuteMicros),
        amount: formatMoney(p.timeMicros),
      });
  const plan = b.plan;
  const timePrices = new Set(periods.filter((p) => p.perMinuteMicros).map((p) => p.perMinuteMicros));
  if (plan?.energyDiscountMicros)
    lines.push({
      kind: 'PLAN_DISCOUNT',
      description: `Plan ${plan.name}: discount per kWh`,
      quantity: (plan.energyWh / 1000).toFixed(3),
      unit: 'kWh',
      unitPrice: formatMoney(-plan.energyDiscountPerKwhMicros),
      amount: formatMoney(-plan.energyDiscountMicros),
    });
  if (plan?.timeDiscountMicros)
    lines.push({
      kind: 'PLAN_DISCOUNT',
      description: `Plan ${plan.name}: free minutes`,
      quantity: plan.freeMinutes.toFixed(2),
      unit: 'min',
      // One time price: the free minute's worth; free minutes spread over several prices show none.
      unitPrice: timePrices.size === 1 ? formatMoney(-[...timePrices][0]!) : '',
      amount: formatMoney(-plan.timeDiscountMicros),
    });
  // Before the cap: the idle and session fees as priced (the stored lines are after it).
  const idle = cap ? roundToCents((s.idleMinutes ?? 0) * rates.idleFeePerMinuteMicros) : b.idleMicros;
  const fee = cap ? roundToCents(rates.sessionFeeMicros) : b.sessionFeeMicros;
  if (rates.idleFeePerMinuteMicros)
    lines.push({
      kind: 'IDLE',
      description: `Idle after a ${rates.idleGraceMinutes}-minute grace period`,
      quantity: (s.idleMinutes ?? 0).toFixed(2),
      unit: 'min',
      unitPrice: formatMoney(rates.idleFeePerMinuteMicros),
      amount: formatMoney(idle),
    });
  if (rates.sessionFeeMicros)
    lines.push({
      kind: 'SESSION_FEE',
      description: 'Session fee',
      quantity: '1',
      unit: 'session',
      unitPrice: formatMoney(rates.sessionFeeMicros),
      amount: formatMoney(fee),
    });
  if (cap)
    lines.push({
      kind: 'CAP',
      description: `Capped at ${formatMoney(rates.maxCostMicros ?? 0)} a session`,
      quantity: '1',
      unit: 'session',
      unitPrice: formatMoney(-cap),
      amount: formatMoney(-cap),
    });
  return lines;
}
