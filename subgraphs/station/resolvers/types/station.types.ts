import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { Charger } from '../../entities/charger.entity.js';
import { ConnectorType } from '../../entities/enums.js';
import { Station } from '../../entities/station.entity.js';

@InputType({ description: 'WGS 84 coordinates: lat in [-90, 90], lng in [-180, 180].' })
export class LocationInput {
  @Field(() => Float, { description: 'Latitude in degrees (−90 to 90).' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude in degrees (−180 to 180).' })
  lng!: number;
}

@InputType({ description: 'A point and a radius: stations within it, nearest first.' })
export class NearInput extends LocationInput {
  @Field(() => Float, { description: 'Search radius in km, up to 500.' })
  radiusKm!: number;
}

@InputType({ description: 'Which stations to return; every filter given must hold.' })
export class StationFilter {
  @Field(() => ConnectorType, { nullable: true, description: 'Only stations with a connector of this type.' })
  connectorType?: ConnectorType;

  @Field(() => Float, {
    nullable: true,
    description: 'Only stations with a connector of at least this power.',
  })
  minPowerKw?: number;

  @Field({ nullable: true, description: 'Only stations with a matching connector that is AVAILABLE now.' })
  availableOnly?: boolean;

  @Field(() => ID, {
    nullable: true,
    description: "Only stations with a connector that one of the caller's vehicles plugs into (signed in).",
  })
  compatibleWith?: string;
}

@InputType({ description: 'A new station: where it is and what it is called.' })
export class CreateStationInput {
  @Field({ description: "The station's name." })
  name!: string;

  @Field({ description: 'Its postal address.' })
  address!: string;

  @Field(() => LocationInput, { description: 'Where it is on the map.' })
  location!: LocationInput;

  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' })
  timezone!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Admins only: the operating account (default: the caller).',
  })
  operatorId?: string;
}

@InputType({ description: 'The fields of a station to change; those left out stay as they are.' })
export class UpdateStationInput {
  @Field({ nullable: true, description: 'A new name; none: unchanged.' })
  name?: string;

  @Field({ nullable: true, description: 'A new address; none: unchanged.' })
  address?: string;

  @Field(() => LocationInput, { nullable: true, description: 'A new location; none: unchanged.' })
  location?: LocationInput;

  @Field({
    nullable: true,
    description:
      'An IANA time zone (e.g. Europe/Berlin) for local days and time-of-use prices; none: unchanged.',
  })
  timezone?: string;
}

@InputType({
  description: 'A connector to add to a charger: its EVSE and connector numbers, type and power.',
})
export class AddConnectorInput {
  @Field(() => Int, { description: 'EVSE number, from 1.' })
  evseId!: number;

  @Field(() => Int, { nullable: true, description: 'Connector number on the EVSE, from 1 (default 1).' })
  connectorId?: number;

  @Field(() => ConnectorType, { description: "The connector's plug type." })
  type!: ConnectorType;

  @Field(() => Float, { description: 'Its maximum power in kW (above 0).' })
  maxPowerKw!: number;
}

@InputType({ description: 'A charger to register at a station: its OCPP identity, protocol and connectors.' })
export class RegisterChargerInput {
  @Field({ description: 'OCPP identity: 1–48 characters of A–Z, a–z, 0–9, ".", "_" and "-".' })
  identity!: string;

  @Field({ nullable: true, description: "The charger's vendor, as it will report in BootNotification." })
  vendor?: string;

  @Field({ nullable: true, description: "The charger's model." })
  model?: string;

  @Field({ nullable: true, description: "The charger's serial number." })
  serialNumber?: string;

  @Field(() => [AddConnectorInput], {
    nullable: true,
    description: 'Its connectors, if known now (they are also learned from the charger).',
  })
  connectors?: AddConnectorInput[];
}

@ObjectType({ description: 'The registered charger and its password for OCPP Basic auth (shown once).' })
export class RegisterChargerPayload {
  @Field(() => Charger, { description: 'The registered charger.' })
  charger!: Charger;

  @Field({
    description:
      'The charger’s OCPP Basic-auth password (security profile 1/2). Shown only here, once; only a hash is stored.',
  })
  password!: string;
}

@ObjectType({ description: 'A page of stations (Relay-style).' })
export class StationConnection extends Connection(Station) {}

@ObjectType({ description: 'For the OCPP bridge: the charger a Basic-auth login belongs to.' })
@Directive('@inaccessible')
export class ChargerAuthentication {
  @Field(() => ID)
  chargerId!: string;

  @Field(() => ID)
  stationId!: string;
}

@ObjectType({ description: 'For platform services: the power an EVSE can deliver.' })
@Directive('@inaccessible')
export class EvsePower {
  @Field(() => Int)
  evseId!: number;

  @Field(() => Float, { description: 'The highest power of its connectors, kW.' })
  maxPowerKw!: number;
}

@ObjectType({ description: 'For platform services: where a charger sits and who operates it.' })
@Directive('@inaccessible')
export class ChargerPlacement {
  @Field(() => ID, { nullable: true, description: 'Null when asked by station.' })
  chargerId!: string | null;

  @Field(() => [EvsePower], {
    description: 'Each EVSE’s highest connector power (empty when asked by station).',
  })
  evsePowers!: EvsePower[];

  @Field(() => ID)
  stationId!: string;

  @Field(() => ID)
  operatorId!: string;

  @Field({ description: 'The station’s IANA time zone.' })
  timezone!: string;
}
