import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { requirePerson } from '../../../lib/subgraph.js';
import type { EnergyContext } from '../context.js';
import { Community } from '../entities/community.entity.js';
import { MeterKind } from '../entities/enums.js';
import { Meter } from '../entities/meter.entity.js';
import { Site, SiteShare } from '../entities/site.entity.js';
import { User } from '../entities/user.reference.js';
import { CreateSiteInput, MeterWithKey } from './types/site.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Site)
export class SiteResolver {
  @Authorized()
  @Mutation(() => Community, {
    description: 'Joins a community market with the invite code its operator gave you.',
  })
  joinCommunity(
    @Arg('inviteCode', { description: 'The code a community admin shared.' }) inviteCode: string,
    @Ctx() ctx: EnergyContext,
  ) {
    return ctx.sites.join(inviteCode);
  }

  @Authorized(Role.HOST, Role.BUYER, Role.INVESTOR)
  @Mutation(() => Site, { description: 'Adds a site you own to a community you are a member of.' })
  createSite(@Arg('input', { description: ARG.input }) input: CreateSiteInput, @Ctx() ctx: EnergyContext) {
    return ctx.sites.createSite(input);
  }

  @Authorized()
  @Query(() => [Site], { description: 'Sites you own or hold a share of.' })
  mySites(@Ctx() ctx: EnergyContext) {
    return ctx.sites.sitesOf(ctx.viewer.userId!);
  }

  @Authorized()
  @Query(() => Site, { description: 'A site: for its owners, its market’s operator, auditors and admins.' })
  site(@Arg('id', () => ID, { description: "The site's id." }) id: string, @Ctx() ctx: EnergyContext) {
    return ctx.sites.site(id);
  }

  @Authorized()
  @Query(() => Meter, { description: 'A meter: for whoever may see its site.' })
  meter(@Arg('id', () => ID, { description: "The meter's id." }) id: string, @Ctx() ctx: EnergyContext) {
    return ctx.sites.meter(id);
  }

  @Authorized()
  @Mutation(() => MeterWithKey, {
    description: 'Adds a meter to your site. The answer holds its device key, once.',
  })
  async registerMeter(
    @Arg('siteId', () => ID, { description: ARG.siteId }) siteId: string,
    @Arg('kind', () => MeterKind, {
      description: 'PRODUCTION, CONSUMPTION or BIDIRECTIONAL (a grid meter counting both ways).',
    })
    kind: MeterKind,
    @Arg('serial', { description: "The meter's serial number (unique per site)." }) serial: string,
    @Ctx() ctx: EnergyContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.sites.registerMeter(siteId, kind, serial);
  }

  @Authorized()
  @Mutation(() => MeterWithKey, {
    description: 'Issues your meter a new device key; the old one stops working.',
  })
  rotateMeterKey(
    @Arg('meterId', () => ID, { description: ARG.meterId }) meterId: string,
    @Ctx() ctx: EnergyContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.sites.rotateMeterKey(meterId);
  }

  @FieldResolver(() => User, { description: 'The owner.' })
  owner(@Root() site: Site): User {
    return { id: site.ownerId };
  }

  @FieldResolver(() => [SiteShare], {
    description: 'Co-owners’ shares of the proceeds; empty: the owner holds all.',
  })
  shares(@Root() site: Site, @Ctx() ctx: EnergyContext) {
    return ctx.sites.shares(site.id);
  }

  @FieldResolver(() => [Meter], { description: 'Its meters.' })
  meters(@Root() site: Site, @Ctx() ctx: EnergyContext) {
    return ctx.sites.metersOf(site.id);
  }

  @FieldResolver(() => Community, { description: 'The community it trades in.' })
  community(@Root() site: Site, @Ctx() ctx: EnergyContext) {
    return ctx.communities.get(site.communityId);
  }
}
