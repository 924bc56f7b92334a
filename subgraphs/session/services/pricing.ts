import { addDays, localDate, zonedInstant } from '../../../lib/time-zones.js';
import { roundToCents } from './money.js';

/**
 * A time-of-use window: on these weekdays (1 Monday … 7 Sunday), from `start` to `end` minutes after
 * local midnight (0 ≤ start < end ≤ 1440), energy and time cost these prices instead of the base ones.
 */
export interface TouWindow {
  name: string;
  days: number[];
  start: number;
  end: number;
  perKwhMicros: number;
  perMinuteMicros: number;
}

/** A tariff's rates, in micro-units of its currency. */
export interface Rates {
  perKwhMicros: number;
  perMinuteMicros: number;
  sessionFeeMicros: number;
  idleFeePerMinuteMicros: number;
  idleGraceMinutes: number;
  /** Time-of-use windows (the first that covers a moment applies; none: the base prices). */
  windows?: TouWindow[] | null;
  /** The most one session costs; null: no cap. */
  maxCostMicros?: number | null;
}

export interface Usage {
  energyWh: number;
  startedAt: Date;
  stoppedAt: Date;
  /**
   * When energy last flowed (the last meter value that showed an increase). Time after it, until the
   * session stopped, is idle time: the car blocks the charger without charging.
   */
  lastEnergyAt: Date | null;
  /**
   * When the connector said charging stopped (its status left CHARGING for the last time in the
   * session): takes precedence over `lastEnergyAt` for idle time.
   */
  chargingEndedAt?: Date | null;
  /** The station's time zone (time-of-use windows are local). */
  timezone?: string;
  /** Energy delivered so far at times within the session, for splitting energy across windows. */
  readings?: { at: Date; energyWh: number }[];
}

/** The energy and time of a session in one price period (a window, or the base prices). */
export interface PricedPeriod {
  /** The window's name; null: the base prices. */
  window: string | null;
  minutes: number;
  energyWh: number;
  perKwhMicros: number;
  perMinuteMicros: number;
  energyMicros: number;
  timeMicros: number;
}

/** A subscription plan's benefit for one session: its discount per kWh and the free minutes left in its period. */
export interface PlanBenefit {
  /** The plan's name, as receipts print it. */
  name: string;
  energyDiscountPerKwhMicros: number;
  freeMinutesLeft: number;
}

/** What a plan took off a session: energy and time discounts (whole cents) and the free minutes it used. */
export interface PlanDiscount {
  name: string;
  energyDiscountPerKwhMicros: number;
  /** kWh discounted (the session's energy in periods with an energy price), Wh. */
  energyWh: number;
  energyDiscountMicros: number;
  freeMinutes: number;
  timeDiscountMicros: number;
}

export interface CostBreakdown {
  energyMicros: number;
  timeMicros: number;
  idleMicros: number;
  sessionFeeMicros: number;
  totalMicros: number;
  idleMinutes: number;
  /** The lines by price period, in the order first reached; their sums are energyMicros and timeMicros before the cap. */
  periods: PricedPeriod[];
  /** What the cap took off (0: not reached). */
  capMicros: number;
  /** What a subscription plan took off energyMicros and timeMicros (null: no plan). */
  plan: PlanDiscount | null;
}

/** What a completed session stores of its pricing (`charging_session.cost_breakdown`). */
export interface StoredCostBreakdown {
  energyMicros: number;
  timeMicros: number;
  idleMicros: number;
  sessionFeeMicros: number;
  /** What the cap took off; absent in sessions priced before caps existed. */
  capMicros?: number;
  /** The lines by price period; absent in sessions priced before time-of-use windows existed. */
  periods?: PricedPeriod[];
  /** The subscription plan that priced it (its period's charge), and what it took off. */
  plan?: (PlanDiscount & { chargeId: string; planId: string }) | null;
}

/** When an EVSE's connector last stopped charging within from–to (the station subgraph's status history). */
export type ChargingEndedLookup = (
  chargerId: string,
  evseId: number,
  from: Date,
  to: Date,
) => Promise<Date | null>;

const MINUTE = 60_000;

/**
 * The cost of a finished session. Rounding: each line — each price period's energy and time, the idle
 * fee, the session fee — is rounded to whole cents (half away from zero); the energy and time costs are
 * the sums of their periods' rounded lines, and the total the sum of the four, so an itemized receipt
 * always adds up:
 * - energy: per period, kWh delivered in it × its price per kWh. Energy is split between periods along
 *   the meter readings (linear between two readings), in whole Wh that add up to the session's energy;
 * - time: per period, minutes in it (pro rata to the millisecond) × its price per minute;
 * - idle: minutes after charging stopped (the connector's status, else the last energy increase),
 *   beyond the grace period, × the idle fee per minute;
 * - session fee: once per session.
 * A subscription plan then takes its discount off: per period, the kWh in it × min(the plan's discount,
 * the period's price per kWh), rounded to cents; and its free minutes left, spent on the periods with a
 * time price in the order reached, each period's free minutes × its price per minute rounded to cents
 * (a discount never exceeds its line). The energy and time lines are after the discount.
 * A cap (maxCostMicros) then takes the excess over the cap off the idle fee, then time, then energy,
 * then the session fee, so the four lines still add up to the total (the ledger record's lines are these).
 */
export function computeCost(rates: Rates, usage: Usage, benefit?: PlanBenefit | null): CostBreakdown {
  const energyWh = Math.max(0, usage.energyWh);
  const start = usage.startedAt.getTime();
  const stop = Math.max(start, usage.stoppedAt.getTime());
  const periods = pricePeriods(
    rates,
    usage.timezone ?? 'UTC',
    start,
    stop,
    energyAlong(usage, energyWh, start, stop),
  );
  const idleFrom = usage.chargingEndedAt ?? usage.lastEnergyAt ?? usage.startedAt;
  const idleMinutesRaw = Math.max(0, stop - Math.max(start, idleFrom.getTime())) / MINUTE;
  const idleMinutes = Math.max(0, idleMinutesRaw - rates.idleGraceMinutes);
  let energyMicros = periods.reduce((n, p) => n + p.energyMicros, 0);
  let timeMicros = periods.reduce((n, p) => n + p.timeMicros, 0);
  let idleMicros = roundToCents(idleMinutes * rates.idleFeePerMinuteMicros);
  let sessionFeeMicros = roundToCents(rates.sessionFeeMicros);
  const plan = benefit ? planDiscount(benefit, periods) : null;
  if (plan) {
    energyMicros -= plan.energyDiscountMicros;
    timeMicros -= plan.timeDiscountMicros;
  }
  const uncapped = energyMicros + timeMicros + idleMicros + sessionFeeMicros;
  const capMicros = rates.maxCostMicros != null ? Math.max(0, uncapped - rates.maxCostMicros) : 0;
  let excess = capMicros;
  const take = (line: number) => {
    const cut = Math.min(line, excess);
    excess -= cut;
    return line - cut;
  };
  idleMicros = take(idleMicros);
  timeMicros = take(timeMicros);
  energyMicros = take(energyMicros);
  sessionFeeMicros = take(sessionFeeMicros);
  return {
    energyMicros,
    timeMicros,
    idleMicros,
    sessionFeeMicros,
    totalMicros: energyMicros + timeMicros + idleMicros + sessionFeeMicros,
    idleMinutes,
    periods,
    capMicros,
    plan,
  };
}

/** What a plan's benefit takes off the priced periods (rounding in computeCost's comment). */
function planDiscount(benefit: PlanBenefit, periods: PricedPeriod[]): PlanDiscount {
  const d: PlanDiscount = {
    name: benefit.name,
    energyDiscountPerKwhMicros: benefit.energyDiscountPerKwhMicros,
    energyWh: 0,
    energyDiscountMicros: 0,
    freeMinutes: 0,
    timeDiscountMicros: 0,
  };
  let left = Math.max(0, benefit.freeMinutesLeft);
  for (const p of periods) {
    if (benefit.energyDiscountPerKwhMicros > 0 && p.perKwhMicros > 0 && p.energyWh > 0) {
      const off = roundToCents(
        (p.energyWh / 1000) * Math.min(benefit.energyDiscountPerKwhMicros, p.perKwhMicros),
      );
      d.energyWh += p.energyWh;
      d.energyDiscountMicros += Math.min(off, p.energyMicros);
    }
    if (left > 0 && p.perMinuteMicros > 0 && p.minutes > 0) {
      const minutes = Math.min(left, p.minutes);
      left -= minutes;
      d.freeMinutes += minutes;
      d.timeDiscountMicros += Math.min(roundToCents(minutes * p.perMinuteMicros), p.timeMicros);
    }
  }
  return d;
}

/** Delivered energy as a function of time: 0 at start, `energyWh` at stop, linear between readings. */
function energyAlong(usage: Usage, energyWh: number, start: number, stop: number): (t: number) => number {
  const points: [number, number][] = [[start, 0]];
  for (const r of [...(usage.readings ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const t = r.at.getTime();
    if (t <= start || t >= stop) continue;
    points.push([t, Math.min(energyWh, Math.max(points.at(-1)![1], r.energyWh))]);
  }
  points.push([stop, energyWh]);
  return (t) => {
    if (t <= start) return 0;
    if (t >= stop) return energyWh;
    let i = 1;
    while (points[i]![0] < t) i++;
    const [t0, e0] = points[i - 1]!;
    const [t1, e1] = points[i]!;
    return t1 === t0 ? e1 : e0 + ((e1 - e0) * (t - t0)) / (t1 - t0);
  };
}

/** The session cut at window edges; each piece priced, pieces of the same period summed. */
function pricePeriods(
  rates: Rates,
  timezone: string,
  start: number,
  stop: number,
  energyAt: (t: number) => number,
): PricedPeriod[] {
  const windows = rates.windows ?? [];
  // Every window's edges on the local days the session touches (a day either side: zones and DST).
  const edges = new Set<number>([start, stop]);
  const spans: { w: TouWindow; from: number; to: number }[] = [];
  if (windows.length) {
    const last = localDate(stop, timezone);
    for (let d = localDate(start - 86_400_000, timezone); d <= last; d = addDays(d, 1)) {
      const [y, m, day] = d.split('-').map(Number) as [number, number, number];
      const weekday = ((new Date(Date.UTC(y, m - 1, day)).getUTCDay() + 6) % 7) + 1;
      for (const w of windows) {
        if (!w.days.includes(weekday)) continue;
        const from = zonedInstant(timezone, y, m, day, Math.floor(w.start / 60), w.start % 60);
        const to = zonedInstant(
          timezone,
          y,
          m,
          day + Math.floor(w.end / 1440),
          Math.floor((w.end % 1440) / 60),
          w.end % 60,
        );
        spans.push({ w, from, to });
        if (from > start && from < stop) edges.add(from);
        if (to > start && to < stop) edges.add(to);
      }
    }
  }
  const times = [...edges].sort((a, b) => a - b);
  const byPeriod = new Map<string, PricedPeriod & { ms: number }>();
  for (let k = 0; k + 1 < times.length; k++) {
    const a = times[k]!;
    const b = times[k + 1]!;
    const mid = a + (b - a) / 2;
    const w = spans.find((s) => s.from <= mid && mid < s.to)?.w ?? null;
    // Windows of the same name and prices (one window split at midnight, say) make one period.
    const key = w ? `w:${w.name}|${w.perKwhMicros}|${w.perMinuteMicros}` : 'base';
    let p = byPeriod.get(key);
    if (!p)
      byPeriod.set(
        key,
        (p = {
          window: w?.name ?? null,
          minutes: 0,
          ms: 0,
          energyWh: 0,
          perKwhMicros: w ? w.perKwhMicros : rates.perKwhMicros,
          perMinuteMicros: w ? w.perMinuteMicros : rates.perMinuteMicros,
          energyMicros: 0,
          timeMicros: 0,
        }),
      );
    p.ms += b - a;
    // Whole Wh: the difference of the rounded running total, so the pieces add up to the session's energy.
    p.energyWh += Math.round(energyAt(b)) - Math.round(energyAt(a));
  }
  return [...byPeriod.values()].map(({ ms, ...p }) => {
    const minutes = ms / MINUTE;
    return {
      ...p,
      minutes,
      energyMicros: roundToCents((p.energyWh / 1000) * p.perKwhMicros),
      timeMicros: roundToCents(minutes * p.perMinuteMicros),
    };
  });
}
