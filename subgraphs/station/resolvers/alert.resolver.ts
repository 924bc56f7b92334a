import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { badInput, notFound } from '../../../lib/errors.js';
import { isUuid } from '../../../lib/ids.js';
import { LIVE_TOPIC, type ChargerAlertLive } from '../../../lib/live-events.js';
import type { StationContext } from '../context.js';
import { ChargerAlert } from '../entities/charger-alert.entity.js';
import { Charger } from '../entities/charger.entity.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** Alerts on a charger, for its station's operator and admins. */
@Resolver(() => Charger)
export class ChargerAlertsResolver {
  @Authorized()
  @FieldResolver(() => [ChargerAlert], {
    description:
      'What the charger reported that fits nowhere else, newest first: statuses for connectors it is not registered with, security events. For the station’s operator and admins.',
  })
  async alerts(
    @Root() charger: Charger,
    @Ctx() ctx: StationContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('unacknowledged', { defaultValue: false, description: 'Only those nobody acknowledged yet.' })
    unacknowledged: boolean,
  ): Promise<ChargerAlert[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first must be 1–100', 'first');
    await ctx.stations.ownedCharger(charger.id);
    return ctx.em.find(
      ChargerAlert,
      { charger: charger.id, ...(unacknowledged ? { acknowledgedAt: null } : {}) },
      { orderBy: { at: 'desc', id: 'desc' }, limit: first },
    );
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => ChargerAlert, {
    description:
      'Marks a charger alert as seen (once; a second time changes nothing). The station’s operator or an admin.',
  })
  async acknowledgeChargerAlert(
    @Arg('id', () => ID, { description: "The alert's id." }) id: string,
    @Ctx() ctx: StationContext,
  ): Promise<ChargerAlert> {
    const alert = isUuid(id) ? await ctx.em.findOne(ChargerAlert, { id }) : null;
    if (!alert) throw notFound('Charger alert', id);
    await ctx.stations.ownedCharger(alert.charger.id);
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = new Date();
      alert.acknowledgedBy = ctx.viewer.userId;
      await ctx.em.flush();
    }
    return alert;
  }
}

@Resolver(() => ChargerAlert)
export class ChargerAlertResolver {
  @FieldResolver(() => ID, { description: 'The charger it concerns.' })
  chargerId(@Root() alert: ChargerAlert): string {
    return alert.charger.id;
  }

  @Authorized()
  @Subscription(() => ChargerAlert, {
    description:
      'Alerts raised by the chargers of one station, or of one charger (give exactly one of the two). For the station’s operator and admins.',
    subscribe: async ({ args, context }) => {
      const { stationId, chargerId } = args as { stationId?: string | null; chargerId?: string | null };
      const ctx = context as StationContext;
      if (!stationId === !chargerId) throw badInput('Give either stationId or chargerId', 'stationId');
      const id = stationId
        ? (await ctx.stations.ownedStation(stationId)).id
        : (await ctx.stations.ownedCharger(chargerId!)).id;
      return ctx.live.subscribe<ChargerAlertLive>(LIVE_TOPIC.chargerAlert, (e) =>
        stationId ? e.stationId === id : e.chargerId === id,
      );
    },
  })
  async chargerAlertRaised(
    @Root() event: ChargerAlertLive,
    @Ctx() ctx: StationContext,
    @Arg('stationId', () => ID, { nullable: true, description: ARG.stationId }) _stationId?: string,
    @Arg('chargerId', () => ID, { nullable: true, description: ARG.chargerId }) _chargerId?: string,
  ): Promise<ChargerAlert> {
    ctx.em.clear();
    return ctx.em.findOneOrFail(ChargerAlert, { id: event.alertId });
  }
}
