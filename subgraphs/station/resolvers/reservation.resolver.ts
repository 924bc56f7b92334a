import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { requirePerson } from '../../../lib/subgraph.js';
import type { StationContext } from '../context.js';
import { Charger } from '../entities/charger.entity.js';
import { Reservation, ReservationStatus } from '../entities/reservation.entity.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Reservation)
export class ReservationResolver {
  @Authorized()
  @Mutation(() => Reservation, {
    description:
      'Holds an EVSE for one of your id tokens until `expiresAt` (at most a day): the charger is asked (ReserveNow) and the reservation is ACTIVE when it accepts, REJECTED with its answer (Occupied, Faulted, Unavailable, Rejected) when not. Other drivers’ starts on the EVSE are refused meanwhile. CONFLICT when the EVSE is already reserved.',
  })
  reserveConnector(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('evseId', () => Int, { description: ARG.evseId })
    evseId: number,
    @Arg('expiresAt', { description: ARG.expiresAt }) expiresAt: Date,
    @Arg('idToken', { description: ARG.idToken })
    idToken: string,
    @Ctx() ctx: StationContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.reservations.reserve(chargerId, evseId, expiresAt, idToken);
  }

  @Authorized()
  @Mutation(() => Reservation, {
    description:
      'Cancels a PENDING or ACTIVE reservation (CancelReservation): its driver, the station’s operator, or an admin. CONFLICT when it is no longer current.',
  })
  cancelReservation(
    @Arg('id', () => ID, { description: "The reservation's id." }) id: string,
    @Ctx() ctx: StationContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.reservations.cancel(id);
  }

  @FieldResolver(() => ReservationStatus, { description: 'ACTIVE past its expiry reads EXPIRED.' })
  status(@Root() reservation: Reservation): ReservationStatus {
    return reservation.statusAt(new Date());
  }

  @FieldResolver(() => Charger, { description: 'The charger.' })
  charger(@Root() reservation: Reservation, @Ctx() ctx: StationContext) {
    return ctx.stations.charger(reservation.charger.id);
  }
}

@Resolver(() => Charger)
export class ChargerReservationsResolver {
  @Authorized()
  @FieldResolver(() => [Reservation], {
    description:
      'Reservations in force on the charger: all of them for its station’s operator and admins, your own for anyone else.',
  })
  reservations(@Root() charger: Charger, @Ctx() ctx: StationContext) {
    return ctx.reservations.current(charger);
  }
}
