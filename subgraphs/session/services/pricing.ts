import { roundToCents } from './money.js';

/** A tariff's rates, in micro-units of its currency. */
export interface Rates {
  perKwhMicros: number;
  perMinuteMicros: number;
  sessionFeeMicros: number;
  idleFeePerMinuteMicros: number;
  idleGraceMinutes: number;
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
}

export interface CostBreakdown {
  energyMicros: number;
  timeMicros: number;
  idleMicros: number;
  sessionFeeMicros: number;
  totalMicros: number;
  idleMinutes: number;
}

/**
 * The cost of a finished session. Each line is rounded to whole cents (half away from zero) and the
 * total is the sum of the rounded lines, so an itemized receipt always adds up:
 * - energy: kWh delivered × price per kWh;
 * - time: minutes from start to stop × price per minute (pro rata to the second);
 * - idle: minutes after energy last flowed, beyond the grace period, × idle fee per minute;
 * - session fee: once per session.
 */
export function computeCost(rates: Rates, usage: Usage): CostBreakdown {
  const energyWh = Math.max(0, usage.energyWh);
  const durationMinutes = Math.max(0, usage.stoppedAt.getTime() - usage.startedAt.getTime()) / 60_000;
  const idleFrom = usage.lastEnergyAt ?? usage.startedAt;
  const idleMinutesRaw = Math.max(0, usage.stoppedAt.getTime() - idleFrom.getTime()) / 60_000;
  const idleMinutes = Math.max(0, idleMinutesRaw - rates.idleGraceMinutes);
  const energyMicros = roundToCents((energyWh / 1000) * rates.perKwhMicros);
  const timeMicros = roundToCents(durationMinutes * rates.perMinuteMicros);
  const idleMicros = roundToCents(idleMinutes * rates.idleFeePerMinuteMicros);
  const sessionFeeMicros = roundToCents(rates.sessionFeeMicros);
  return {
    energyMicros,
    timeMicros,
    idleMicros,
    sessionFeeMicros,
    totalMicros: energyMicros + timeMicros + idleMicros + sessionFeeMicros,
    idleMinutes,
  };
}
