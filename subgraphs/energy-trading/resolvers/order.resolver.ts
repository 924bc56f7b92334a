import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import type { EnergyContext } from '../context.js';
import { MarketOrder } from '../entities/order.entity.js';
import { PlaceOrderInput, PriceLevel } from './types/order.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => MarketOrder)
export class OrderResolver {
  @Authorized(Role.HOST, Role.BUYER)
  @Mutation(() => MarketOrder, {
    description:
      'Places an order until gate closure. SELL: HOST with a production or bidirectional meter on the selling site. BUY: a member with a consumption or bidirectional meter and enough free escrow for energyWh × limitPricePerKwh.',
  })
  placeOrder(@Arg('input', { description: ARG.input }) input: PlaceOrderInput, @Ctx() ctx: EnergyContext) {
    return ctx.orders.place(input);
  }

  @Authorized()
  @Mutation(() => MarketOrder, { description: 'Cancels your open order, until gate closure.' })
  cancelOrder(
    @Arg('id', () => ID, { description: "The order's id." }) id: string,
    @Ctx() ctx: EnergyContext,
  ) {
    return ctx.orders.cancel(id);
  }

  @Authorized()
  @Query(() => [MarketOrder], { description: 'Your orders, newest first.' })
  myOrders(
    @Ctx() ctx: EnergyContext,
    @Arg('communityId', () => ID, { nullable: true, description: ARG.communityId })
    communityId?: string,
    @Arg('first', () => Int, {
      defaultValue: 100,
      description: ARG.first,
    })
    first = 100,
  ) {
    return ctx.orders.mine(communityId ?? null, first);
  }

  @Authorized()
  @Query(() => [PriceLevel], {
    description:
      'An interval’s open orders per side and price (members, the operator, auditors, admins): no identities.',
  })
  orderBook(
    @Arg('communityId', () => ID, { description: ARG.communityId }) communityId: string,
    @Arg('intervalStart', { description: ARG.intervalStart }) intervalStart: Date,
    @Ctx() ctx: EnergyContext,
  ) {
    return ctx.orders.book(communityId, intervalStart);
  }
}
