import type { Handler } from '../context.js';

/**
 * 2.0.1 C01 Authorize: the id token's status from the owning service (cached briefly). An accepted
 * token whose owner's escrow cannot cover the minimum hold at this station is answered `NoCredit`
 * (AuthorizationStatusEnumType: "insufficient credit"); `chargingReadiness` tells the driver why.
 */
export const authorize: Handler = async (ctx, params) => {
  const { status, userId } = await ctx.idTokens.authorize(params.idToken.idToken);
  if (status === 'Accepted' && userId && ctx.chargeGuard) {
    const answer = await ctx.chargeGuard.check(ctx.identity, userId, null, null);
    if (!answer.allowed) return { idTokenInfo: { status: 'NoCredit' } };
  }
  return { idTokenInfo: { status } };
};
