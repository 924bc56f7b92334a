/**
 * Reads the figures GridLedger needs out of OCPP meter values. 1.6 sends values as strings with a
 * `unit`; 2.0.1 sends numbers with `unitOfMeasure { unit, multiplier }`. Without a measurand the
 * sample is the energy register (both versions' default).
 */
export interface MeterReading {
  timestamp: string;
  energyWh: number | null;
  powerW: number | null;
  soc: number | null;
}

interface Sample {
  value: string | number;
  measurand?: string;
  phase?: string;
  unit?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
  context?: string;
}

function scaled(s: Sample): number | null {
  const raw = typeof s.value === 'number' ? s.value : Number.parseFloat(s.value);
  if (!Number.isFinite(raw)) return null;
  const unit = s.unitOfMeasure?.unit ?? s.unit;
  const multiplier = 10 ** (s.unitOfMeasure?.multiplier ?? 0);
  const k = unit === 'kWh' || unit === 'kW' ? 1000 : 1;
  return raw * multiplier * k;
}

/**
 * The readings of a message's meter values, each sample checked: a sample whose value is not a
 * number ("abc") is rejected with its reason and the rest of the batch kept; a meter value left with no
 * figure at all is dropped (it would only move the session's last-sample time). The charger's answer
 * cannot say which samples were refused (MeterValues.conf is empty), so the reasons go to the log.
 */
export function readMeterValues(
  list: { timestamp: string; sampledValue: Sample[] }[],
  log?: { warn: (o: object, msg: string) => void },
  where?: object,
): MeterReading[] {
  const rejected: string[] = [];
  const readings: MeterReading[] = [];
  for (const mv of list) {
    for (const s of mv.sampledValue)
      if (scaled(s) == null)
        rejected.push(
          `${mv.timestamp} ${s.measurand ?? 'Energy.Active.Import.Register'}: "${String(s.value)}" is not a number`,
        );
    const r = readMeterValue(mv);
    if (r.energyWh != null || r.powerW != null || r.soc != null) readings.push(r);
  }
  if (rejected.length) log?.warn({ ...where, rejected }, 'meter samples rejected');
  return readings;
}

export function readMeterValue(mv: { timestamp: string; sampledValue: Sample[] }): MeterReading {
  let energyWh: number | null = null;
  let powerW: number | null = null;
  let phasePower = 0;
  let phased = false;
  let soc: number | null = null;
  for (const s of mv.sampledValue) {
    const measurand = s.measurand ?? 'Energy.Active.Import.Register';
    const v = scaled(s);
    if (v == null) continue;
    if (measurand === 'Energy.Active.Import.Register' && !s.phase) energyWh = Math.round(v);
    else if (measurand === 'Power.Active.Import') {
      if (s.phase) {
        phased = true;
        phasePower += v;
      } else powerW = v;
    } else if (measurand === 'SoC') soc = v;
  }
  if (powerW == null && phased) powerW = phasePower;
  return { timestamp: mv.timestamp, energyWh, powerW, soc };
}

/** The energy register of the first reading that has one. */
export const firstEnergy = (readings: MeterReading[]) =>
  readings.find((r) => r.energyWh != null)?.energyWh ?? null;
/** The energy register of the last reading that has one. */
export const lastEnergy = (readings: MeterReading[]) =>
  [...readings].reverse().find((r) => r.energyWh != null)?.energyWh ?? null;
