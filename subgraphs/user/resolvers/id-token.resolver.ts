import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import {
  IdToken,
  IdTokenAuthorization,
  IdTokenStatus,
  UserIdTokenStatus,
} from '../entities/id-token.entity.js';
import type { UserContext } from '../context.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => IdToken)
export class IdTokenResolver {
  @Authorized()
  @Mutation(() => IdToken, { description: 'Registers an RFID card or app token on the signed-in account.' })
  addIdToken(
    @Arg('token', {
      description:
        '4 to 36 characters of A–Z, 0–9, ":", ".", "_" or "-", as chargers read it (an RFID card UID or app token).',
    })
    token: string,
    @Ctx() ctx: UserContext,
    @Arg('expiresAt', () => Date, { nullable: true, description: ARG.expiresAt }) expiresAt?: Date,
  ) {
    requirePerson(ctx.viewer);
    return ctx.idTokens.add(token, expiresAt);
  }

  @Authorized()
  @Mutation(() => IdToken, { description: 'Blocks a token (lost card). Its owner or an admin.' })
  blockIdToken(
    @Arg('token', { description: 'One of your id tokens, as chargers read it.' }) token: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.idTokens.block(token);
  }

  @Directive('@inaccessible')
  @Query(() => IdTokenAuthorization, {
    description:
      'For the OCPP bridge (and the station subgraph before a remote start): may this token charge?',
  })
  idTokenAuthorization(@Arg('token') token: string, @Ctx() ctx: UserContext) {
    requireService(ctx.viewer, 'ocpp-bridge', 'station-subgraph');
    return ctx.idTokens.authorize(token);
  }

  @Directive('@inaccessible')
  @Query(() => [UserIdTokenStatus], {
    description:
      'For the station subgraph: the id tokens of these users and their status (local authorization lists).',
  })
  idTokensOfUsers(@Arg('userIds', () => [ID]) userIds: string[], @Ctx() ctx: UserContext) {
    requireService(ctx.viewer, 'station-subgraph');
    return ctx.idTokens.ofUsers(userIds);
  }

  @FieldResolver(() => IdTokenStatus, {
    description: 'ACCEPTED, BLOCKED, EXPIRED or INVALID, as chargers are told.',
  })
  status(@Root() idToken: IdToken): IdTokenStatus {
    return idToken.statusAt(new Date());
  }
}
