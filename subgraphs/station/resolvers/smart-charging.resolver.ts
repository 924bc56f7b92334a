import { Arg, Authorized, Ctx, Field, Float, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { badInput } from '../../../lib/errors.js';
import type { StationContext } from '../context.js';
import { evse } from './command.resolver.js';
import { Station } from '../entities/station.entity.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@ObjectType({ description: 'One period of a charging schedule.' })
export class SchedulePeriod {
  @Field(() => Int, { description: 'Seconds from the schedule’s start.' })
  startPeriod!: number;

  @Field(() => Float, { description: 'The most power from then on, W.' })
  limitW!: number;
}

@ObjectType({ description: 'What a charger says it will allow on an EVSE (GetCompositeSchedule).' })
export class CompositeSchedule {
  @Field({ description: 'The charger’s answer: Accepted or Rejected.' })
  status!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When the schedule starts; null: the charger gave none.',
  })
  scheduleStart!: Date | null;

  @Field(() => [SchedulePeriod], { description: 'The power limits, each from its start offset.' })
  periods!: SchedulePeriod[];
}

/** Smart charging: a station's power limit shared through charging profiles, and the profile commands. */
@Resolver()
export class SmartChargingResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => Station, {
    description:
      'Sets (or, with null, removes) the most power the station’s chargers may draw together, kW. It is shared among the EVSEs at once and again whenever one starts or stops being used: TxDefaultProfile charging profiles (1.6 and 2.0.1 SetChargingProfile, in W); removing it clears them. Each connector’s `powerLimitW` shows its accepted share. The station’s operator or an admin.',
  })
  async setStationPowerLimit(
    @Arg('stationId', () => ID, { description: ARG.stationId }) stationId: string,
    @Arg('limitKw', () => Float, {
      nullable: true,
      description: "The station's power limit in kW, shared by its chargers; null: none.",
    })
    limitKw: number | null,
    @Ctx() ctx: StationContext,
  ): Promise<Station> {
    if (limitKw != null && !(Number.isFinite(limitKw) && limitKw >= 1 && limitKw <= 100_000))
      throw badInput('limitKw must be between 1 and 100000 (or null)', 'limitKw');
    const station = await ctx.stations.ownedStation(stationId);
    station.powerLimitKw = limitKw;
    await ctx.em.flush();
    ctx.smart.limitChanged(station.id, limitKw != null);
    await ctx.smart.reshare(station.id);
    return station;
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => String, {
    description:
      'Clears the platform’s charging profiles on one EVSE, or on every EVSE without evseId (ClearChargingProfile); returns the charger’s answer (Accepted, Unknown). A station limit sends them again at its next sharing.',
  })
  async clearChargingProfile(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Ctx() ctx: StationContext,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number | null,
  ): Promise<string> {
    const charger = await ctx.stations.ownedCharger(chargerId);
    const result = await ctx.commands.send(charger.identity, {
      type: 'clearChargingProfile',
      evseId: evseId == null ? null : evse(evseId, 'evseId'),
    });
    return result.status;
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CompositeSchedule, {
    description:
      'Asks the charger what it will allow on an EVSE over the next `durationSeconds` (GetCompositeSchedule, in W).',
  })
  async getCompositeSchedule(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('evseId', () => Int, { description: ARG.evseId })
    evseId: number,
    @Ctx() ctx: StationContext,
    @Arg('durationSeconds', () => Int, {
      defaultValue: 3600,
      description: 'How far ahead the schedule reaches, in seconds from now.',
    })
    durationSeconds: number,
  ): Promise<CompositeSchedule> {
    if (!Number.isInteger(durationSeconds) || durationSeconds < 1 || durationSeconds > 86_400)
      throw badInput('durationSeconds must be between 1 and 86400', 'durationSeconds');
    const charger = await ctx.stations.ownedCharger(chargerId);
    const result = await ctx.commands.send(charger.identity, {
      type: 'getCompositeSchedule',
      evseId: evse(evseId, 'evseId'),
      durationSeconds,
    });
    return {
      status: result.status,
      scheduleStart: result.schedule?.scheduleStart ? new Date(result.schedule.scheduleStart) : null,
      periods: result.schedule?.periods ?? [],
    };
  }
}
