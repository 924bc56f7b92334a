import { isUuid } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import type { StationServiceClient } from '../../../lib/service-clients/station.js';
import { Tariff } from '../entities/tariff.entity.js';
import type { SetTariffInput } from '../resolvers/types/session.types.js';
import { parseCurrency, parseMoney } from './money.js';
import type { TouWindow } from './pricing.js';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const minutesOf = (s: string) => (s === '24:00' ? 1440 : Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

/** Checks time-of-use windows: real weekdays and times, start before end, no overlap on a shared day. */
export function parseWindows(input: NonNullable<SetTariffInput['windows']>): TouWindow[] {
  if (input.length > 20) throw badInput('At most 20 time-of-use windows', 'windows');
  const windows = input.map((w, i) => {
    const field = `windows[${i}]`;
    const name = w.name.trim();
    if (!name || name.length > 40) throw badInput(`${field}.name must be 1–40 characters`, 'windows');
    if (
      !w.days.length ||
      w.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7) ||
      new Set(w.days).size !== w.days.length
    )
      throw badInput(`${field}.days must be distinct weekdays 1 (Monday) … 7 (Sunday)`, 'windows');
    if (!HHMM.test(w.start) || w.start === '24:00' || !HHMM.test(w.end))
      throw badInput(`${field}: start and end are local times "HH:MM" (end may be "24:00")`, 'windows');
    const start = minutesOf(w.start);
    const end = minutesOf(w.end);
    if (end <= start)
      throw badInput(`${field}: end must be after start (split a window across midnight in two)`, 'windows');
    return {
      name,
      days: [...w.days].sort((a, b) => a - b),
      start,
      end,
      perKwhMicros: parseMoney(w.pricePerKwh, `${field}.pricePerKwh`),
      perMinuteMicros: parseMoney(w.pricePerMinute ?? '0', `${field}.pricePerMinute`),
    };
  });
  for (let a = 0; a < windows.length; a++)
    for (let b = a + 1; b < windows.length; b++) {
      const x = windows[a]!;
      const y = windows[b]!;
      if (x.days.some((d) => y.days.includes(d)) && x.start < y.end && y.start < x.end)
        throw badInput(`windows ${a} and ${b} overlap on a shared weekday`, 'windows');
    }
  return windows;
}

/** Asks the station subgraph who operates a station (null: no such station). */
export type StationOperatorLookup = (stationId: string) => Promise<string | null>;

export function stationOperatorLookup(station: StationServiceClient): StationOperatorLookup {
  return async (stationId) => (await station.chargerPlacement({ stationId }))?.operatorId ?? null;
}

/**
 * Tariffs are immutable: setting one adds a row that supersedes the older ones of the same scope, and
 * a session keeps the tariff it started under.
 */
export class TariffService {
  constructor(
    private readonly em: EntityManager,
    private readonly operatorOf: StationOperatorLookup,
  ) {}

  async set(viewer: Viewer, input: SetTariffInput): Promise<Tariff> {
    if (!isUuid(input.stationId)) throw notFound('Station', input.stationId);
    const operatorId = await this.operatorOf(input.stationId).catch((err: { code?: string }) => {
      if (err.code === 'NOT_FOUND') return null;
      throw err;
    });
    if (!operatorId) throw notFound('Station', input.stationId);
    if (operatorId !== viewer.userId && !hasRole(viewer, Role.ADMIN)) {
      throw forbidden('Only the station’s operator or an admin sets its tariffs');
    }
    if ((input.chargerId == null) !== (input.evseId == null)) {
      throw badInput(
        'An EVSE tariff needs both chargerId and evseId',
        input.chargerId ? 'evseId' : 'chargerId',
      );
    }
    if (input.chargerId != null && !isUuid(input.chargerId))
      throw badInput('chargerId is not an id', 'chargerId');
    const grace = input.idleGraceMinutes ?? 0;
    if (!Number.isInteger(grace) || grace < 0 || grace > 24 * 60) {
      throw badInput('idleGraceMinutes must be between 0 and 1440', 'idleGraceMinutes');
    }
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name must be 1–100 characters', 'name');
    const tariff = this.em.create(Tariff, {
      name,
      operatorId,
      stationId: input.stationId,
      chargerId: input.chargerId ?? null,
      evseId: input.evseId ?? null,
      currency: parseCurrency(input.currency),
      perKwhMicros: parseMoney(input.pricePerKwh, 'pricePerKwh'),
      perMinuteMicros: parseMoney(input.pricePerMinute ?? '0', 'pricePerMinute'),
      sessionFeeMicros: parseMoney(input.sessionFee ?? '0', 'sessionFee'),
      idleFeePerMinuteMicros: parseMoney(input.idleFeePerMinute ?? '0', 'idleFeePerMinute'),
      idleGraceMinutes: grace,
      windows: parseWindows(input.windows ?? []),
      maxCostMicros: input.maxSessionCost == null ? null : parseMoney(input.maxSessionCost, 'maxSessionCost'),
    });
    await this.em.flush();
    return tariff;
  }

  /** A station's tariffs, newest first (the first of each scope is in force). */
  ofStation(stationId: string): Promise<Tariff[]> {
    if (!isUuid(stationId)) return Promise.resolve([]);
    return this.em.find(Tariff, { stationId }, { orderBy: { createdAt: 'desc' } });
  }

  byId(id: string | null): Promise<Tariff | null> {
    return id ? this.em.findOne(Tariff, { id }) : Promise.resolve(null);
  }
}
