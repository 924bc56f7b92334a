/**
 * Uptime and occupancy of one port (connector) over report buckets, from its status history — pure
 * arithmetic, no I/O (report-rollup.ts loads the history and stores the figures).
 *
 * The count follows the US NEVI rule (23 CFR 680.116(b)): a port is up while it is available or in use,
 * and its uptime is (T − (T_outage − T_excluded)) / T, where T_excluded is outage time the operator is
 * not responsible for — recorded exclusions (utility outages, vandalism, the vehicle's fault, …) and
 * the operator's planned maintenance windows. Here T is the time the port's status is known (from its
 * first report on), so a port registered mid-bucket is judged on the time it existed.
 */

/** States in which a port counts as down. */
export const DOWN_STATES = new Set(['UNAVAILABLE', 'FAULTED']);
/** States in which a port counts as occupied (a vehicle plugged in), for utilisation. */
export const OCCUPIED_STATES = new Set([
  'PREPARING',
  'CHARGING',
  'SUSPENDED_EV',
  'SUSPENDED_EVSE',
  'FINISHING',
  'OCCUPIED',
]);

export interface StatusPoint {
  /** ms since the epoch */
  at: number;
  status: string;
  errorCode: string | null;
}

export interface Interval {
  start: number;
  end: number;
}

export interface PortFigures {
  /** Time the port's status was known. */
  observedMs: number;
  /** Time it was down (its own status, or its charger's as a whole, UNAVAILABLE or FAULTED). */
  downMs: number;
  /** Down time inside an exclusion or a maintenance window (T_excluded). */
  excludedMs: number;
  /** Down time inside a maintenance window (part of excludedMs). */
  maintenanceMs: number;
  /** Up time with a vehicle plugged in. */
  occupiedMs: number;
  /** Reports of a new fault in the bucket, by OCPP error code. */
  faults: Record<string, number>;
}

export const emptyFigures = (): PortFigures => ({
  observedMs: 0,
  downMs: 0,
  excludedMs: 0,
  maintenanceMs: 0,
  occupiedMs: 0,
  faults: {},
});

/** Sorted, non-overlapping intervals covering the same time as `intervals`. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** A cursor over sorted points: the last one at or before a time, for times given in order. */
class Cursor<T extends { at: number }> {
  private i = -1;
  constructor(private readonly points: T[]) {}
  at(t: number): T | undefined {
    while (this.i + 1 < this.points.length && this.points[this.i + 1]!.at <= t) this.i++;
    return this.i >= 0 ? this.points[this.i] : undefined;
  }
}

/** A cursor over merged intervals: whether a time (given in order) is inside one. */
class IntervalCursor {
  private i = 0;
  constructor(private readonly intervals: Interval[]) {}
  covers(t: number): boolean {
    while (this.i < this.intervals.length && this.intervals[this.i]!.end <= t) this.i++;
    const iv = this.intervals[this.i];
    return !!iv && iv.start <= t;
  }
}

/**
 * One port's figures per bucket. `bounds` are the buckets' edges in order (n + 1 edges, n buckets);
 * `port` and `charger` are status reports sorted by time, including the last one before the first
 * bucket when there is one (it gives the state the range starts in). Times are ms since the epoch.
 */
export function portBuckets(input: {
  bounds: number[];
  port: StatusPoint[];
  /** The charger's own reports (OCPP connector 0 / no EVSE): down there means down here. */
  charger: StatusPoint[];
  /** Exclusions and maintenance windows that apply to the port. */
  excluded: Interval[];
  maintenance: Interval[];
}): PortFigures[] {
  const { bounds } = input;
  const buckets = Array.from({ length: Math.max(0, bounds.length - 1) }, emptyFigures);
  if (!buckets.length) return buckets;
  const first = bounds[0]!;
  const last = bounds.at(-1)!;
  const maintenance = mergeIntervals(input.maintenance);
  const excluded = mergeIntervals([...input.excluded, ...maintenance]);
  const edges = new Set<number>(bounds);
  const inside = (t: number) => t > first && t < last;
  for (const p of input.port) if (inside(p.at)) edges.add(p.at);
  for (const p of input.charger) if (inside(p.at)) edges.add(p.at);
  for (const i of [...excluded, ...maintenance]) {
    if (inside(i.start)) edges.add(i.start);
    if (inside(i.end)) edges.add(i.end);
  }
  const times = [...edges].sort((a, b) => a - b);
  const port = new Cursor(input.port);
  const charger = new Cursor(input.charger);
  const excl = new IntervalCursor(excluded);
  const maint = new IntervalCursor(maintenance);
  let bucket = 0;
  for (let k = 0; k + 1 < times.length; k++) {
    const a = times[k]!;
    const len = times[k + 1]! - a;
    while (bucket + 1 < buckets.length && bounds[bucket + 1]! <= a) bucket++;
    const state = port.at(a);
    if (!state) continue;
    const figures = buckets[bucket]!;
    figures.observedMs += len;
    const down = DOWN_STATES.has(state.status) || DOWN_STATES.has(charger.at(a)?.status ?? '');
    if (down) {
      figures.downMs += len;
      if (excl.covers(a)) figures.excludedMs += len;
      if (maint.covers(a)) figures.maintenanceMs += len;
    } else if (OCCUPIED_STATES.has(state.status)) figures.occupiedMs += len;
  }
  countFaults(input.port, bounds, buckets);
  return buckets;
}

/**
 * Adds each report of a new fault to its bucket's count, by error code: a FAULTED report counts when
 * the one before it was not FAULTED with the same code (chargers repeat their status).
 */
export function countFaults(points: StatusPoint[], bounds: number[], buckets: PortFigures[]): void {
  let bucket = 0;
  for (let k = 0; k < points.length; k++) {
    const p = points[k]!;
    if (p.status !== 'FAULTED' || p.at < bounds[0]! || p.at >= bounds.at(-1)!) continue;
    const prev = points[k - 1];
    if (prev && prev.status === 'FAULTED' && prev.errorCode === p.errorCode) continue;
    while (bucket + 1 < buckets.length && bounds[bucket + 1]! <= p.at) bucket++;
    const code = p.errorCode || 'Unknown';
    const faults = buckets[bucket]!.faults;
    faults[code] = (faults[code] ?? 0) + 1;
  }
}

/** NEVI uptime, 0–1, of summed figures; null when nothing was observed. */
export function uptimeOf(f: Pick<PortFigures, 'observedMs' | 'downMs' | 'excludedMs'>): number | null {
  if (f.observedMs <= 0) return null;
  return (f.observedMs - (f.downMs - f.excludedMs)) / f.observedMs;
}

/** Share of observed up-or-down time a vehicle was plugged in, 0–1; null when nothing was observed. */
export function utilisationOf(f: Pick<PortFigures, 'observedMs' | 'occupiedMs'>): number | null {
  return f.observedMs > 0 ? f.occupiedMs / f.observedMs : null;
}
