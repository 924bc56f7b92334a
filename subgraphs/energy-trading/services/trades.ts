import type { EntityManager } from '@mikro-orm/postgresql';
import { SiteShare } from '../entities/site.entity.js';
import { Trade } from '../entities/trade.entity.js';
import { inputId } from '../../../lib/ids.js';

/** A user's trades: bought, sold, or sold from a site they hold a share of; newest first. */
export async function tradesOf(em: EntityManager, userId: string, communityId: string | null, first: number) {
  const shares = await em.find(SiteShare, { userId });
  return em.find(
    Trade,
    {
      $or: [
        { buyerId: userId },
        { sellerId: userId },
        { sellerSiteId: { $in: shares.map((s) => s.siteId) } },
      ],
      ...(communityId ? { communityId: inputId(communityId, 'communityId') } : {}),
    },
    { orderBy: { intervalStart: 'desc', id: 'asc' }, limit: Math.min(Math.max(first, 1), 500) },
  );
}
