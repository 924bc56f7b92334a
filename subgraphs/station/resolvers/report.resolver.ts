import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { requireService } from '../../../lib/subgraph.js';
import type { StationContext } from '../context.js';
import { OutageExclusion, OutageExclusionReason } from '../entities/outage-exclusion.entity.js';
import { Station } from '../entities/station.entity.js';
import { OperatorReport, ReportGranularity, StationReport } from './types/report.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@InputType({
  description:
    'An outage the operator is not responsible for, written down so that uptime excludes it (NEVI).',
})
export class OutageExclusionInput {
  @Field(() => ID, { description: "The station's id." })
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'One charger of the station; omitted: all of them.' })
  chargerId?: string | null;

  @Field(() => Int, { nullable: true, description: 'One EVSE of that charger; omitted: all of it.' })
  evseId?: number | null;

  @Field({ description: 'When the excluded outage began.' })
  startsAt!: Date;

  @Field({ description: 'When it ended; after startsAt.' })
  endsAt!: Date;

  @Field(() => OutageExclusionReason, {
    description: 'Why this downtime does not count against uptime (NEVI’s allowed reasons).',
  })
  reason!: OutageExclusionReason;

  @Field({ description: 'What happened (1–1000 characters): the record an auditor reads.' })
  note!: string;
}

@Resolver()
export class ReportResolver {
  @Authorized(Role.OPERATOR, Role.AUDITOR)
  @Query(() => StationReport, {
    description:
      'A station’s uptime (NEVI count, per connector), utilisation, faults — and, from the session subgraph, sessions, energy and revenue — per period, from the rollups. The station’s operator, admins and auditors.',
  })
  stationReport(
    @Arg('stationId', () => ID, { description: ARG.stationId }) stationId: string,
    @Arg('from', { description: ARG.reportFrom }) from: string,
    @Arg('to', { description: ARG.reportTo }) to: string,
    @Arg('granularity', () => ReportGranularity, {
      description: ARG.granularity,
    })
    granularity: ReportGranularity,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.reports.stationReport(stationId, granularity, from, to);
  }

  @Authorized(Role.OPERATOR, Role.AUDITOR)
  @Query(() => OperatorReport, {
    description:
      'The same figures across an operator’s stations. Operators get their own; admins and auditors name one (operatorId) or get every station.',
  })
  operatorReport(
    @Arg('from', { description: ARG.reportFrom }) from: string,
    @Arg('to', { description: ARG.reportTo }) to: string,
    @Arg('granularity', () => ReportGranularity, {
      description: ARG.granularity,
    })
    granularity: ReportGranularity,
    @Ctx() ctx: StationContext,
    @Arg('operatorId', () => ID, { nullable: true, description: ARG.operatorId })
    operatorId?: string | null,
  ) {
    return ctx.reports.operatorReport(granularity, from, to, operatorId ?? null);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => OutageExclusion, {
    description:
      'Writes down an outage the operator is not responsible for (NEVI exclusions): down time inside it is not held against uptime, and reports from its start on are computed again. Maintenance windows need no record. The station’s operator or an admin.',
  })
  recordOutageExclusion(
    @Arg('input', { description: ARG.input })
    input: OutageExclusionInput,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.reports.recordExclusion(input);
  }
}

@Resolver()
export class ChargingEndedResolver {
  @Directive('@inaccessible')
  @Query(() => Date, {
    nullable: true,
    description:
      'For platform services: when an EVSE last stopped charging within from–to, by its status history (idle fees).',
  })
  async chargingEndedAt(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('evseId', () => Int, { description: ARG.evseId })
    evseId: number,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Ctx() ctx: StationContext,
  ): Promise<Date | null> {
    requireService(ctx.viewer, 'session-subgraph');
    const [row] = await ctx.em.execute<{ at: string | null }[]>(
      `with last_charging as (
         select max(at) as at from "station"."connector_status_event"
          where charger_id = ? and evse_id = ? and status = 'CHARGING' and at >= ? and at <= ?)
       select (select min(e.at) from "station"."connector_status_event" e
                where e.charger_id = ? and e.evse_id = ? and e.status <> 'CHARGING'
                  and e.at > l.at and e.at <= ?) as at
         from last_charging l`,
      [chargerId, evseId, from, to, chargerId, evseId, to],
    );
    return row?.at ? new Date(row.at) : null;
  }
}

@Resolver(() => Station)
export class StationExclusionsResolver {
  @Authorized()
  @FieldResolver(() => [OutageExclusion], {
    description:
      'Recorded outage exclusions overlapping from–to (newest first, at most 200). For the station’s operator, admins and auditors (empty for anyone else).',
  })
  outageExclusions(
    @Root() station: Station,
    @Ctx() ctx: StationContext,
    @Arg('from', () => Date, {
      nullable: true,
      description: 'Only exclusions that end after this; none: no start.',
    })
    from?: Date | null,
    @Arg('to', () => Date, {
      nullable: true,
      description: 'Only exclusions that start before this; none: no end.',
    })
    to?: Date | null,
  ) {
    return ctx.reports.exclusions(station, from, to);
  }
}
