import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import type { StationContext } from './context.js';
import { Charger } from './entities/charger.entity.js';
import { ChargerAlertResolver, ChargerAlertsResolver } from './resolvers/alert.resolver.js';
import { MessageLogResolver } from './resolvers/message-log.resolver.js';
import { ChargerReservationsResolver, ReservationResolver } from './resolvers/reservation.resolver.js';
import { SmartChargingResolver } from './resolvers/smart-charging.resolver.js';
import { LocalListResolver } from './resolvers/local-list.resolver.js';
import { ChargerMaintenanceResolver, MaintenanceResolver } from './resolvers/maintenance.resolver.js';
import { Station } from './entities/station.entity.js';
import { User } from './entities/user.reference.js';
import { CommandResolver } from './resolvers/command.resolver.js';
import { LiveStatusResolver } from './resolvers/live.resolver.js';
import { ChargerResolver } from './resolvers/charger.resolver.js';
import { OperatorStationsResolver } from './resolvers/operator-stations.resolver.js';
import { StationResolver } from './resolvers/station.resolver.js';
import {
  ChargingEndedResolver,
  ReportResolver,
  StationExclusionsResolver,
} from './resolvers/report.resolver.js';

/** The station subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildStationSchema() {
  return buildFederatedSchema(
    {
      resolvers: [
        StationResolver,
        ChargerResolver,
        OperatorStationsResolver,
        CommandResolver,
        LiveStatusResolver,
        ChargerAlertsResolver,
        ChargerAlertResolver,
        MessageLogResolver,
        ReservationResolver,
        ChargerReservationsResolver,
        SmartChargingResolver,
        LocalListResolver,
        MaintenanceResolver,
        ChargerMaintenanceResolver,
        ReportResolver,
        StationExclusionsResolver,
        ChargingEndedResolver,
      ],
      orphanedTypes: [User],
    },
    {
      User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
      Station: {
        __resolveReference: (ref: { id: string }, ctx: StationContext) =>
          ctx.em.findOne(Station, { id: ref.id }),
      },
      Charger: {
        __resolveReference: (ref: { id: string }, ctx: StationContext) =>
          ctx.em.findOne(Charger, { id: ref.id }),
      },
    },
  );
}
