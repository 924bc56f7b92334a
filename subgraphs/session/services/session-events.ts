import { LIVE_TOPIC, type LiveEventBus, type SessionUpdatedLive } from '../../../lib/live-events.js';
import { UnrecoverableError } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SessionEvent } from '../../../lib/queues.js';
import type { StationServiceClient } from '../../../lib/service-clients/station.js';
import { SessionService, type Placement } from './session.service.js';
import type { SettlementService } from './settlement.service.js';
import type { ChargingEndedLookup } from './pricing.js';

/** Where chargers sit, asked of the station subgraph and remembered for a while (chargers rarely move). */
export class PlacementCache {
  private readonly cache = new Map<string, { placement: Promise<Placement | null>; until: number }>();

  constructor(
    private readonly station: StationServiceClient,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  get(identity: string): Promise<Placement | null> {
    const now = Date.now();
    const hit = this.cache.get(identity);
    if (hit && hit.until > now) return hit.placement;
    // Asked by identity, a placement always names its charger.
    const placement = this.station
      .chargerPlacement({ identity })
      .then((p) => (p?.chargerId ? (p as Placement) : null));
    this.cache.set(identity, { placement, until: now + this.ttlMs });
    placement.then(
      (p) => p ?? this.cache.delete(identity),
      () => this.cache.delete(identity),
    );
    return placement;
  }
}

/**
 * Applies one event from the bridge's `session-events` queue. A sample or stop that arrives before
 * its start throws, and BullMQ retries it later; an event for a charger the station subgraph does
 * not know cannot succeed and is not retried.
 */
async function storeSessionEvent(
  em: EntityManager,
  event: SessionEvent,
  placements: PlacementCache,
  defaultCurrency: string,
  settlements?: SettlementService,
  energyTolerancePct?: number,
  chargingEnded?: ChargingEndedLookup,
) {
  const sessions = new SessionService(em, defaultCurrency, energyTolerancePct, chargingEnded);
  switch (event.kind) {
    case 'started': {
      const placement = await placements.get(event.identity);
      if (!placement) throw new UnrecoverableError(`unknown charger ${event.identity}`);
      return {
        session: await sessions.start(
          { ...event, chargerIdentity: event.identity, timestamp: new Date(event.timestamp) },
          placement,
        ),
        completedNow: false,
      };
    }
    case 'meter':
      return {
        session: await sessions.sample({
          ...event,
          chargerIdentity: event.identity,
          timestamp: new Date(event.timestamp),
        }),
        completedNow: false,
      };
    case 'ended': {
      const result = await sessions.stop({
        ...event,
        chargerIdentity: event.identity,
        timestamp: new Date(event.timestamp),
        samples: event.samples?.map((s) => ({ ...s, timestamp: new Date(s.timestamp) })),
      });
      // A retried job prepares again: numbering and queueing happen once (see SettlementService). A
      // DISPUTED session is not settled until resolved (resolveSessionDispute).
      if (result.session.status === 'COMPLETED') await settlements?.prepare(result.session);
      return result;
    }
  }
}

const UPDATE_KIND = { started: 'STARTED', meter: 'METER_VALUES', ended: 'STOPPED' } as const;

/**
 * Applies one transaction event from the bridge (QUEUE.sessionEvents): stores it, then tells the
 * session's followers (`session:updated`), after the change is stored and never before.
 */
export async function applySessionEvent(
  em: EntityManager,
  event: SessionEvent,
  deps: {
    placements: PlacementCache;
    defaultCurrency: string;
    settlements: SettlementService;
    live: LiveEventBus;
    /** SESSION_ENERGY_TOLERANCE_PCT (default 10). */
    energyTolerancePct?: number;
    /** When the connector stopped charging (idle fees). */
    chargingEnded?: ChargingEndedLookup;
  },
) {
  const result = await storeSessionEvent(
    em,
    event,
    deps.placements,
    deps.defaultCurrency,
    deps.settlements,
    deps.energyTolerancePct,
    deps.chargingEnded,
  );
  await deps.live.publish<SessionUpdatedLive>(LIVE_TOPIC.sessionUpdated, {
    sessionId: result.session.id,
    userId: result.session.userId,
    kind: UPDATE_KIND[event.kind],
    at: event.timestamp,
  });
  return result;
}
