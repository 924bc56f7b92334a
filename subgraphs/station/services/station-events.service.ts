import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../lib/logger.js';
import type { StationEvent } from '../../../lib/queues.js';
import { randomUUID } from 'node:crypto';
import type { ChargerAlertLive } from '../../../lib/live-events.js';
import { ChargerAlert, ChargerAlertKind } from '../entities/charger-alert.entity.js';
import { Charger } from '../entities/charger.entity.js';
import { Reservation, ReservationStatus } from '../entities/reservation.entity.js';
import type { ReservationHolds } from './reservation.service.js';
import { ChargerStatus, OcppProtocol } from '../entities/enums.js';

/** A status change the station subgraph has stored. */
export interface AppliedStatus {
  chargerId: string;
  stationId: string;
  evseId: number;
  connectorId: number;
  status: ChargerStatus;
  at: Date;
}

/**
 * Applies what chargers said (via the OCPP bridge's `station-events` queue) to the station's records.
 * Events may arrive twice or out of order: a status older than the stored one is ignored.
 */
export class StationEventsService {
  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
    /** Tells subscribers of a stored alert (LIVE_TOPIC.chargerAlert). */
    private readonly alerted: (alert: ChargerAlertLive) => Promise<void> = async () => {},
    /** The bridges' reservation holds, released when a reservation is used or let go. */
    private readonly holds?: ReservationHolds,
  ) {}

  async apply(event: StationEvent): Promise<AppliedStatus | null> {
    if (event.kind === 'status') return this.applyStatus(event);
    const charger = await this.em.findOne(Charger, { identity: event.identity });
    if (!charger) {
      this.unknownCharger(event);
      return null;
    }
    const at = new Date(event.at);
    switch (event.kind) {
      case 'boot':
        charger.vendor = event.vendor;
        charger.model = event.model;
        charger.serialNumber = event.serialNumber;
        charger.firmwareVersion = event.firmwareVersion;
        charger.protocol = event.protocol === 'OCPP16' ? OcppProtocol.OCPP16 : OcppProtocol.OCPP201;
        charger.lastSeenAt = maxDate(charger.lastSeenAt, at);
        break;
      case 'firmware':
        charger.firmwareStatus = event.status;
        break;
      case 'diagnostics':
        charger.diagnosticsStatus = event.status;
        break;
      case 'device-event':
        this.logger.info({ identity: event.identity, events: event.events.length }, 'device events reported');
        break;
      case 'reservation-used':
      case 'reservation-status': {
        const reservation = await this.em.findOne(
          Reservation,
          event.kind === 'reservation-used'
            ? { id: event.reservationId, charger: charger.id }
            : { ocppId: event.ocppId, charger: charger.id },
        );
        if (!reservation) break;
        if (
          reservation.status === ReservationStatus.ACTIVE ||
          reservation.status === ReservationStatus.PENDING
        ) {
          if (event.kind === 'reservation-used') {
            reservation.status = ReservationStatus.USED;
            reservation.transactionId = event.transactionId;
          } else
            reservation.status =
              event.status === 'Expired' ? ReservationStatus.EXPIRED : ReservationStatus.CANCELLED;
          reservation.updatedAt = new Date();
        }
        await this.em.flush();
        await this.holds?.release(event.identity, reservation);
        break;
      }
      case 'security-event':
        await this.raise(charger.id, charger.station.id, {
          kind: ChargerAlertKind.SECURITY_EVENT,
          errorCode: event.type,
          message: `Security event ${event.type}${event.techInfo ? `: ${event.techInfo}` : ''}`,
          at,
        });
        break;
    }
    await this.em.flush();
    return null;
  }

  /**
   * A status report in one statement (statuses are the busiest station event: one round trip instead
   * of a load and a transaction): the status is stored unless a newer one already is (equal times: the
   * later report wins), and the charger's last-seen time moves forward. A connector's report moves it
   * only once it is LAST_SEEN_STEP behind: the charger's row is then not written (and locked) by the
   * reports of all its connectors, and `lastSeenAt` reads the bridge's fresher time from Redis anyway.
   */
  private async applyStatus(event: Extract<StationEvent, { kind: 'status' }>): Promise<AppliedStatus | null> {
    const at = new Date(event.at);
    const status = event.status as ChargerStatus;
    const [row] =
      event.evseId === 0
        ? await this.em.execute<StatusRow[]>(
            `with charger as (
               update "station"."charger" set
                 last_seen_at = greatest(last_seen_at, ?),
                 status = case when status_at is null or status_at <= ? then ? else status end,
                 status_at = case when status_at is null or status_at <= ? then ? else status_at end
               where identity = ?
               returning id, station_id, status_at = ? and status = ? as applied
             ), ${history(false)}
             select id as charger_id, station_id, true as known_connector, applied from charger`,
            [
              at,
              at,
              status,
              at,
              at,
              event.identity,
              at,
              status,
              ...historyParams(0, 0, status, event.errorCode, at),
            ],
          )
        : await this.em.execute<StatusRow[]>(
            `with charger as (
               select id, station_id from "station"."charger" where identity = ?
             ), seen as (
               update "station"."charger" c set last_seen_at = ? from charger
               where c.id = charger.id and (c.last_seen_at is null or c.last_seen_at < ?::timestamptz - ?::interval)
             ), target as (
               select c.id, c.status_at from "station"."connector" c join charger on c.charger_id = charger.id
               where c.evse_id = ? and c.connector_id = ?
             ), applied as (
               update "station"."connector" c set status = ?, status_at = ? from target
               where c.id = target.id and (target.status_at is null or target.status_at <= ?)
               returning c.id
             ), ${history(true)}
             select charger.id as charger_id, charger.station_id,
               exists (select 1 from target) as known_connector, exists (select 1 from applied) as applied
             from charger`,
            [
              event.identity,
              at,
              at,
              LAST_SEEN_STEP,
              event.evseId,
              event.connectorId,
              status,
              at,
              at,
              ...historyParams(event.evseId, event.connectorId, status, event.errorCode, at),
            ],
          );
    if (!row) {
      this.unknownCharger(event);
      return null;
    }
    if (!row.known_connector) {
      // OCPP 1.6 §4.9 / 2.0.1 G01: a status for a connector the charger was not registered with is
      // an alert for its operator (a fault there would otherwise show nowhere).
      this.logger.warn(
        { identity: event.identity, evseId: event.evseId, connectorId: event.connectorId },
        'status for an unregistered connector',
      );
      await this.raise(row.charger_id, row.station_id, {
        kind: ChargerAlertKind.UNKNOWN_CONNECTOR,
        evseId: event.evseId,
        connectorId: event.connectorId,
        status,
        errorCode: event.errorCode,
        message:
          `Status ${status}${event.errorCode ? ` (${event.errorCode})` : ''} reported for EVSE ${event.evseId}` +
          ` connector ${event.connectorId}, which this charger is not registered with`,
        at,
      });
      return null;
    }
    if (!row.applied) return null;
    return {
      chargerId: row.charger_id,
      stationId: row.station_id,
      evseId: event.evseId,
      connectorId: event.connectorId,
      status,
      at,
    };
  }

  /** Stores an alert once per report (a redelivered event finds it) and tells subscribers. */
  private async raise(
    chargerId: string,
    stationId: string,
    alert: Pick<ChargerAlert, 'kind' | 'message' | 'at'> &
      Partial<Pick<ChargerAlert, 'evseId' | 'connectorId' | 'status' | 'errorCode'>>,
  ): Promise<void> {
    const dedupeKey = [
      chargerId,
      alert.kind,
      alert.evseId ?? '',
      alert.connectorId ?? '',
      alert.status ?? '',
      alert.errorCode ?? '',
      alert.at.toISOString(),
    ].join('|');
    const [row] = await this.em.execute<{ id: string }[]>(
      `insert into "station"."charger_alert"
         (id, charger_id, kind, evse_id, connector_id, status, error_code, message, at, dedupe_key, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (dedupe_key) do nothing returning id`,
      [
        randomUUID(),
        chargerId,
        alert.kind,
        alert.evseId ?? null,
        alert.connectorId ?? null,
        alert.status ?? null,
        alert.errorCode ?? null,
        alert.message,
        alert.at,
        dedupeKey,
      ],
    );
    if (row) await this.alerted({ alertId: row.id, chargerId, stationId });
  }

  private unknownCharger(event: StationEvent): void {
    this.logger.warn({ identity: event.identity, kind: event.kind }, 'event for an unknown charger dropped');
  }
}

interface StatusRow {
  charger_id: string;
  station_id: string;
  known_connector: boolean;
  applied: boolean;
}

const LAST_SEEN_STEP = '1 minute';

/**
 * The status history kept for reports (a repeated report is kept once), and the station's rollup mark:
 * set at its first report; a late report — one from before the hour in progress (a charger back from
 * offline sends its queued reports), or from its last minute — moves the mark back to its hour and
 * counts a change, so those hours are computed again. The condition does not read the mark, so a
 * rollup step committing meanwhile is seen (the update re-reads the row it waited for), and the step's
 * own update of the mark checks the change count (report-rollup.ts): whichever commits second, the
 * report is not missed. Reports of the hour in progress write nothing here: the mark never passes it.
 * Needs a CTE `charger (id, station_id)`, and `target` (the connector's row) when the report is for a connector.
 */
const history = (forConnector: boolean) => `history as (
    insert into "station"."connector_status_event" (charger_id, evse_id, connector_id, status, error_code, at)
    select charger.id, ?::int, ?::int, ?, ?, ? from charger
     ${forConnector ? 'where exists (select 1 from target)' : ''}
    on conflict do nothing
  ), first_report as (
    insert into "station"."report_watermark" (station_id, rolled_until)
    select station_id, date_trunc('hour', ?::timestamptz) from charger on conflict do nothing
  ), late_report as (
    update "station"."report_watermark" w
       set rolled_until = least(w.rolled_until, date_trunc('hour', ?::timestamptz)), changes = w.changes + 1
      from charger where w.station_id = charger.station_id
       and ?::timestamptz < date_trunc('hour', now() + interval '1 minute')
  )`;

const historyParams = (
  evseId: number,
  connectorId: number,
  status: string,
  errorCode: string | null,
  at: Date,
) => [evseId, connectorId, status, errorCode, at, at, at, at];

const maxDate = (a: Date | null, b: Date) => (a && a > b ? a : b);
