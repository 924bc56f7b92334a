import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { Tariff } from '../entities/tariff.entity.js';
import type { SessionContext } from '../context.js';
import { formatMoney } from '../services/money.js';
import { SetTariffInput } from './types/session.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@ObjectType({
  description: 'A time-of-use window: on its weekdays, between start and end local time, its prices apply.',
})
export class TariffWindow {
  @Field({ description: "The window's name (e.g. off-peak)." })
  name!: string;

  @Field(() => [Int], { description: 'ISO weekdays: 1 Monday … 7 Sunday.' })
  days!: number[];

  @Field({ description: 'Local start, "HH:MM".' })
  start!: string;

  @Field({ description: 'Local end, "HH:MM" ("24:00": the end of the day).' })
  end!: string;

  @Field({ description: 'Price per kWh in this window, a decimal.' })
  pricePerKwh!: string;

  @Field({ description: 'Price per minute in this window, a decimal.' })
  pricePerMinute!: string;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

@Resolver(() => Tariff)
export class TariffResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => Tariff, {
    description: 'Sets the tariff of a station (or of one EVSE). It prices sessions that start from now on.',
  })
  setTariff(@Arg('input', { description: ARG.input }) input: SetTariffInput, @Ctx() ctx: SessionContext) {
    return ctx.tariffs.set(ctx.viewer, input);
  }

  @Query(() => [Tariff], { description: 'A station’s tariffs, newest first. Public.' })
  tariffs(
    @Arg('stationId', () => ID, { description: ARG.stationId }) stationId: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.tariffs.ofStation(stationId);
  }

  @FieldResolver(() => String, { description: 'Price per kWh outside time-of-use windows, a decimal.' })
  pricePerKwh(@Root() t: Tariff) {
    return formatMoney(t.perKwhMicros);
  }

  @FieldResolver(() => String, { description: 'Price per minute outside time-of-use windows, a decimal.' })
  pricePerMinute(@Root() t: Tariff) {
    return formatMoney(t.perMinuteMicros);
  }

  @FieldResolver(() => String, { description: 'Fixed fee per session, a decimal.' })
  sessionFee(@Root() t: Tariff) {
    return formatMoney(t.sessionFeeMicros);
  }

  @FieldResolver(() => String, { description: 'Idle fee per minute after the grace period, a decimal.' })
  idleFeePerMinute(@Root() t: Tariff) {
    return formatMoney(t.idleFeePerMinuteMicros);
  }

  @FieldResolver(() => [TariffWindow], { description: 'Time-of-use windows, in the station’s local time.' })
  windows(@Root() t: Tariff): TariffWindow[] {
    return (t.windows ?? []).map((w) => ({
      name: w.name,
      days: w.days,
      start: hhmm(w.start),
      end: hhmm(w.end),
      pricePerKwh: formatMoney(w.perKwhMicros),
      pricePerMinute: formatMoney(w.perMinuteMicros),
    }));
  }

  @FieldResolver(() => String, { nullable: true, description: 'The most one session costs; null: no cap.' })
  maxSessionCost(@Root() t: Tariff): string | null {
    return t.maxCostMicros == null ? null : formatMoney(t.maxCostMicros);
  }
}
