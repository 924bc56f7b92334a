import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import type { StationContext } from '../context.js';
import { Charger } from '../entities/charger.entity.js';
import { MaintenanceWindow } from '../entities/maintenance-window.entity.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => MaintenanceWindow)
export class MaintenanceResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => MaintenanceWindow, {
    description:
      'Schedules planned downtime of a charger, or of one EVSE (at most 31 days): at `startsAt` it is set Inoperative (ChangeAvailability), at `endsAt` Operative again; reservations overlapping it are refused. CONFLICT when it overlaps another window. The station’s operator or an admin.',
  })
  scheduleMaintenance(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('startsAt', { description: 'When it starts (the charger is made Inoperative).' }) startsAt: Date,
    @Arg('endsAt', { description: 'When it ends (the charger is made Operative again); after startsAt.' })
    endsAt: Date,
    @Arg('reason', { description: 'Why, for the record and the operator’s reports.' }) reason: string,
    @Ctx() ctx: StationContext,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number | null,
  ) {
    return ctx.maintenance.schedule(chargerId, evseId ?? null, startsAt, endsAt, reason);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => MaintenanceWindow, {
    description:
      'Cancels a SCHEDULED window, or ends an ACTIVE one now (the charger is told Operative). CONFLICT when it is over.',
  })
  cancelMaintenance(
    @Arg('id', () => ID, { description: "The maintenance window's id." }) id: string,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.maintenance.cancel(id);
  }

  @FieldResolver(() => ID, { description: 'The charger it takes out of service.' })
  chargerId(@Root() window: MaintenanceWindow): string {
    return window.charger.id;
  }
}

@Resolver(() => Charger)
export class ChargerMaintenanceResolver {
  @Authorized()
  @FieldResolver(() => [MaintenanceWindow], {
    description:
      'Maintenance windows not over yet, then the last ten that are, with the charger’s answers. For the station’s operator and admins (empty for anyone else).',
  })
  maintenanceWindows(@Root() charger: Charger, @Ctx() ctx: StationContext) {
    return ctx.maintenance.ofCharger(charger);
  }
}
