import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { Tariff } from '../entities/tariff.entity.js';
import type { SessionContext } from '../context.js';
import { formatMoney } from '../services/money.js';
import { SetTariffInput } from './types/session.types.js';

@Resolver(() => Tariff)
export class TariffResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => Tariff, {
    description: 'Sets the tariff of a station (or of one EVSE). It prices sessions that start from now on.',
  })
  setTariff(@Arg('input') input: SetTariffInput, @Ctx() ctx: SessionContext) {
    return ctx.tariffs.set(ctx.viewer, input);
  }

  @Query(() => [Tariff], { description: 'A station’s tariffs, newest first. Public.' })
  tariffs(@Arg('stationId', () => ID) stationId: string, @Ctx() ctx: SessionContext) {
    return ctx.tariffs.ofStation(stationId);
  }

  @FieldResolver(() => String)
  pricePerKwh(@Root() t: Tariff) {
    return formatMoney(t.perKwhMicros);
  }

  @FieldResolver(() => String)
  pricePerMinute(@Root() t: Tariff) {
    return formatMoney(t.perMinuteMicros);
  }

  @FieldResolver(() => String)
  sessionFee(@Root() t: Tariff) {
    return formatMoney(t.sessionFeeMicros);
  }

  @FieldResolver(() => String)
  idleFeePerMinute(@Root() t: Tariff) {
    return formatMoney(t.idleFeePerMinuteMicros);
  }
}
