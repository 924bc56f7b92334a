import type { Handler } from '../context.js';

/**
 * 1.6 §4.1 Authorize: the id tag's status from the owning service (cached briefly). An accepted tag
 * whose owner's escrow cannot cover the minimum hold at this charger is answered `Blocked` (1.6 has no
 * NoCredit: "not allowed for charging"); `chargingReadiness` tells the driver why.
 */
export const authorize: Handler = async (ctx, params) => {
  const { status, userId } = await ctx.idTokens.authorize(params.idTag);
  if (status === 'Accepted' && userId && ctx.chargeGuard) {
    const answer = await ctx.chargeGuard.check(ctx.identity, userId, null, null);
    if (!answer.allowed) return { idTagInfo: { status: 'Blocked' } };
  }
  return { idTagInfo: { status } };
};
