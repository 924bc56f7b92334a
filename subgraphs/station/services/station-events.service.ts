import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../lib/logger.js';
import type { StationEvent } from '../../../lib/queues.js';
import { Charger } from '../entities/charger.entity.js';
import { Connector } from '../entities/connector.entity.js';
import { ChargerStatus, OcppProtocol } from '../entities/enums.js';

/** A status change the station subgraph has stored, for live subscribers. */
export interface AppliedStatus {
  chargerId: string;
  stationId: string;
  evseId: number;
  connectorId: number;
  connector: Connector | null;
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
  ) {}

  async apply(event: StationEvent): Promise<AppliedStatus | null> {
    const charger = await this.em.findOne(
      Charger,
      { identity: event.identity },
      { populate: ['connectors'] },
    );
    if (!charger) {
      this.logger.warn(
        { identity: event.identity, kind: event.kind },
        'event for an unknown charger dropped',
      );
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
      case 'status':
        return this.applyStatus(charger, event.evseId, event.connectorId, event.status as ChargerStatus, at);
      case 'firmware':
        charger.firmwareStatus = event.status;
        break;
      case 'diagnostics':
        charger.diagnosticsStatus = event.status;
        break;
      case 'device-event':
        this.logger.info({ identity: event.identity, events: event.events.length }, 'device events reported');
        break;
    }
    await this.em.flush();
    return null;
  }

  private async applyStatus(
    charger: Charger,
    evseId: number,
    connectorId: number,
    status: ChargerStatus,
    at: Date,
  ) {
    charger.lastSeenAt = maxDate(charger.lastSeenAt, at);
    let connector: Connector | null = null;
    if (evseId === 0) {
      if (charger.statusAt && charger.statusAt > at) return null;
      charger.status = status;
      charger.statusAt = at;
    } else {
      connector =
        charger.connectors.getItems().find((c) => c.evseId === evseId && c.connectorId === connectorId) ??
        null;
      if (!connector) {
        this.logger.warn(
          { identity: charger.identity, evseId, connectorId },
          'status for an unregistered connector',
        );
        await this.em.flush();
        return null;
      }
      if (connector.statusAt && connector.statusAt > at) return null;
      connector.status = status;
      connector.statusAt = at;
    }
    await this.em.flush();
    return {
      chargerId: charger.id,
      stationId: charger.station.id,
      evseId,
      connectorId,
      connector,
      status,
      at,
    };
  }
}

const maxDate = (a: Date | null, b: Date) => (a && a > b ? a : b);
