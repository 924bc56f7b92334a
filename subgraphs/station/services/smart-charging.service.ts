import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChargerCommandClient } from '../../../lib/charger-commands.js';
import { errorCodeOf } from '../../../lib/errors.js';
import { KeyedSerial } from '../../../lib/keyed-serial.js';
import type { Logger } from '../../../lib/logger.js';
import { Connector } from '../entities/connector.entity.js';
import { ChargerStatus } from '../entities/enums.js';
import { Station } from '../entities/station.entity.js';
import { sharePower, type EvseLoad } from './power-sharing.js';

/** Connector statuses of an EVSE that holds a share of the power (a vehicle charging or connected). */
const IN_USE = new Set<string>([
  ChargerStatus.CHARGING,
  ChargerStatus.SUSPENDED_EV,
  ChargerStatus.SUSPENDED_EVSE,
  ChargerStatus.OCCUPIED,
]);

/** The charging-profile id the platform's station-limit profiles use on EVSE n (a new one replaces the old). */
export const stationLimitProfileId = (evseId: number) => 900_000 + evseId;

/** What one EVSE was sent. */
export interface ShareOutcome {
  chargerId: string;
  evseId: number;
  limitW: number | null;
  status: string;
}

/**
 * Smart charging: a station's power limit shared among its EVSEs (power-sharing.ts) as TxDefaultProfile
 * charging profiles, sent again whenever a connector starts or stops being in use and whenever the
 * limit changes. Only EVSEs whose share changed are sent one; a charger's acceptance is stored on its
 * connectors (`powerLimitW`). The sharings of one station run one after the other (in this process).
 */
export class SmartCharging {
  private readonly serial = new KeyedSerial();
  private limited: { ids: Set<string>; until: number } = { ids: new Set(), until: 0 };

  constructor(
    private readonly deps: { em: () => EntityManager; commands: ChargerCommandClient; logger: Logger },
  ) {}

  /** Shares the station's limit again; resolves with what each changed EVSE was sent and answered. */
  reshare(stationId: string): Promise<ShareOutcome[]> {
    return this.serial.run(stationId, () => this.share(stationId));
  }

  /** A connector's status changed: shares again when its station has a limit (known stations: 30 s cache). */
  async statusChanged(stationId: string): Promise<void> {
    if (Date.now() > this.limited.until) {
      const rows = await this.deps.em().find(Station, { powerLimitKw: { $ne: null } }, { fields: ['id'] });
      this.limited = { ids: new Set(rows.map((s) => s.id)), until: Date.now() + 30_000 };
    }
    if (!this.limited.ids.has(stationId)) return;
    await this.reshare(stationId).catch((err: unknown) =>
      this.deps.logger.warn({ err, stationId }, 'station power limit not shared'),
    );
  }

  /** The limit changed here: the cache of limited stations learns it at once. */
  limitChanged(stationId: string, limited: boolean): void {
    if (limited) this.limited.ids.add(stationId);
    else this.limited.ids.delete(stationId);
  }

  private async share(stationId: string): Promise<ShareOutcome[]> {
    const em = this.deps.em();
    const station = await em.findOne(Station, { id: stationId });
    if (!station) return [];
    const connectors = await em.find(
      Connector,
      { charger: { station: stationId } },
      { populate: ['charger'] },
    );
    const evses = new Map<
      string,
      { chargerId: string; identity: string; evseId: number; connectors: Connector[] }
    >();
    for (const c of connectors) {
      const key = `${c.charger.id}|${c.evseId}`;
      const evse = evses.get(key) ?? {
        chargerId: c.charger.id,
        identity: c.charger.identity,
        evseId: c.evseId,
        connectors: [],
      };
      evse.connectors.push(c);
      evses.set(key, evse);
    }
    const loads: EvseLoad[] = [...evses.entries()].map(([key, e]) => ({
      key,
      maxW: Math.max(...e.connectors.map((c) => c.maxPowerKw * 1000)),
      inUse: e.connectors.some((c) => IN_USE.has(c.status)),
    }));
    const shares =
      station.powerLimitKw == null ? null : sharePower(Math.floor(station.powerLimitKw * 1000), loads);
    const outcomes: ShareOutcome[] = [];
    for (const [key, e] of evses) {
      const limitW = shares ? shares.get(key)! : null;
      if (e.connectors.every((c) => c.powerLimitW === limitW)) continue;
      let status: string;
      try {
        ({ status } = await this.deps.commands.send(
          e.identity,
          limitW === null
            ? { type: 'clearChargingProfile', evseId: e.evseId }
            : {
                type: 'setChargingProfile',
                evseId: e.evseId,
                limitW,
                profileId: stationLimitProfileId(e.evseId),
              },
        ));
      } catch (err) {
        // Offline or silent: its share is sent again at the next sharing.
        status = errorCodeOf(err) ?? 'ERROR';
      }
      if (status === 'Accepted' || (limitW === null && status === 'Unknown'))
        for (const c of e.connectors) c.powerLimitW = limitW;
      outcomes.push({ chargerId: e.chargerId, evseId: e.evseId, limitW, status });
    }
    await em.flush();
    return outcomes;
  }
}
