import { portBuckets, uptimeOf, utilisationOf } from '../../subgraphs/station/services/uptime.js';
import { bucketId, parseBucketId, reportPeriods } from '../../lib/reports.js';
import { localDate, localTime, startOfLocalDay, zonedInstant } from '../../lib/time-zones.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC
const at = (h: number, status: string, errorCode: string | null = null) => ({
  at: T0 + h * H,
  status,
  errorCode,
});
const bounds = (hours: number[]) => hours.map((h) => T0 + h * H);

describe('port uptime (NEVI count)', () => {
  it('counts down time, excludes what exclusions and maintenance cover, and occupancy, per bucket', () => {
    const [day1, day2] = portBuckets({
      bounds: bounds([0, 24, 48]),
      port: [
        at(-5, 'AVAILABLE'),
        at(8, 'CHARGING'),
        at(10, 'AVAILABLE'),
        at(12, 'FAULTED', 'GroundFailure'),
        at(13, 'FAULTED', 'GroundFailure'), // repeated: one fault
        at(15, 'AVAILABLE'),
        at(30, 'UNAVAILABLE'),
        at(34, 'AVAILABLE'),
      ],
      charger: [at(40, 'FAULTED', 'PowerMeterFailure'), at(41, 'AVAILABLE')],
      excluded: [{ start: T0 + 30 * H, end: T0 + 31 * H }],
      maintenance: [{ start: T0 + 33 * H, end: T0 + 35 * H }],
    });
    expect(day1).toEqual({
      observedMs: 24 * H,
      downMs: 3 * H,
      excludedMs: 0,
      maintenanceMs: 0,
      occupiedMs: 2 * H,
      faults: { GroundFailure: 1 },
    });
    // 30–34 down (30–31 excluded, 33–34 maintenance), 40–41 the charger's fault.
    expect(day2).toEqual({
      observedMs: 24 * H,
      downMs: 5 * H,
      excludedMs: 2 * H,
      maintenanceMs: 1 * H,
      occupiedMs: 0,
      faults: {},
    });
    expect(uptimeOf(day1!)).toBeCloseTo(21 / 24, 10);
    expect(uptimeOf(day2!)).toBeCloseTo(21 / 24, 10);
    expect(utilisationOf(day1!)).toBeCloseTo(2 / 24, 10);
  });

  it('judges a port from its first report on; never reported is null, not 100 %', () => {
    const [b] = portBuckets({
      bounds: bounds([0, 24]),
      port: [at(6, 'AVAILABLE')],
      charger: [],
      excluded: [],
      maintenance: [],
    });
    expect(b!.observedMs).toBe(18 * H);
    expect(uptimeOf(b!)).toBe(1);
    const [none] = portBuckets({
      bounds: bounds([0, 24]),
      port: [],
      charger: [],
      excluded: [],
      maintenance: [],
    });
    expect(uptimeOf(none!)).toBeNull();
  });

  it('counts overlapping exclusions once', () => {
    const [b] = portBuckets({
      bounds: bounds([0, 10]),
      port: [at(0, 'FAULTED', 'Other')],
      charger: [],
      excluded: [
        { start: T0 + 1 * H, end: T0 + 4 * H },
        { start: T0 + 2 * H, end: T0 + 5 * H },
      ],
      maintenance: [{ start: T0 + 3 * H, end: T0 + 6 * H }],
    });
    expect(b).toMatchObject({ downMs: 10 * H, excludedMs: 5 * H, maintenanceMs: 3 * H });
  });
});

describe('local calendar', () => {
  it('finds local midnight and weekday, across a daylight-saving change', () => {
    expect(new Date(startOfLocalDay('2026-07-01', 'America/New_York')).toISOString()).toBe(
      '2026-07-01T04:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-07-01', 'Asia/Kolkata')).toISOString()).toBe(
      '2026-06-30T18:30:00.000Z',
    );
    // Berlin springs forward at 02:00 on 2026-03-29: that day has 23 hours.
    expect(
      startOfLocalDay('2026-03-30', 'Europe/Berlin') - startOfLocalDay('2026-03-29', 'Europe/Berlin'),
    ).toBe(23 * H);
    // 02:30 does not exist that night (read as 03:30 CEST); in the October overlap the earlier 02:30 is meant.
    expect(new Date(zonedInstant('Europe/Berlin', 2026, 3, 29, 2, 30)).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(new Date(zonedInstant('Europe/Berlin', 2026, 10, 25, 2, 30)).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(localDate(Date.UTC(2026, 6, 1, 3), 'America/New_York')).toBe('2026-06-30');
    expect(localTime(Date.UTC(2026, 11, 7, 12), 'UTC').weekday).toBe(0);
  });
});

describe('report periods', () => {
  it('lists every period, checks ranges, and round-trips bucket ids', () => {
    expect(reportPeriods('MONTH', '2026-01-15', '2026-03-02').labels).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(reportPeriods('DAY', '2026-02-27', '2026-03-02').labels).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
    const hours = reportPeriods('HOUR', '2026-01-01T10:30:00Z', '2026-01-01T12:00:00Z');
    expect(hours.labels).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z']);
    for (const [g, from, to] of [
      ['DAY', '2026-01-01', '2027-03-01'],
      ['DAY', '2026-02-30', '2026-03-01'],
      ['DAY', '2026-13-01', '2026-03-01'],
      ['HOUR', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['DAY', '2026-01-02', '2026-01-01'],
    ] as const)
      expect(() => reportPeriods(g, from, to)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    const periods = reportPeriods('DAY', '2026-01-01', '2026-01-03');
    const id = bucketId({ station: '8a1f2c3d-0000-4000-8000-000000000001' }, periods, '2026-01-02');
    expect(parseBucketId(id)).toEqual({
      scope: { station: '8a1f2c3d-0000-4000-8000-000000000001' },
      granularity: 'DAY',
      rows: { granularity: 'DAY', first: '2026-01-01', end: '2026-01-03' },
      label: '2026-01-02',
    });
    expect(parseBucketId('station:x|DAY|a|b|c')).toBeNull();
  });
});
