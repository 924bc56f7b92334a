import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ChargerStatus } from '../../entities/enums.js';

@ObjectType({
  description:
    'A status a charger has just reported: of the charger as a whole (`evseId` 0) or of one of its connectors. Delivered as the charger reports it, before it is stored: the charger and connector fields are as stored at that moment, and may still show the previous status.',
})
export class ChargerStatusEvent {
  @Field(() => ID, { description: 'The charger whose status changed.' })
  chargerId!: string;

  @Field(() => ID, { description: 'Its station.' })
  stationId!: string;

  @Field(() => Int, { description: '0: the charger as a whole.' })
  evseId!: number;

  @Field(() => Int, { description: '0: the charger or the whole EVSE.' })
  connectorId!: number;

  @Field(() => ChargerStatus, { description: 'The new status.' })
  status!: ChargerStatus;

  @Field({ description: 'When the charger says the status began.' })
  at!: Date;
}
