import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { NormalizedStatus } from './queues.js';

/**
 * Live events for GraphQL subscriptions, on Redis pub/sub, and every instance of the owning subgraph
 * listens: whichever instance holds a gateway's upstream subscription gets every event, wherever it
 * was produced. Session updates are published by the session subgraph once it has stored the change.
 * Charger status comes straight from the OCPP bridges' live status channel (a `LiveSource`): a status
 * reaches subscribers without waiting for the durable path (BullMQ, Postgres) that stores it.
 */
export const LIVE_TOPIC = {
  /** A charger's or one of its connectors' status, as the charger reported it to a bridge. */
  chargerStatus: 'station:charger-status',
  /** A charger raised an alert (station subgraph, once stored). */
  chargerAlert: 'station:charger-alert',
  /** A charging session changed (started, meter value, stopped, settlement), as stored. */
  sessionUpdated: 'session:updated',
  /** A community interval was cleared (energy-trading subgraph). */
  clearingPublished: 'energy:clearing-published',
  /** A trade was matched or its delivery checked. */
  tradeUpdated: 'energy:trade-updated',
  /** A meter's readings were stored (either door). */
  meterReadings: 'energy:meter-readings',
} as const;
export type LiveTopic = (typeof LIVE_TOPIC)[keyof typeof LIVE_TOPIC];

export const liveChannel = (prefix: string, topic: LiveTopic) => `${prefix}:live:${topic}`;

/** Live status as the bridge publishes it on `liveStatusChannel`, the moment a charger reports it. */
export interface LiveStatus {
  identity: string;
  evseId: number;
  connectorId: number;
  status: NormalizedStatus;
  /** When the charger says the status began (ISO 8601). */
  at: string;
  /** When the bridge received it (ms since epoch), for latency measurements downstream. */
  receivedAt: number;
}

/** Pub/sub channel of live status from every bridge instance (bridge → station subgraph). */
export const liveStatusChannel = (prefix: string) => `${prefix}:ocpp:status`;
/**
 * Pub/sub channel of id tokens whose status changed (blocked): user subgraph → every OCPP bridge, which
 * forgets its cached answer for the token at once. The message is the token, normalised (upper case).
 */
export const idTokenChangedChannel = (prefix: string) => `${prefix}:id-token:changed`;
/** Redis hash: charger identity → ISO time the bridge last heard from it (throttled per charger). */
export const lastSeenKey = (prefix: string) => `${prefix}:ocpp:last-seen`;

/**
 * A LiveStatus as the station subgraph passes it on (LIVE_TOPIC.chargerStatus), with the charger and
 * station it belongs to instead of the OCPP identity; `evseId` 0 is the charger as a whole.
 */
export type ChargerStatusLive = Pick<LiveStatus, 'evseId' | 'connectorId' | 'at'> & {
  chargerId: string;
  stationId: string;
  status: string;
};

/** Published by the station subgraph when it has stored a charger alert. */
export interface ChargerAlertLive {
  alertId: string;
  chargerId: string;
  stationId: string;
}

export type SessionUpdateKind = 'STARTED' | 'METER_VALUES' | 'STOPPED' | 'SETTLEMENT';

/** Published by the session subgraph. */
export interface SessionUpdatedLive {
  sessionId: string;
  userId: string | null;
  kind: SessionUpdateKind;
  at: string;
}

export interface ClearingPublishedLive {
  communityId: string;
  intervalStart: number;
}

/** Published per trade; `parties`: the buyer, the selling site's owner and its co-owners. */
export interface TradeUpdatedLive {
  tradeId: string;
  parties: string[];
}

export interface MeterReadingsLive {
  meterId: string;
  accepted: number;
  /** The latest timestamp accepted (ms). */
  latest: number;
}

/** Events a subscription may hold for a consumer that has not taken them yet; older ones are dropped. */
export const DEFAULT_BUFFER = 64;

/**
 * An async iterator over pushed values with a bounded buffer: when the consumer falls behind by
 * `capacity` values, the oldest are dropped and the newest kept (live status: the latest is what
 * counts).
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | null = null;
  private done = false;
  private failure: unknown = null;

  constructor(
    private readonly capacity = DEFAULT_BUFFER,
    private readonly onReturn: () => void = () => {},
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.items.length >= this.capacity) this.items.shift();
    this.items.push(value);
  }

  /** Ends the iteration with an error once the buffered values have been taken. */
  fail(error: unknown): void {
    if (this.done) return;
    this.failure = error;
    this.end();
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.onReturn();
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      this.next().then(waiting.resolve, waiting.reject);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) {
      if (this.failure) {
        const failure = this.failure;
        this.failure = null;
        return Promise.reject(failure instanceof Error ? failure : new Error(String(failure)));
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * A topic whose events are made from another channel's messages (rather than published under the
 * topic's own channel): `toEvent` turns a message into the event, or null to drop it.
 */
export interface LiveSource {
  channel: string;
  toEvent(message: unknown): unknown | null | Promise<unknown | null>;
}

/**
 * Redis pub/sub for live events: one subscriber connection per process, one Redis subscription per
 * topic however many GraphQL subscriptions follow it, and an in-process filter per subscription.
 */
export class LiveEventBus {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly sourceOf = new Map<string, LiveSource>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly sources: Partial<Record<LiveTopic, LiveSource>> = {},
  ) {
    for (const source of Object.values(sources)) this.sourceOf.set(source.channel, source);
    subscriber.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set?.size) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        this.logger.warn({ channel }, 'live event is not JSON; dropped');
        return;
      }
      const source = this.sourceOf.get(channel);
      if (!source) {
        for (const listener of set) listener(payload);
        return;
      }
      void (async () => source.toEvent(payload))().then(
        (event) => {
          if (event !== null) for (const listener of set) listener(event);
        },
        (err: unknown) => this.logger.warn({ err, channel }, 'live event dropped'),
      );
    });
  }

  private channel(topic: LiveTopic): string {
    return this.sources[topic]?.channel ?? liveChannel(this.prefix, topic);
  }

  /** Publishes after the change is stored; a failure is logged, never thrown (the change stands). */
  async publish<T>(topic: LiveTopic, payload: T): Promise<void> {
    try {
      await this.publisher.publish(liveChannel(this.prefix, topic), JSON.stringify(payload));
    } catch (err) {
      this.logger.warn({ err, topic }, 'live event not published');
    }
  }

  /** The events of `topic` that `accept` lets through, from now on, until the iterator returns. */
  subscribe<T>(topic: LiveTopic, accept: (event: T) => boolean, capacity = DEFAULT_BUFFER): BoundedQueue<T> {
    const channel = this.channel(topic);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    const listeners = set;
    const listener = (payload: unknown) => {
      if (accept(payload as T)) queue.push(payload as T);
    };
    const queue = new BoundedQueue<T>(capacity, () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        this.listeners.delete(channel);
        void this.subscriber.unsubscribe(channel).catch(() => {});
      }
    });
    if (listeners.size === 0) {
      this.subscriber.subscribe(channel).catch((err: unknown) => queue.fail(err));
    }
    listeners.add(listener);
    return queue;
  }

  /** Closes the subscriber connection (the bus owns it; the publisher belongs to the caller). */
  close(): void {
    this.listeners.clear();
    this.subscriber.disconnect();
  }
}
