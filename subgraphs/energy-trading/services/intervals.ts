/**
 * Market intervals. Every interval of a community is `intervalMinutes` long and starts at a whole
 * multiple of its length since the Unix epoch (UTC): as lengths divide an hour, that is on the
 * quarter hour for 15 minutes, on the hour for 60. Orders for an interval close `gateClosureMinutes`
 * before it starts (gate closure), when it is cleared; its delivery is checked
 * `deliveryGraceSeconds` after it ends.
 */
export interface IntervalRules {
  intervalMinutes: number;
  gateClosureMinutes: number;
}

export const intervalMs = (r: Pick<IntervalRules, 'intervalMinutes'>) => r.intervalMinutes * 60_000;

/** The start of the interval that contains `t` (ms). */
export const intervalOf = (t: number, r: Pick<IntervalRules, 'intervalMinutes'>) =>
  Math.floor(t / intervalMs(r)) * intervalMs(r);

export const isIntervalStart = (t: number, r: Pick<IntervalRules, 'intervalMinutes'>) =>
  t % intervalMs(r) === 0;

/** When orders for the interval starting at `start` close, and the interval is cleared. */
export const gateClosureOf = (start: number, r: IntervalRules) => start - r.gateClosureMinutes * 60_000;

/** The first interval whose gate is still open at `now`. */
export const nextOpenInterval = (now: number, r: IntervalRules) =>
  intervalOf(now + r.gateClosureMinutes * 60_000, r) + intervalMs(r);

/** When the interval's delivery is checked: its end plus the grace period for late readings. */
export const deliveryCheckOf = (start: number, r: IntervalRules, graceSeconds: number) =>
  start + intervalMs(r) + graceSeconds * 1000;

/** A timestamp as Postgres hands it over (pg through the ORM's pool gives text): ms since epoch. */
export const toMs = (value: Date | string) => new Date(value).getTime();
