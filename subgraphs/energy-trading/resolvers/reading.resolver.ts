import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { AppError, badInput, ErrorCode } from '../../../lib/errors.js';
import { isUuid } from '../../../lib/ids.js';
import type { EnergyContext } from '../context.js';
import { ReadingResolution } from '../entities/enums.js';
import { Meter } from '../entities/meter.entity.js';
import { hashDeviceKey } from '../services/device-keys.js';
import { MAX_POINTS, readingsOf } from '../services/reading-queries.js';
import { MeterReadingInput, ReadingPoint, ReadingsReceipt } from './types/reading.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

export const MAX_READINGS_PER_CALL = 1000;

const badKey = () =>
  new AppError(
    ErrorCode.UNAUTHENTICATED,
    'Meters authenticate with their device key in the x-meter-key header',
  );

@Resolver()
export class ReadingResolver {
  @Mutation(() => ReadingsReceipt, {
    description:
      'A meter’s readings (at most 1,000), authenticated by its device key (header x-meter-key), never by a user’s token. Idempotent per timestamp; each bad reading is rejected with its reason and the rest kept.',
  })
  async submitMeterReadings(
    @Arg('meterId', () => ID, { description: ARG.meterId }) meterId: string,
    @Arg('readings', () => [MeterReadingInput], {
      description: 'The readings, at most 1000; each is accepted or rejected with a reason on its own.',
    })
    readings: MeterReadingInput[],
    @Ctx() ctx: EnergyContext,
  ): Promise<ReadingsReceipt> {
    if (!ctx.deviceKey || !isUuid(meterId)) throw badKey();
    const meter = await ctx.em.findOne(Meter, { id: meterId, keyHash: hashDeviceKey(ctx.deviceKey) });
    if (!meter) throw badKey();
    if (readings.length === 0 || readings.length > MAX_READINGS_PER_CALL)
      throw badInput(`readings must hold 1 to ${MAX_READINGS_PER_CALL} readings`, 'readings');
    const outcomes = await ctx.ingest(
      readings.map((r) => ({
        meterId: meter.id,
        ts: r.timestamp.getTime(),
        importWh: r.importWh,
        exportWh: r.exportWh,
      })),
    );
    const receipt: ReadingsReceipt = { accepted: 0, duplicates: 0, late: 0, rejected: [] };
    outcomes.forEach((o, index) => {
      if (o.status === 'ACCEPTED') {
        receipt.accepted++;
        if (o.late) receipt.late++;
      } else if (o.status === 'DUPLICATE') receipt.duplicates++;
      else {
        const ts = readings[index]!.timestamp;
        receipt.rejected.push({
          index,
          timestamp: Number.isFinite(ts.getTime()) ? ts.toISOString() : null,
          reason: o.reason,
        });
      }
    });
    return receipt;
  }

  @Authorized()
  @Query(() => [ReadingPoint], {
    description: `A meter’s readings in [from, to) (at most ${MAX_POINTS} points): for the site’s owners, the market’s operator, auditors and admins.`,
  })
  async meterReadings(
    @Arg('meterId', () => ID, { description: ARG.meterId }) meterId: string,
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Arg('resolution', () => ReadingResolution, {
      defaultValue: ReadingResolution.INTERVAL,
      description: 'RAW registers as submitted, or the energy per INTERVAL, HOUR or DAY.',
    })
    resolution: ReadingResolution,
    @Ctx() ctx: EnergyContext,
  ) {
    if (!(to.getTime() > from.getTime())) throw badInput('to must be after from', 'to');
    const meter = await ctx.sites.meter(meterId);
    const site = await ctx.sites.site(meter.siteId);
    const community = await ctx.communities.get(site.communityId);
    return readingsOf(ctx.pool, { meterId: meter.id, from, to, resolution, timezone: community.timezone });
  }
}
