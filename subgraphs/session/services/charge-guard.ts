import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChainReader } from '../../../lib/chain/reader.js';
import type { Logger } from '../../../lib/logger.js';
import type { UserServiceClient } from '../../../lib/service-clients/user.js';
import type { PlacementCache } from './session-events.js';
import { computeCost } from './pricing.js';
import { tariffAt } from './session.service.js';

/** Why a driver may not start charging here now (stable codes; `message` says it for people). */
export type ChargeRefusal =
  'NO_WALLET' | 'INSUFFICIENT_ESCROW' | 'RECORD_LIMIT_TOO_LOW' | 'UNKNOWN_EVSE' | 'EVSE_BUSY';

export interface ChargeAnswer {
  allowed: boolean;
  reason: ChargeRefusal | null;
  message: string | null;
  /** The hold this session needs, micro-units of the tariff's currency (0 where nothing settles on chain). */
  holdMicros: number;
  /** What the driver's escrow can still pay today, less the holds and unpaid sessions (null: not asked). */
  freeMicros: number | null;
}

const ALLOWED_FREE: ChargeAnswer = {
  allowed: true,
  reason: null,
  message: null,
  holdMicros: 0,
  freeMicros: null,
};

/**
 * The guarantee before charging. At a station whose tariff is in the settlement token's currency
 * (sessions there are paid on chain), a driver may start only when their wallet can pay a minimum hold:
 * CHARGE_HOLD_MINUTES at the EVSE's highest connector power, priced with the station's tariff
 * (energy, time and session fee). What the wallet can pay is `limitsOf(..).spendableToday` (escrow
 * within the daily limit) less the holds of the driver's other sessions and the cost of their
 * completed sessions on their way to the chain (PENDING or SUBMITTED, or stopped in the last 10
 * minutes and not numbered yet; a session that will never settle on chain, a write-off, does not
 * count). A reservation (at transaction start, keyed by `chargeHoldKey`) is made under a per-driver
 * transaction lock, so two sessions started at once cannot both count the same escrow; it is released
 * when its session stops (the session's cost then counts until it is paid), and one whose session
 * never appears lapses after a day.
 */
export class ChargeGuard {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: {
      placements: PlacementCache;
      users: UserServiceClient;
      chain: ChainReader;
      settlementCurrency: string;
      holdMinutes: number;
      logger: Logger;
    },
  ) {}

  /**
   * May `userId` charge at this charger's EVSE (any EVSE: the most powerful) now? With `reserveFor`
   * (the transaction's key, `identity|transactionId`), an allowed answer also reserves the hold; asking
   * again with the same key finds the reservation and answers the same.
   */
  async check(
    identity: string,
    userId: string,
    evseId: number | null,
    reserveFor: string | null,
  ): Promise<ChargeAnswer> {
    const placement = await this.deps.placements.get(identity);
    if (!placement) return ALLOWED_FREE;
    // The EVSE first, whatever the tariff: one the charger does not have, or one with a session active
    // on it already (other than this transaction's own, when a start is repeated; one with anomalies,
    // which the charger was told not to run, does not count), takes no new one.
    if (evseId) {
      const refuse = (reason: ChargeRefusal, message: string): ChargeAnswer => ({
        ...ALLOWED_FREE,
        allowed: false,
        reason,
        message,
      });
      if (!placement.evsePowers?.some((e) => e.evseId === evseId))
        return refuse('UNKNOWN_EVSE', `This charger has no EVSE ${evseId}`);
      const [busy] = await this.em.execute<{ id: string }[]>(
        `select id from "session"."charging_session"
          where charger_id = ? and evse_id = ? and status = 'ACTIVE' and anomalies = '[]'::jsonb
            and (?::text is null or charger_identity || '|' || transaction_id <> ?) limit 1`,
        [placement.chargerId, evseId, reserveFor, reserveFor],
      );
      if (busy) return refuse('EVSE_BUSY', `EVSE ${evseId} has a session in progress`);
    }
    const tariff = await tariffAt(this.em, placement, evseId);
    // Sessions not in the token's currency are not settled on chain: nothing to guarantee here.
    if (!tariff || tariff.currency !== this.deps.settlementCurrency) return ALLOWED_FREE;
    const powers = placement.evsePowers ?? [];
    const powerKw =
      (evseId ? powers.find((e) => e.evseId === evseId)?.maxPowerKw : undefined) ??
      Math.max(0, ...powers.map((e) => e.maxPowerKw));
    const now = new Date();
    const until = new Date(now.getTime() + this.deps.holdMinutes * 60_000);
    const holdMicros = computeCost(tariff, {
      energyWh: (powerKw * 1000 * this.deps.holdMinutes) / 60,
      startedAt: now,
      stoppedAt: until,
      lastEnergyAt: until,
    }).totalMicros;
    const refuse = (reason: ChargeRefusal, message: string, freeMicros: number | null): ChargeAnswer => ({
      allowed: false,
      reason,
      message,
      holdMicros,
      freeMicros,
    });
    const [wallet] = await this.deps.users.primaryWallets([userId]);
    if (!wallet) return refuse('NO_WALLET', 'Link a wallet with escrow to charge here', null);
    const escrow = await this.deps.chain.limitsOf(wallet.address);
    if (escrow.recordLimit < BigInt(holdMicros))
      return refuse(
        'RECORD_LIMIT_TOO_LOW',
        `Your wallet’s limit per record is below the ${this.deps.holdMinutes}-minute hold of this charger`,
        null,
      );
    return this.em.transactional(async (tx) => {
      // One driver's checks in turn: two sessions started at once must not both count the same escrow.
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`charge-hold:${userId}`]);
      if (reserveFor) {
        const [held] = await tx.execute<{ amount_micros: string }[]>(
          'select amount_micros from "session"."charge_hold" where key = ?',
          [reserveFor],
        );
        if (held) return { allowed: true, reason: null, message: null, holdMicros, freeMicros: null };
      }
      const [row] = await tx.execute<{ committed: string }[]>(
        `select coalesce((select sum(amount_micros) from "session"."charge_hold"
                           where user_id = ? and released_at is null and created_at > now() - interval '1 day'), 0)
              + coalesce((select sum(cost_micros) from "session"."charging_session"
                           where user_id = ? and status in ('COMPLETED', 'DISPUTED') and currency = ?
                             and coalesce(dispute_resolution, '') <> 'WRITE_OFF'
                             -- a session on a token not Accepted at its start is not the
                             -- owner's to pay unless the operator decides so
                             and (status = 'COMPLETED' or coalesce(token_status, 'ACCEPTED') = 'ACCEPTED')
                             and (settlement_status in ('PENDING', 'SUBMITTED')
                                  -- stopped, not numbered yet (the settlement job follows the stop)
                                  or (settlement_status is null and stopped_at > now() - interval '10 minutes'))
                             and stopped_at > now() - interval '7 days'), 0) as committed`,
        [userId, userId, this.deps.settlementCurrency],
      );
      const freeMicros = Number(escrow.spendableToday) - Number(row!.committed);
      if (freeMicros < holdMicros)
        return refuse(
          'INSUFFICIENT_ESCROW',
          `Your wallet can pay ${freeMicros / 1e6} today after your other sessions; charging here needs a hold of ${holdMicros / 1e6}`,
          freeMicros,
        );
      if (reserveFor)
        await tx.execute(
          `insert into "session"."charge_hold" (key, user_id, amount_micros, created_at) values (?, ?, ?, now())
             on conflict (key) do nothing`,
          [reserveFor, userId, holdMicros],
        );
      return { allowed: true, reason: null, message: null, holdMicros, freeMicros };
    });
  }
}
