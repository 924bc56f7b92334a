import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChainReader } from '../../../lib/chain/reader.js';
import type { UserServiceClient } from '../../../lib/service-clients/user.js';

/** How long a buyer's escrow read from the chain is reused. */
export const ESCROW_CACHE_MS = 10_000;

/**
 * A buyer's standing for a new bid. `free`: what the chain says may still be settled today from the
 * buyer's first linked wallet (PaymentLedger `limitsOf(..).spendableToday`: min(escrow, daily limit
 * less what was settled today); 0 without a wallet), cached for
 * ESCROW_CACHE_MS. `held`: what the buyer's open bids may still cost (`bidHold` each) plus what
 * their trades owe and are not paid yet (the delivered gross once delivery is checked, else the
 * matched gross). A trade stops being held once its settlement is CONFIRMED on chain.
 */
export class EscrowBook {
  private readonly cache = new Map<string, { free: number; until: number }>();

  constructor(
    private readonly users: UserServiceClient,
    private readonly chain: ChainReader,
  ) {}

  async free(userId: string): Promise<number> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.free;
    const [wallet] = await this.users.primaryWallets([userId]);
    const free = wallet ? Number((await this.chain.limitsOf(wallet.address)).spendableToday) : 0;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(userId, { free, until: Date.now() + ESCROW_CACHE_MS });
    return free;
  }

  async held(em: EntityManager, userId: string): Promise<number> {
    const [row] = (await em.execute(
      `select
         coalesce((select sum(ceil(energy_wh::numeric * limit_price_per_kwh / 1000)) from "market"."order" o
                    where user_id = ? and side = 'BUY' and status = 'OPEN'
                      and not exists (select 1 from "market"."clearing" k
                                       where k.community_id = o.community_id and k.interval_start = o.interval_start)), 0)
       + coalesce((select sum(coalesce(delivered_gross_amount, gross_amount)) from "market"."trade"
                    where buyer_id = ? and settlement_status is distinct from 'CONFIRMED'), 0) as held`,
      [userId, userId],
    )) as { held: string }[];
    return Number(row!.held);
  }

  async standing(em: EntityManager, userId: string) {
    const [free, held] = await Promise.all([this.free(userId), this.held(em, userId)]);
    return { free, held };
  }
}
