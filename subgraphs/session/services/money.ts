import { badInput } from '../../../lib/errors.js';

/**
 * Money is held as integer micro-units (10⁻⁶ of the currency unit): exact, and the same scale as the
 * 6-decimal stablecoin that settles it. Decimal strings are the only form clients see.
 */
export const MICROS = 1_000_000;
export const CENT_MICROS = 10_000;

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

/** "0.39" → 390000. Rejects negatives, more than 6 decimals and absurd sizes. */
export function parseMoney(value: string, field: string): number {
  const m = DECIMAL.exec(value.trim());
  if (!m)
    throw badInput(`${field} must be a non-negative decimal with at most 6 decimals, e.g. "0.39"`, field);
  return Number(m[1]) * MICROS + Number((m[2] ?? '').padEnd(6, '0'));
}

/** 390000 → "0.39"; at least two decimals, more only when they are not zero. */
export function formatMoney(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS);
  const frac = String(abs % MICROS)
    .padStart(6, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${sign}${units}.${frac}`;
}

/** Rounds micro-units to whole cents, half away from zero. */
export const roundToCents = (micros: number) =>
  Math.sign(micros) * Math.round(Math.abs(micros) / CENT_MICROS) * CENT_MICROS;

/** ISO 4217 code, upper case. */
export function parseCurrency(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw badInput('currency must be a three-letter ISO 4217 code', 'currency');
  return code;
}
