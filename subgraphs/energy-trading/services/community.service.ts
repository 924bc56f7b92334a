import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Viewer } from '../../../lib/auth.js';
import { notFound, parseInput } from '../../../lib/errors.js';
import { entityId } from '../../../lib/ids.js';
import { Community } from '../entities/community.entity.js';
import type { CreateCommunityInput } from '../resolvers/types/community.types.js';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const communitySchema = (minIntervalMinutes: number) =>
  z
    .object({
      name: z.string().trim().min(1, 'name is required').max(100),
      timezone: z.string().refine(isTimeZone, 'timezone must be an IANA time zone'),
      intervalMinutes: z
        .number()
        .int()
        .min(minIntervalMinutes, `intervalMinutes must be at least ${minIntervalMinutes}`)
        .max(60)
        .refine((m) => 60 % m === 0, 'intervalMinutes must divide an hour')
        .default(15),
      gateClosureMinutes: z.number().int().min(0).max(60).default(5),
      priceFloorPerKwh: z.number().int().min(0),
      priceCapPerKwh: z.number().int().min(0).max(1_000_000_000),
      feeBps: z
        .number()
        .int()
        .min(0)
        .max(1000, 'feeBps must be at most 1,000 (10 %, the settlement contract’s MAX_FEE_BPS)')
        .default(0),
    })
    .refine((c) => c.priceCapPerKwh >= c.priceFloorPerKwh, {
      message: 'priceCapPerKwh must be at least priceFloorPerKwh',
      path: ['priceCapPerKwh'],
    });

/** Communities: the local markets. An operator runs each one. */
export class CommunityService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    /** 5 in production; 1 elsewhere, for demos and tests. */
    private readonly minIntervalMinutes = 5,
  ) {}

  async create(input: CreateCommunityInput): Promise<Community> {
    const data = parseInput(communitySchema(this.minIntervalMinutes), {
      ...input,
      intervalMinutes: input.intervalMinutes ?? undefined,
      gateClosureMinutes: input.gateClosureMinutes ?? undefined,
      feeBps: input.feeBps ?? undefined,
    });
    const community = this.em.create(Community, { ...data, operatorId: this.viewer.userId! });
    await this.em.flush();
    return community;
  }

  list(): Promise<Community[]> {
    return this.em.find(Community, {}, { orderBy: { name: 'asc', id: 'asc' }, limit: 100 });
  }

  async get(id: string): Promise<Community> {
    const community = await this.em.findOne(Community, { id: entityId(id, 'Community') });
    if (!community) throw notFound('Community', id);
    return community;
  }
}
