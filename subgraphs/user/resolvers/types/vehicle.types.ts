import { Field, InputType, Int } from 'type-graphql';
import { ConnectorType } from '../../../../lib/connector-types.js';

@InputType({ description: 'A vehicle. Energy in Wh, power in W.' })
export class AddVehicleInput {
  @Field({ description: 'Make, e.g. "Renault".' })
  make!: string;

  @Field({ description: 'Model, e.g. "Zoe".' })
  model!: string;

  @Field(() => Int, { description: 'Usable battery capacity, Wh (1,000–500,000).' })
  batteryWh!: number;

  @Field(() => [ConnectorType], { description: 'The plug types it can charge with.' })
  connectorTypes!: ConnectorType[];

  @Field(() => Int, { description: 'Highest AC charging power, W.' })
  maxAcPowerW!: number;

  @Field(() => Int, { nullable: true, description: 'Highest DC charging power, W; omit for no DC.' })
  maxDcPowerW?: number | null;
}
