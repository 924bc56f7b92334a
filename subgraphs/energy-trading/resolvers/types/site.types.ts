import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Meter } from '../../entities/meter.entity.js';

@InputType({ description: 'A co-owner of a site and their share of its proceeds.' })
export class CoOwnerInput {
  @Field(() => ID, { description: "The co-owner's account id." })
  userId!: string;

  @Field(() => Int, { description: 'Basis points; all of a site’s shares sum to 10,000.' })
  shareBps!: number;
}

@InputType({ description: 'A new site in a community you are a member of.' })
export class CreateSiteInput {
  @Field(() => ID, { description: 'The community the site trades in (you must be a member).' })
  communityId!: string;

  @Field({ description: "The site's name." })
  name!: string;

  @Field(() => Float, { description: 'Latitude in degrees (−90 to 90).' })
  latitude!: number;

  @Field(() => Float, { description: 'Longitude in degrees (−180 to 180).' })
  longitude!: number;

  @Field(() => Int, { description: 'Installed PV capacity, Wp (0 for a consumer).' })
  pvCapacityWp!: number;

  @Field(() => Int, { nullable: true, description: 'Battery capacity, Wh.' })
  batteryWh?: number | null;

  @Field(() => [CoOwnerInput], {
    nullable: true,
    description: 'Shares of the proceeds (investors); without them the owner holds them all.',
  })
  coOwners?: CoOwnerInput[] | null;
}

@ObjectType({ description: 'A meter and its device key: shown this once, never again.' })
export class MeterWithKey {
  @Field(() => Meter, { description: 'The registered meter.' })
  meter!: Meter;

  @Field({
    description:
      'The device key. GraphQL: send it as the x-meter-key header. MQTT: sign each body with HMAC-SHA256 under the hex SHA-256 of this key.',
  })
  deviceKey!: string;
}
