import type { EntityManager } from '@mikro-orm/postgresql';
import {
  liveStatusChannel,
  type ChargerStatusLive,
  type LiveSource,
  type LiveStatus,
} from '../../../lib/live-events.js';

import { Charger } from '../entities/charger.entity.js';

interface KnownCharger {
  chargerId: string;
  stationId: string;
  /** `evseId/connectorId` of its registered connectors. */
  connectors: Set<string>;
}

/** How long a charger's station and connectors are trusted (a new connector shows within it). */
const KNOWN_TTL_MS = 60_000;
/** How long an unknown identity stays unknown before it is looked up again. */
const UNKNOWN_TTL_MS = 5_000;
/** Connectors whose last live status is remembered (for ordering); beyond it the memory starts over. */
const MAX_TRACKED = 100_000;

/**
 * Charger status for subscriptions, made from what the OCPP bridges publish the moment a charger
 * reports it (`LiveStatus`), so subscribers do not wait for the durable path that stores it. The
 * identity is resolved to the charger and its station (cached); reports for unregistered connectors
 * are dropped, and so is a report older than the last one seen for the same connector, or a repeat
 * of it (a charger retrying a message). The stored state follows through the station-events queue,
 * with the same ordering rule.
 */
export class LiveStatusSource implements LiveSource {
  readonly channel: string;
  private readonly chargers = new Map<string, { until: number; known: Promise<KnownCharger | null> }>();
  private readonly latest = new Map<string, { at: number; status: string }>();

  constructor(
    prefix: string,
    private readonly em: EntityManager,
  ) {
    this.channel = liveStatusChannel(prefix);
  }

  async toEvent(message: unknown): Promise<ChargerStatusLive | null> {
    const s = message as Partial<LiveStatus>;
    const at = Date.parse(s.at ?? '');
    if (
      typeof s.identity !== 'string' ||
      !Number.isInteger(s.evseId) ||
      !Number.isInteger(s.connectorId) ||
      typeof s.status !== 'string' ||
      Number.isNaN(at)
    ) {
      return null;
    }
    const known = await this.charger(s.identity);
    if (!known || (s.evseId !== 0 && !known.connectors.has(`${s.evseId}/${s.connectorId}`))) return null;
    const key = `${s.identity}|${s.evseId}|${s.connectorId}`;
    const last = this.latest.get(key);
    if (last && (at < last.at || (at === last.at && last.status === s.status))) return null;
    if (this.latest.size >= MAX_TRACKED) this.latest.clear();
    this.latest.set(key, { at, status: s.status });
    return {
      chargerId: known.chargerId,
      stationId: known.stationId,
      evseId: s.evseId!,
      connectorId: s.connectorId!,
      status: s.status,
      at: new Date(at).toISOString(),
    };
  }

  private charger(identity: string): Promise<KnownCharger | null> {
    const now = Date.now();
    const cached = this.chargers.get(identity);
    if (cached && cached.until > now) return cached.known;
    if (this.chargers.size >= MAX_TRACKED) this.chargers.clear();
    const entry = { until: now + KNOWN_TTL_MS, known: this.load(identity) };
    this.chargers.set(identity, entry);
    void entry.known.then(
      (known) => {
        if (!known) entry.until = Date.now() + UNKNOWN_TTL_MS;
      },
      () => this.chargers.delete(identity),
    );
    return entry.known;
  }

  private async load(identity: string): Promise<KnownCharger | null> {
    const charger = await this.em.fork().findOne(Charger, { identity }, { populate: ['connectors'] });
    if (!charger) return null;
    return {
      chargerId: charger.id,
      stationId: charger.station.id,
      connectors: new Set(charger.connectors.getItems().map((c) => `${c.evseId}/${c.connectorId}`)),
    };
  }
}
