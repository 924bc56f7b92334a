import type { Handler } from '../context.js';

/** 1.6 §4.1 Authorize: the id tag's status from the owning service (cached briefly). */
export const authorize: Handler = async (ctx, params) => {
  const { status } = await ctx.idTokens.authorize(params.idTag);
  return { idTagInfo: { status } };
};
