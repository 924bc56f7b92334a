import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChargerCommandClient } from '../../../lib/charger-commands.js';
import { KeyedSerial } from '../../../lib/keyed-serial.js';
import type { Logger } from '../../../lib/logger.js';
import { Charger } from '../entities/charger.entity.js';
import { Reservation, ReservationStatus } from '../entities/reservation.entity.js';

/** How far back a station's drivers are counted for its chargers' local lists. */
export const LOCAL_LIST_DRIVERS_DAYS = 90;
/** The most entries a list holds (chargers' SendLocalListMaxLength is often a few hundred to a few thousand). */
export const LOCAL_LIST_MAX = 1000;

/** OCPP AuthorizationStatus of the user subgraph's IdTokenStatus. */
const OCPP_STATUS: Record<string, string> = {
  ACCEPTED: 'Accepted',
  BLOCKED: 'Blocked',
  EXPIRED: 'Expired',
  INVALID: 'Invalid',
};

export interface LocalListSyncResult {
  /** The charger's answer (Accepted, Failed, NotSupported, VersionMismatch), or Unchanged: nothing to send. */
  status: string;
  updateType: 'Full' | 'Differential' | null;
  version: number;
  /** Entries sent. */
  entries: number;
}

type Entry = { idToken: string; status: string; expiresAt: string | null };

/**
 * Local authorization lists (SendLocalList / GetLocalListVersion): a charger's list holds the id
 * tokens of its station's drivers — who charged there in the last LOCAL_LIST_DRIVERS_DAYS days or hold
 * a reservation there — with their status, so that it can authorize them offline and refuse their
 * blocked cards. The first update is Full, later ones Differential (changed entries; a token no longer
 * there is removed); a VersionMismatch is answered with a Full list. What the charger accepted is
 * stored, and a token blocked anywhere (the user subgraph's change message) is sent at once to every
 * charger whose list holds it. One charger's updates run one after the other (in this process).
 */
export class LocalLists {
  private readonly serial = new KeyedSerial();

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      commands: ChargerCommandClient;
      stationDrivers: (stationId: string, since: Date) => Promise<string[]>;
      idTokensOfUsers: (
        userIds: string[],
      ) => Promise<{ token: string; userId: string; status: string; expiresAt: string | null }[]>;
      logger: Logger;
    },
  ) {}

  sync(chargerId: string, full = false): Promise<LocalListSyncResult> {
    return this.serial.run(chargerId, () => this.run(chargerId, full));
  }

  /** A token changed (blocked): the chargers whose lists hold it get a differential update. */
  async tokenChanged(token: string): Promise<void> {
    const rows = await this.deps
      .em()
      .execute<{ charger_id: string }[]>(
        'select charger_id from "station"."charger_local_list" where id_token = ?',
        [token.trim().toUpperCase()],
      );
    for (const { charger_id } of rows)
      await this.sync(charger_id).catch((err: unknown) =>
        this.deps.logger.warn({ err, chargerId: charger_id }, 'local list not updated after a token change'),
      );
  }

  private async run(chargerId: string, full: boolean): Promise<LocalListSyncResult> {
    const em = this.deps.em();
    const charger = await em.findOneOrFail(Charger, { id: chargerId });
    const since = new Date(Date.now() - LOCAL_LIST_DRIVERS_DAYS * 86_400_000);
    const reserving = await em.find(
      Reservation,
      {
        charger: { station: charger.station.id },
        status: ReservationStatus.ACTIVE,
        expiresAt: { $gt: new Date() },
      },
      { fields: ['userId'] },
    );
    const drivers = [
      ...new Set([
        ...reserving.map((r) => r.userId),
        ...(await this.deps.stationDrivers(charger.station.id, since)),
      ]),
    ];
    const desired = new Map<string, Entry>();
    for (const t of await this.deps.idTokensOfUsers(drivers)) {
      if (desired.size >= LOCAL_LIST_MAX) break;
      desired.set(t.token, {
        idToken: t.token,
        status: OCPP_STATUS[t.status] ?? 'Invalid',
        expiresAt: t.expiresAt,
      });
    }
    const stored = new Map(
      (
        await em.execute<{ id_token: string; status: string; expires_at: Date | null }[]>(
          'select id_token, status, expires_at from "station"."charger_local_list" where charger_id = ?',
          [charger.id],
        )
      ).map((r) => [
        r.id_token,
        { status: r.status, expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null },
      ]),
    );
    const differential: { idToken: string; status: string | null; expiresAt: string | null }[] = [];
    for (const e of desired.values()) {
      const had = stored.get(e.idToken);
      const expiresAt = e.expiresAt ? new Date(e.expiresAt).toISOString() : null;
      if (!had || had.status !== e.status || had.expiresAt !== expiresAt) differential.push(e);
    }
    for (const token of stored.keys())
      if (!desired.has(token)) differential.push({ idToken: token, status: null, expiresAt: null });

    let updateType: 'Full' | 'Differential' =
      full || charger.localListVersion === 0 ? 'Full' : 'Differential';
    if (updateType === 'Differential' && differential.length === 0)
      return { status: 'Unchanged', updateType: null, version: charger.localListVersion, entries: 0 };
    const send = (type: 'Full' | 'Differential') =>
      this.deps.commands.send(charger.identity, {
        type: 'sendLocalList',
        version: charger.localListVersion + 1,
        updateType: type,
        entries: type === 'Full' ? [...desired.values()] : differential,
      });
    let { status } = await send(updateType);
    if (status === 'VersionMismatch' && updateType === 'Differential') {
      updateType = 'Full';
      ({ status } = await send('Full'));
    }
    const entries = updateType === 'Full' ? desired.size : differential.length;
    if (status !== 'Accepted') return { status, updateType, version: charger.localListVersion, entries };
    await em.transactional(async (tx) => {
      await tx.execute('delete from "station"."charger_local_list" where charger_id = ?', [charger.id]);
      const rows = [...desired.values()];
      if (rows.length)
        await tx.execute(
          `insert into "station"."charger_local_list" (charger_id, id_token, status, expires_at) values ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((r) => [charger.id, r.idToken, r.status, r.expiresAt]),
        );
      await tx.execute(
        'update "station"."charger" set local_list_version = local_list_version + 1 where id = ?',
        [charger.id],
      );
    });
    return { status, updateType, version: charger.localListVersion + 1, entries };
  }
}
