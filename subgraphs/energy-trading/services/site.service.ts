import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, conflict, forbidden, notFound, parseInput } from '../../../lib/errors.js';
import { entityId, inputId, isUniqueViolation } from '../../../lib/ids.js';
import { Community } from '../entities/community.entity.js';
import { Membership } from '../entities/membership.entity.js';
import { Meter } from '../entities/meter.entity.js';
import { Site, SiteShare } from '../entities/site.entity.js';
import type { MeterKind } from '../entities/enums.js';
import type { CreateSiteInput } from '../resolvers/types/site.types.js';
import { hashDeviceKey, newDeviceKey } from './device-keys.js';

const BPS = 10_000;

const siteSchema = z.object({
  communityId: z.string(),
  name: z.string().trim().min(1, 'name is required').max(100),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  pvCapacityWp: z.number().int().min(0).max(100_000_000),
  batteryWh: z.number().int().min(0).max(1_000_000_000).nullish(),
  coOwners: z
    .array(z.object({ userId: z.string(), shareBps: z.number().int().min(1).max(BPS) }))
    .max(100)
    .nullish()
    .refine((s) => !s?.length || s.reduce((sum, o) => sum + o.shareBps, 0) === BPS, {
      message: 'co-owner shares must sum to 10,000 basis points',
    })
    .refine((s) => !s || new Set(s.map((o) => o.userId)).size === s.length, {
      message: 'each co-owner may appear once',
    }),
});

/** Who may see a site, its meters and their readings: its owners, the market's operator, auditors, admins. */
export function maySeeSite(viewer: Viewer, site: Site, community: Community, shares: SiteShare[]): boolean {
  if (hasRole(viewer, Role.ADMIN, Role.AUDITOR)) return true;
  if (!viewer.userId) return false;
  return (
    site.ownerId === viewer.userId ||
    community.operatorId === viewer.userId ||
    shares.some((s) => s.userId === viewer.userId)
  );
}

/** Membership, sites (with co-owner shares) and meters (with their device keys). */
export class SiteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private async community(id: string) {
    const community = await this.em.findOne(Community, { id: inputId(id, 'communityId') });
    if (!community) throw notFound('Community', id);
    return community;
  }

  /**
   * Joins a market with its invite code (the operator hands it out: `Community.inviteCode`).
   * Joining twice changes nothing.
   */
  async join(inviteCode: string): Promise<Community> {
    const community = await this.em.findOne(Community, { inviteCode: inviteCode.trim() });
    if (!community) throw badInput('no community has this invite code', 'inviteCode');
    const userId = this.viewer.userId!;
    if (!(await this.em.findOne(Membership, { communityId: community.id, userId }))) {
      this.em.create(Membership, { communityId: community.id, userId });
      await this.em.flush();
    }
    return community;
  }

  isMember(communityId: string, userId: string) {
    return this.em.count(Membership, { communityId, userId }).then((n) => n > 0);
  }

  async createSite(input: CreateSiteInput): Promise<Site> {
    const data = parseInput(siteSchema, input);
    const community = await this.community(data.communityId);
    const owner = this.viewer.userId!;
    if (!(await this.isMember(community.id, owner)))
      throw forbidden('Join the community (its invite code) before you add a site to it');
    for (const o of data.coOwners ?? []) inputId(o.userId, 'coOwners.userId');
    return this.em.transactional(async (tx) => {
      const site = tx.create(Site, {
        communityId: community.id,
        ownerId: owner,
        name: data.name,
        latitude: data.latitude,
        longitude: data.longitude,
        pvCapacityWp: data.pvCapacityWp,
        batteryWh: data.batteryWh ?? null,
      });
      // The site's row first: its shares reference it, and no ORM relation orders the two inserts.
      await tx.flush();
      for (const o of data.coOwners ?? [])
        tx.create(SiteShare, { siteId: site.id, userId: o.userId, shareBps: o.shareBps });
      await tx.flush();
      return site;
    });
  }

  /** A site the viewer may see (maySeeSite), else NOT_FOUND (its existence is not revealed). */
  async site(id: string): Promise<Site> {
    const site = await this.em.findOne(Site, { id: entityId(id, 'Site') });
    if (!site) throw notFound('Site', id);
    const [community, shares] = await Promise.all([
      this.em.findOneOrFail(Community, { id: site.communityId }),
      this.shares(site.id),
    ]);
    if (!maySeeSite(this.viewer, site, community, shares)) throw notFound('Site', id);
    return site;
  }

  /** A site the viewer owns (to change it, add meters, sell from it). */
  async ownSite(id: string): Promise<Site> {
    const site = await this.site(id);
    if (site.ownerId !== this.viewer.userId) throw forbidden('Only the site’s owner may do this');
    return site;
  }

  shares(siteId: string) {
    return this.em.find(SiteShare, { siteId }, { orderBy: { userId: 'asc' } });
  }

  /** Sites the user owns or holds a share of. */
  async sitesOf(userId: string): Promise<Site[]> {
    const shared = await this.em.find(SiteShare, { userId });
    return this.em.find(
      Site,
      { $or: [{ ownerId: userId }, { id: { $in: shared.map((s) => s.siteId) } }] },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 500 },
    );
  }

  async meter(id: string): Promise<Meter> {
    const meter = await this.em.findOne(Meter, { id: entityId(id, 'Meter') });
    if (!meter) throw notFound('Meter', id);
    await this.site(meter.siteId).catch(() => {
      throw notFound('Meter', id);
    });
    return meter;
  }

  metersOf(siteId: string) {
    return this.em.find(Meter, { siteId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Adds a meter to the viewer's site; the device key is in the answer, and nowhere else, ever. */
  async registerMeter(siteId: string, kind: MeterKind, serial: string) {
    const site = await this.ownSite(siteId);
    const s = serial.trim();
    if (!/^[\w.:-]{1,64}$/.test(s))
      throw badInput('serial must be 1–64 letters, digits, or . : _ -', 'serial');
    const deviceKey = newDeviceKey();
    const meter = this.em.create(Meter, {
      siteId: site.id,
      kind,
      serial: s,
      keyHash: hashDeviceKey(deviceKey),
    });
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('A meter with this serial is registered');
      throw err;
    }
    return { meter, deviceKey };
  }

  /** A new device key for the viewer's meter; the old one stops working at once. */
  async rotateMeterKey(meterId: string) {
    const meter = await this.meter(meterId);
    await this.ownSite(meter.siteId);
    const deviceKey = newDeviceKey();
    meter.keyHash = hashDeviceKey(deviceKey);
    meter.keyRotatedAt = new Date();
    await this.em.flush();
    return { meter, deviceKey };
  }
}
