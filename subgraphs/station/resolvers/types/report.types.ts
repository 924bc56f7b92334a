import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Station } from '../../entities/station.entity.js';

export { ReportGranularity } from '../../../../lib/report-granularity.js';
import { ReportGranularity } from '../../../../lib/report-granularity.js';

@ObjectType({ description: 'Faults reported in a bucket under one OCPP error code.' })
export class FaultCount {
  @Field({ description: 'The OCPP error code reported.' })
  errorCode!: string;

  @Field(() => Int, { description: 'How many times it was reported.' })
  count!: number;
}

@ObjectType({ description: 'One connector’s uptime (NEVI count) and use.' })
export class PortUptime {
  @Field(() => ID, { description: 'The charger.' })
  chargerId!: string;

  @Field(() => Int, { description: 'The EVSE, by its number on the charger.' })
  evseId!: number;

  @Field(() => Int, { description: 'The connector, by its number on the EVSE.' })
  connectorId!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      '(T − (T_outage − T_excluded)) / T, 0–1, T being the time its status was known; null: never reported.',
  })
  uptime!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of T with a vehicle plugged in, 0–1.' })
  utilisation!: number | null;

  @Field(() => Float, { description: 'Minutes down (UNAVAILABLE or FAULTED, its own or its charger’s).' })
  downtimeMinutes!: number;

  @Field(() => Float, {
    description: 'Of those, minutes inside recorded exclusions or maintenance windows (not held against it).',
  })
  excludedDowntimeMinutes!: number;

  @Field({ description: 'Whether uptime reaches the report’s target (97 %, the NEVI rule’s).' })
  meetsTarget!: boolean;
}

@ObjectType({
  description:
    'One period of a report: status figures from the station subgraph, session figures from the session subgraph. Figures are sums over the report’s ports and stations; ratios are of the sums.',
})
@Directive('@key(fields: "id")')
export class ReportBucket {
  @Field(() => ID, { description: 'The report’s scope, granularity and period.' })
  id!: string;

  @Field({
    description: 'The period: an hour as a UTC ISO instant, a day YYYY-MM-DD or a month YYYY-MM (local).',
  })
  period!: string;

  @Field(() => Float, {
    nullable: true,
    description: 'NEVI uptime of the ports together, 0–1; null: no status known.',
  })
  uptime!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of connector-hours occupied (a vehicle plugged in), 0–1.',
  })
  utilisation!: number | null;

  @Field(() => Float, { description: 'Connector-hours with a known status.' })
  observedPortHours!: number;

  @Field(() => Float, { description: 'Connector-minutes down (UNAVAILABLE or FAULTED).' })
  downtimeMinutes!: number;

  @Field(() => Float, { description: 'Down time not held against the operator: exclusions and maintenance.' })
  excludedDowntimeMinutes!: number;

  @Field(() => Float, { description: 'Down time inside maintenance windows (part of the excluded time).' })
  plannedMaintenanceMinutes!: number;

  @Field(() => [FaultCount], { description: 'Faults reported, by error code.' })
  faults!: FaultCount[];

  @Field(() => [PortUptime], { nullable: true, description: 'Per connector (station reports only).' })
  ports!: PortUptime[] | null;
}

@ObjectType({ description: "A station's report: per bucket and per port, from the rollups." })
export class StationReport {
  @Field(() => Station, { description: 'The station.' })
  station!: Station;

  @Field(() => ReportGranularity, { description: 'The size of each bucket.' })
  granularity!: ReportGranularity;

  @Field({ description: 'The first period, as asked.' })
  from!: string;

  @Field({ description: 'The end (exclusive), as asked.' })
  to!: string;

  @Field({ description: 'The time zone DAY and MONTH buckets follow (the station’s).' })
  timezone!: string;

  @Field(() => Date, {
    nullable: true,
    description:
      'Status figures are final up to this hour (the rollup job’s mark); the hour in progress shows as far as the job’s last pass (REPORT_ROLLUP_MS). Null: no status reported yet.',
  })
  rolledUpTo!: Date | null;

  @Field(() => Float, { description: 'The uptime target ports are held to (0.97).' })
  uptimeTarget!: number;

  @Field(() => [PortUptime], { description: 'Each connector over the whole period.' })
  ports!: PortUptime[];

  @Field(() => [ReportBucket], { description: 'Every period from `from` to `to`, empty ones included.' })
  buckets!: ReportBucket[];
}

@ObjectType({ description: 'One station over an operator report’s whole period.' })
export class StationUptime {
  @Field(() => Station, { description: 'The station.' })
  station!: Station;

  @Field(() => Float, {
    nullable: true,
    description: 'NEVI uptime of its ports together, 0–1; null: no status known.',
  })
  uptime!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of connector-hours occupied, 0–1.' })
  utilisation!: number | null;

  @Field(() => Float, { description: 'Connector-minutes down.' })
  downtimeMinutes!: number;

  @Field({ description: 'Whether uptime reaches the report’s uptimeTarget.' })
  meetsTarget!: boolean;
}

@ObjectType({
  description: "An operator's report across its stations: per bucket, and each station's uptime.",
})
export class OperatorReport {
  @Field(() => ID, {
    nullable: true,
    description: 'The operator; null: every operator (admins and auditors).',
  })
  operatorId!: string | null;

  @Field(() => ReportGranularity, { description: 'The size of each bucket.' })
  granularity!: ReportGranularity;

  @Field({ description: 'The first period, as asked.' })
  from!: string;

  @Field({ description: 'The end (exclusive), as asked.' })
  to!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'Status figures are final up to this hour for every station (see StationReport.rolledUpTo).',
  })
  rolledUpTo!: Date | null;

  @Field(() => Float, { description: 'The uptime each station should reach, 0–1 (NEVI: 0.97).' })
  uptimeTarget!: number;

  @Field(() => [StationUptime], { description: 'Each station over the whole period, lowest uptime first.' })
  stations!: StationUptime[];

  @Field(() => [ReportBucket], {
    description:
      'Every period from `from` to `to`. DAY and MONTH buckets add each station’s local day or month of that date.',
  })
  buckets!: ReportBucket[];
}
