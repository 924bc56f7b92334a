/**
 * How the station subgraph stores status reports (StationEventsService against the platform's real
 * Postgres): the charger-wide status and connector statuses, older reports never overwriting newer
 * ones, and reports for unknown chargers or connectors changing nothing.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { createOrm, type Orm } from '../../lib/db.js';
import { createLogger } from '../../lib/logger.js';
import type { StationEvent } from '../../lib/queues.js';
import { migrations } from '../../subgraphs/station/migrations/index.js';
import { STATION_SCHEMA, stationEntities } from '../../subgraphs/station/index.js';
import { Charger } from '../../subgraphs/station/entities/charger.entity.js';
import { StationEventsService } from '../../subgraphs/station/services/station-events.service.js';
import { maintainMessageLogPartitions } from '../../subgraphs/station/services/message-log.service.js';
import { aUserWithRoles, loginAdmin } from '../support/builders.js';
import { registeredCharger } from '../support/chargers.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let orm: Orm;
let charger: Awaited<ReturnType<typeof registeredCharger>>;
const logger = createLogger('test', 'silent');

beforeAll(async () => {
  p = await startTestPlatform();
  const admin = await loginAdmin(p.gatewayUrl);
  const operator = await aUserWithRoles(p.gatewayUrl, admin, ['OPERATOR']);
  charger = await registeredCharger(p.gatewayUrl, operator);
  orm = await createOrm({
    databaseUrl: p.config.databaseUrl,
    schema: STATION_SCHEMA,
    entities: stationEntities,
    migrations,
    logger,
    poolSize: 2,
  });
});
afterAll(async () => {
  await orm?.close();
  await p?.stop();
});

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
const status = (evseId: number, s: string, minute: number, identity = charger.identity): StationEvent => ({
  kind: 'status',
  identity,
  evseId,
  connectorId: evseId === 0 ? 0 : 1,
  status: s as never,
  errorCode: null,
  at: at(minute),
});
const apply = (event: StationEvent) =>
  new StationEventsService(orm.em.fork() as EntityManager, logger).apply(event);
const stored = async () => {
  const c = await orm.em
    .fork()
    .findOneOrFail(Charger, { identity: charger.identity }, { populate: ['connectors'] });
  const evse = (n: number) => c.connectors.getItems().find((x) => x.evseId === n)!;
  return {
    status: c.status,
    statusAt: c.statusAt?.toISOString() ?? null,
    lastSeenAt: c.lastSeenAt?.toISOString() ?? null,
    evse1: [evse(1).status, evse(1).statusAt?.toISOString() ?? null],
    evse2: [evse(2).status, evse(2).statusAt?.toISOString() ?? null],
  };
};

describe('status reports', () => {
  it('store the charger-wide status and connector statuses, reporting what changed', async () => {
    expect(await apply(status(0, 'AVAILABLE', 10))).toEqual({
      chargerId: charger.chargerId,
      stationId: charger.stationId,
      evseId: 0,
      connectorId: 0,
      status: 'AVAILABLE',
      at: new Date(at(10)),
    });
    expect(await apply(status(1, 'CHARGING', 20))).toMatchObject({ evseId: 1, status: 'CHARGING' });
    expect(await stored()).toEqual({
      status: 'AVAILABLE',
      statusAt: at(10),
      lastSeenAt: at(20),
      evse1: ['CHARGING', at(20)],
      evse2: ['UNKNOWN', null],
    });
  });

  it('never let an older report overwrite a newer one, nor move last-seen back', async () => {
    expect(await apply(status(1, 'PREPARING', 15))).toBeNull();
    expect(await apply(status(0, 'FAULTED', 5))).toBeNull();
    expect(await stored()).toMatchObject({
      status: 'AVAILABLE',
      lastSeenAt: at(20),
      evse1: ['CHARGING', at(20)],
    });
    // A report of the same time as the stored one is a later report: it wins.
    expect(await apply(status(1, 'SUSPENDED_EV', 20))).toMatchObject({ status: 'SUSPENDED_EV' });
    expect(await apply(status(2, 'FAULTED', 30))).toMatchObject({ evseId: 2, status: 'FAULTED' });
    expect(await stored()).toMatchObject({
      lastSeenAt: at(30),
      evse1: ['SUSPENDED_EV', at(20)],
      evse2: ['FAULTED', at(30)],
    });
  });

  it('change nothing for an unknown charger or an unregistered connector', async () => {
    const before = await stored();
    expect(await apply(status(7, 'CHARGING', 40))).toBeNull();
    expect(await apply(status(1, 'CHARGING', 40, 'NO-SUCH-CHARGER'))).toBeNull();
    // The unregistered connector's report still says the charger was heard from.
    expect(await stored()).toEqual({ ...before, lastSeenAt: at(40) });
  });
});

describe('the message log’s daily partitions', () => {
  it('exist from yesterday to the day after tomorrow; days past the retention are dropped whole', async () => {
    const em = orm.em.fork() as EntityManager;
    await em.execute(
      `create table if not exists "station"."ocpp_message_p20200101" partition of "station"."ocpp_message"
         for values from ('2020-01-01T00:00:00Z') to ('2020-01-02T00:00:00Z')`,
    );
    const now = new Date();
    const dropped = await maintainMessageLogPartitions(em, 7, now);
    expect(dropped).toContain('ocpp_message_p20200101');
    const day = (offset: number) =>
      `ocpp_message_p${new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')}`;
    const rows = await em.execute<{ relname: string }[]>(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent where p.relname = 'ocpp_message'`,
    );
    const names = rows.map((r) => r.relname);
    for (const d of [-1, 0, 1, 2]) expect(names).toContain(day(d));
    expect(names).not.toContain('ocpp_message_p20200101');
  });

  it('drop the oldest days, never today’s, while the log is larger than its bound', async () => {
    const em = orm.em.fork() as EntityManager;
    const now = new Date();
    const day = (offset: number) =>
      new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000 + offset * 86_400_000);
    const nameOf = (d: Date) => `ocpp_message_p${d.toISOString().slice(0, 10).replaceAll('-', '')}`;
    for (const offset of [-3, -2]) {
      await em.execute(
        `create table if not exists "station"."${nameOf(day(offset))}" partition of "station"."ocpp_message"
           for values from ('${day(offset).toISOString()}') to ('${day(offset + 1).toISOString()}')`,
      );
    }
    await em.execute(
      `insert into "station"."ocpp_message" (charger_identity, at, direction, message_type, frame)
       select 'CP', ?::timestamptz + (g || ' seconds')::interval, 'IN', 'CALL', repeat('x', 200)
         from generate_series(1, 2000) g`,
      [day(-3)],
    );
    // A generous bound drops nothing; a bound of one byte drops every day but today's, oldest first.
    expect(await maintainMessageLogPartitions(em, 7, now, Number.POSITIVE_INFINITY)).toEqual([]);
    const dropped = await maintainMessageLogPartitions(em, 7, now, 1);
    expect(dropped.slice(0, 3)).toEqual([nameOf(day(-3)), nameOf(day(-2)), nameOf(day(-1))]);
    expect(dropped).not.toContain(nameOf(day(0)));
  });
});
