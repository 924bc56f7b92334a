import type { Handler } from '../context.js';

/** 2.0.1 C01 Authorize: the id token's status from the owning service (cached briefly). */
export const authorize: Handler = async (ctx, params) => {
  const { status } = await ctx.idTokens.authorize(params.idToken.idToken);
  return { idTokenInfo: { status } };
};
