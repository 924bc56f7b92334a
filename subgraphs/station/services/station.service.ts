import { entityId, isUniqueViolation } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../../lib/errors.js';
import { decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import { randomSecret, sha256 } from '../../../lib/tokens.js';
import { Charger } from '../entities/charger.entity.js';
import { Connector } from '../entities/connector.entity.js';
import { ChargerStatus, ConnectorType } from '../entities/enums.js';
import { Station } from '../entities/station.entity.js';
import type {
  AddConnectorInput,
  CreateStationInput,
  NearInput,
  RegisterChargerInput,
  StationFilter,
  UpdateStationInput,
} from '../resolvers/types/station.types.js';

const EARTH_RADIUS_KM = 6371.0088;
const MAX_RADIUS_KM = 500;
/** OCPP identities end up in a URL path and, for Basic auth, as the user name: no ':' or '/'. */
const IDENTITY = /^[A-Za-z0-9._-]{1,48}$/;

const text = (field: string, max: number) => z.string().trim().min(1, `${field} is required`).max(max);
const lat = z
  .number()
  .finite()
  .min(-90, 'lat must be between -90 and 90')
  .max(90, 'lat must be between -90 and 90');
const lng = z
  .number()
  .finite()
  .min(-180, 'lng must be between -180 and 180')
  .max(180, 'lng must be between -180 and 180');
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'timezone must be an IANA time zone such as Europe/Berlin');

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [field, ...(issue?.path ?? [])].join('.');
    throw badInput(issue?.message ?? `Invalid ${field}`, path);
  }
  return result.data;
}

const locationSchema = z.object({ lat, lng });
const connectorSchema = z.object({
  evseId: z.number().int().min(1, 'evseId starts at 1').max(100),
  connectorId: z.number().int().min(1, 'connectorId starts at 1').max(10).optional(),
  type: z.enum(ConnectorType),
  maxPowerKw: z.number().finite().positive('maxPowerKw must be positive').max(2000),
});

type StationRow = Record<string, unknown> & { id: string; distance_km?: number };

/** Stations, chargers and connectors: search, registration and ownership rules. */
export class StationService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    /** Asks the user subgraph whether an account exists (for stations created on someone's behalf). */
    private readonly accountExists: (userId: string) => Promise<boolean> = async () => true,
    /** Asks the user subgraph which plugs a vehicle takes, if it is the user's (null otherwise). */
    private readonly vehiclePlugs: (
      vehicleId: string,
      userId: string,
    ) => Promise<ConnectorType[] | null> = async () => null,
  ) {}

  /** The plugs of one of the caller's vehicles; NOT_FOUND for a vehicle that is not theirs. */
  private async plugsOf(vehicleId: string): Promise<ConnectorType[]> {
    if (!this.viewer.userId) throw unauthenticated('Sign in to filter by one of your vehicles');
    const plugs = await this.vehiclePlugs(vehicleId, this.viewer.userId);
    if (!plugs) throw notFound('Vehicle', vehicleId);
    return plugs;
  }

  async station(id: string): Promise<Station> {
    const station = await this.em.findOne(Station, { id: entityId(id, 'Station') });
    if (!station) throw notFound('Station', id);
    return station;
  }

  async charger(id: string): Promise<Charger> {
    const charger = await this.em.findOne(Charger, { id: entityId(id, 'Charger') });
    if (!charger) throw notFound('Charger', id);
    return charger;
  }

  /**
   * Checks a charger's Basic-auth credentials (OCPP security profile 1/2). Null for an unknown
   * identity or a wrong password; the comparison takes the same time either way.
   */
  async authenticateCharger(identity: string, password: string): Promise<Charger | null> {
    const charger = IDENTITY.test(identity) ? await this.em.findOne(Charger, { identity }) : null;
    const expected = Buffer.from(charger?.passwordHash ?? sha256('no such charger'), 'hex');
    const given = Buffer.from(sha256(password), 'hex');
    return timingSafeEqual(expected, given) && charger ? charger : null;
  }

  async chargerByIdentity(identity: string): Promise<Charger | null> {
    return this.em.findOne(Charger, { identity });
  }

  /** The highest connector power of each EVSE of a charger, kW (platform services: plausibility checks). */
  async evsePowers(chargerId: string): Promise<{ evseId: number; maxPowerKw: number }[]> {
    const rows = await this.em.find(Connector, { charger: chargerId }, { orderBy: { evseId: 'asc' } });
    const byEvse = new Map<number, number>();
    for (const c of rows) byEvse.set(c.evseId, Math.max(byEvse.get(c.evseId) ?? 0, c.maxPowerKw));
    return [...byEvse].map(([evseId, maxPowerKw]) => ({ evseId, maxPowerKw }));
  }

  /**
   * Stations as a cursor connection: by distance (then id) when `near` is given, else by name (then
   * id). Filters keep a station when at least one of its connectors matches them all.
   */
  async search(
    near: NearInput | undefined,
    filter: StationFilter | undefined,
    first?: number,
    after?: string,
  ) {
    const limit = pageSize(first);
    const params: unknown[] = [];
    const where: string[] = [];
    let distance = 'null::double precision';
    if (near) {
      const p = check(
        locationSchema.extend({ radiusKm: z.number().finite().positive().max(MAX_RADIUS_KM) }),
        near,
        'near',
      );
      distance = `(2 * ${EARTH_RADIUS_KM} * asin(sqrt(power(sin(radians(s.latitude - ?) / 2), 2) + cos(radians(?)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ?) / 2), 2))))`;
      params.push(p.lat, p.lat, p.lng);
      // A bounding box first, so that the (latitude, longitude) index narrows the candidates.
      const dLat = (p.radiusKm / EARTH_RADIUS_KM) * (180 / Math.PI);
      where.push('s.latitude between ? and ?');
      params.push(p.lat - dLat, p.lat + dLat);
      const cosLat = Math.cos((p.lat * Math.PI) / 180);
      const dLng = cosLat > 1e-6 ? dLat / cosLat : 360;
      if (p.lng - dLng >= -180 && p.lng + dLng <= 180) {
        where.push('s.longitude between ? and ?');
        params.push(p.lng - dLng, p.lng + dLng);
      }
    }
    const plugs = filter?.compatibleWith ? await this.plugsOf(filter.compatibleWith) : null;
    if (filter && (filter.connectorType || filter.minPowerKw != null || filter.availableOnly || plugs)) {
      const conds = ['c.station_id = s.id'];
      if (plugs) {
        conds.push('k.type = any(?::text[])');
        params.push(`{${plugs.join(',')}}`);
      }
      if (filter.connectorType) {
        conds.push('k.type = ?');
        params.push(check(z.enum(ConnectorType), filter.connectorType, 'filter.connectorType'));
      }
      if (filter.minPowerKw != null) {
        conds.push('k.max_power_kw >= ?');
        params.push(check(z.number().finite().min(0), filter.minPowerKw, 'filter.minPowerKw'));
      }
      if (filter.availableOnly) {
        conds.push('k.status = ?');
        params.push(ChargerStatus.AVAILABLE);
      }
      where.push(
        `exists (select 1 from "station"."charger" c join "station"."connector" k on k.charger_id = c.id where ${conds.join(' and ')})`,
      );
    }
    const key = decodeCursor(after, 2);
    const sortExpr = near ? 'distance_km' : 'name';
    const outer: string[] = [];
    const outerParams: unknown[] = [];
    if (near) {
      outer.push('distance_km <= ?');
      outerParams.push(near.radiusKm);
    }
    if (key) {
      const [sortKey, id] = key;
      if ((near ? typeof sortKey !== 'number' : typeof sortKey !== 'string') || typeof id !== 'string') {
        throw badInput('Malformed cursor', 'after');
      }
      outer.push(`(${sortExpr}, id) > (?, ?::uuid)`);
      outerParams.push(sortKey, id);
    }
    const sql = `select * from (
        select s.*, ${distance} as distance_km from "station"."station" s
        ${where.length ? `where ${where.join(' and ')}` : ''}
      ) t ${outer.length ? `where ${outer.join(' and ')}` : ''}
      order by ${sortExpr}, id limit ?`;
    const rows = await this.em.execute<StationRow[]>(sql, [...params, ...outerParams, limit + 1]);
    const stations = rows.map((row) => {
      const { distance_km, ...data } = row;
      const station = this.em.map(Station, data);
      if (distance_km != null) station.distanceKm = Number(distance_km);
      return station;
    });
    return toConnection(stations, limit, (s) => [near ? s.distanceKm : s.name, s.id]);
  }

  /** Stations run by one operator, by name. */
  async byOperator(operatorId: string, first?: number, after?: string) {
    const limit = pageSize(first);
    const key = decodeCursor(after, 2) as [string, string] | null;
    const where = key
      ? { operatorId, $or: [{ name: { $gt: key[0] } }, { name: key[0], id: { $gt: key[1] } }] }
      : { operatorId };
    const rows = await this.em.find(Station, where, {
      orderBy: { name: 'asc', id: 'asc' },
      limit: limit + 1,
    });
    return toConnection(rows, limit, (s) => [s.name, s.id]);
  }

  async createStation(input: CreateStationInput): Promise<Station> {
    let operatorId = this.viewer.userId!;
    if (input.operatorId && input.operatorId !== operatorId) {
      if (!hasRole(this.viewer, Role.ADMIN))
        throw forbidden('Only admins create stations for other operators');
      operatorId = check(z.uuid('operatorId must be a user id'), input.operatorId, 'operatorId');
      if (!(await this.accountExists(operatorId))) throw notFound('User', operatorId);
    }
    const location = check(locationSchema, input.location, 'location');
    const station = this.em.create(Station, {
      name: check(text('name', 200), input.name, 'name'),
      address: check(text('address', 500), input.address, 'address'),
      latitude: location.lat,
      longitude: location.lng,
      timezone: check(timezone, input.timezone, 'timezone'),
      operatorId,
    });
    await this.em.flush();
    return station;
  }

  async updateStation(id: string, input: UpdateStationInput): Promise<Station> {
    const station = await this.ownedStation(id);
    if (input.name != null) station.name = check(text('name', 200), input.name, 'name');
    if (input.address != null) station.address = check(text('address', 500), input.address, 'address');
    if (input.timezone != null) station.timezone = check(timezone, input.timezone, 'timezone');
    if (input.location != null) {
      const location = check(locationSchema, input.location, 'location');
      station.latitude = location.lat;
      station.longitude = location.lng;
    }
    await this.em.flush();
    return station;
  }

  /** Registers a charger and returns its Basic-auth password, which is not stored and cannot be read again. */
  async registerCharger(stationId: string, input: RegisterChargerInput) {
    const station = await this.ownedStation(stationId);
    const identity = check(
      z.string().regex(IDENTITY, 'identity must be 1–48 characters of A–Z, a–z, 0–9, ".", "_" or "-"'),
      input.identity,
      'identity',
    );
    if (await this.em.count(Charger, { identity }))
      throw conflict(`A charger with identity ${identity} exists`);
    const password = randomSecret(24);
    const optional = (v: string | undefined, field: string) =>
      v == null ? null : check(z.string().trim().max(50), v, field);
    const charger = this.em.create(Charger, {
      identity,
      station,
      passwordHash: sha256(password),
      vendor: optional(input.vendor, 'vendor'),
      model: optional(input.model, 'model'),
      serialNumber: optional(input.serialNumber, 'serialNumber'),
    });
    for (const c of input.connectors ?? []) this.newConnector(charger, c);
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('Duplicate charger identity or connector');
      throw err;
    }
    return { charger, password };
  }

  async addConnector(chargerId: string, input: AddConnectorInput): Promise<Connector> {
    const charger = await this.charger(chargerId);
    await this.ownedStation(charger.station.id);
    const connector = this.newConnector(charger, input);
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict(`EVSE ${connector.evseId} connector ${connector.connectorId} exists on this charger`);
      }
      throw err;
    }
    return connector;
  }

  private newConnector(charger: Charger, input: AddConnectorInput): Connector {
    const c = check(connectorSchema, input, 'connector');
    return this.em.create(Connector, {
      charger,
      evseId: c.evseId,
      connectorId: c.connectorId ?? 1,
      type: c.type,
      maxPowerKw: c.maxPowerKw,
    });
  }

  /** BAD_USER_INPUT (field `evseId`) unless the charger has this EVSE; the message lists the ones it has. */
  async requireEvse(charger: Charger, evseId: number): Promise<void> {
    const evses = (await charger.connectors.loadItems()).map((c) => c.evseId);
    if (!evses.includes(evseId))
      throw badInput(
        `EVSE ${evseId} does not exist on this charger (it has ${[...new Set(evses)].join(', ') || 'none'})`,
        'evseId',
      );
  }

  /** The charger, if the caller operates its station or is an admin; FORBIDDEN otherwise. */
  async ownedCharger(id: string): Promise<Charger> {
    const charger = await this.charger(id);
    await this.ownedStation(charger.station.id);
    return charger;
  }

  /** The station, if the caller operates it or is an admin; FORBIDDEN otherwise. */
  async ownedStation(id: string): Promise<Station> {
    const station = await this.station(id);
    if (station.operatorId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)) {
      throw forbidden('Only the station’s operator or an admin may change it');
    }
    return station;
  }
}
