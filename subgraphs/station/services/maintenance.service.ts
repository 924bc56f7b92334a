import { Poller } from '../../../lib/poller.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import type { ChargerCommandClient } from '../../../lib/charger-commands.js';
import { badInput, conflict, errorCodeOf, notFound } from '../../../lib/errors.js';
import { isUuid } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/logger.js';
import type { Charger } from '../entities/charger.entity.js';
import { MaintenanceStatus, MaintenanceWindow } from '../entities/maintenance-window.entity.js';
import type { StationService } from './station.service.js';

/** The longest window one may schedule. */
export const MAX_MAINTENANCE_MS = 31 * 86_400_000;
/** Answers to ChangeAvailability that mean the charger took it. */
const TAKEN = ['Accepted', 'Scheduled'];

/**
 * SCHEDULED or ACTIVE windows of this charger that overlap [from, to) and cover `evseId` (a window on
 * the whole charger covers every EVSE; without `evseId`, any window of the charger).
 */
export function overlappingWindows(
  em: EntityManager,
  chargerId: string,
  evseId: number | null,
  from: Date,
  to: Date,
) {
  return em.find(MaintenanceWindow, {
    charger: chargerId,
    status: { $in: [MaintenanceStatus.SCHEDULED, MaintenanceStatus.ACTIVE] },
    startsAt: { $lt: to },
    endsAt: { $gt: from },
    ...(evseId == null ? {} : { $or: [{ evseId: null }, { evseId }] }),
  });
}

/** Scheduling and cancelling windows (the station's operator and admins). */
export class MaintenanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly deps: { stations: StationService; scheduler: MaintenanceScheduler },
  ) {}

  async schedule(chargerId: string, evseId: number | null, startsAt: Date, endsAt: Date, reason: string) {
    const charger = await this.deps.stations.ownedCharger(chargerId);
    if (evseId != null) await this.deps.stations.requireEvse(charger, evseId);
    if (!(endsAt > startsAt)) throw badInput('endsAt must be after startsAt', 'endsAt');
    if (endsAt.getTime() <= Date.now()) throw badInput('endsAt must be in the future', 'endsAt');
    if (endsAt.getTime() - startsAt.getTime() > MAX_MAINTENANCE_MS)
      throw badInput('A window lasts at most 31 days', 'endsAt');
    const text = reason.trim();
    if (!text || text.length > 200) throw badInput('reason must be 1–200 characters', 'reason');
    // One window at a time for a charger or EVSE (a whole-charger window overlaps every EVSE's).
    const clash = await overlappingWindows(this.em, charger.id, evseId, startsAt, endsAt);
    if (clash.length) throw conflict(`It overlaps maintenance window ${clash[0]!.id}`);
    const window = this.em.create(MaintenanceWindow, {
      charger,
      evseId,
      startsAt,
      endsAt,
      reason: text,
      createdBy: this.viewer.userId!,
    });
    await this.em.flush();
    // A window that starts now is started now, not at the next poll.
    if (startsAt.getTime() <= Date.now()) await this.deps.scheduler.tick();
    await this.em.refresh(window);
    return window;
  }

  /** A SCHEDULED window is dropped; an ACTIVE one ends now (the charger is told Operative). */
  async cancel(id: string): Promise<MaintenanceWindow> {
    const window = isUuid(id) ? await this.em.findOne(MaintenanceWindow, { id }) : null;
    if (!window) throw notFound('Maintenance window', id);
    await this.deps.stations.ownedCharger(window.charger.id);
    if (window.status === MaintenanceStatus.SCHEDULED) window.status = MaintenanceStatus.CANCELLED;
    else if (window.status === MaintenanceStatus.ACTIVE) window.endsAt = new Date();
    else throw conflict(`The window is ${window.status}`);
    await this.em.flush();
    if (window.status === MaintenanceStatus.ACTIVE) await this.deps.scheduler.tick();
    await this.em.refresh(window);
    return window;
  }

  /** The charger's windows not over yet, and the last ten that are: for its operator and admins. */
  async ofCharger(charger: Charger): Promise<MaintenanceWindow[]> {
    const station = await this.deps.stations.station(charger.station.id);
    if (station.operatorId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)) return [];
    const current = await this.em.find(
      MaintenanceWindow,
      { charger: charger.id, status: { $in: [MaintenanceStatus.SCHEDULED, MaintenanceStatus.ACTIVE] } },
      { orderBy: { startsAt: 'asc' } },
    );
    const past = await this.em.find(
      MaintenanceWindow,
      { charger: charger.id, status: { $in: [MaintenanceStatus.DONE, MaintenanceStatus.CANCELLED] } },
      { orderBy: { endsAt: 'desc' }, limit: 10 },
    );
    return [...current, ...past];
  }
}

/**
 * Starts and ends due windows: every MAINTENANCE_POLL_MS, a window whose start has come is claimed
 * (one UPDATE … RETURNING, so that several station subgraph instances never send twice) and its
 * charger or EVSE told Inoperative; one whose end has come is told Operative and is DONE once the
 * charger took it. A command that did not get through (charger offline, rejected) is sent again a
 * minute later while it still matters. A window whose whole span passed while it never started (the
 * platform was down) ends DONE without commands.
 */
export class MaintenanceScheduler {
  private readonly poller: Poller;

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      commands: ChargerCommandClient;
      logger: Logger;
      pollMs: number;
    },
  ) {
    this.poller = new Poller({
      everyMs: deps.pollMs,
      pass: () => this.pass(),
      logger: deps.logger,
      failure: 'maintenance windows not handled',
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** One pass; passes do not overlap in this process. */
  tick(): Promise<void> {
    return this.poller.tick();
  }

  private async pass(): Promise<void> {
    const em = this.deps.em();
    // Never started and already over: nothing to tell the charger.
    await em.execute(
      `update "station"."maintenance_window" set status = 'DONE', end_outcome = 'Skipped'
        where status = 'SCHEDULED' and ends_at <= now()`,
    );
    const starting = await em.execute<{ id: string; identity: string; evse_id: number | null }[]>(
      `update "station"."maintenance_window" w set status = 'ACTIVE', attempted_at = now()
         from "station"."charger" c
        where c.id = w.charger_id and w.ends_at > now() and (
          (w.status = 'SCHEDULED' and w.starts_at <= now())
          or (w.status = 'ACTIVE' and coalesce(w.start_outcome, '') not in ('Accepted', 'Scheduled')
              and w.attempted_at < now() - interval '1 minute'))
        returning w.id, c.identity, w.evse_id`,
    );
    for (const w of starting) await this.send(em, w, false);
    const ending = await em.execute<{ id: string; identity: string; evse_id: number | null }[]>(
      `update "station"."maintenance_window" w set attempted_at = now()
         from "station"."charger" c
        where c.id = w.charger_id and w.status = 'ACTIVE' and w.ends_at <= now()
          and (w.end_outcome is null or w.attempted_at < now() - interval '1 minute')
        returning w.id, c.identity, w.evse_id`,
    );
    for (const w of ending) await this.send(em, w, true);
  }

  private async send(
    em: EntityManager,
    w: { id: string; identity: string; evse_id: number | null },
    end: boolean,
  ) {
    let outcome: string;
    try {
      ({ status: outcome } = await this.deps.commands.send(w.identity, {
        type: 'changeAvailability',
        evseId: w.evse_id,
        operative: end,
      }));
    } catch (err) {
      outcome = errorCodeOf(err) ?? 'ERROR';
    }
    if (end)
      await em.execute(
        `update "station"."maintenance_window" set end_outcome = ?,
           status = case when ? then 'DONE' else status end where id = ?`,
        [outcome, TAKEN.includes(outcome), w.id],
      );
    else
      await em.execute('update "station"."maintenance_window" set start_outcome = ? where id = ?', [
        outcome,
        w.id,
      ]);
    if (!TAKEN.includes(outcome))
      this.deps.logger.warn(
        { window: w.id, identity: w.identity, outcome, end },
        'maintenance command not taken; again in a minute',
      );
  }
}
