import { Arg, Authorized, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { entityId } from '../../../lib/ids.js';
import type { Viewer } from '../../../lib/auth.js';
import { badInput } from '../../../lib/errors.js';
import { VERIFIABLE_ACTIONS, type VerifiableAction } from '../services/account.service.js';
import { User } from '../entities/user.entity.js';
import type { UserContext } from '../context.js';
import { AuthPayload } from './types/auth.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** Account flows with mailed single-use links: verification, password reset, password and email change. */
@Resolver()
export class AccountResolver {
  @Directive('@inaccessible')
  @Query(() => String, {
    nullable: true,
    description:
      'Platform services only: why this account may not do `action` yet (EMAIL_NOT_VERIFIED), or null when it may.',
  })
  async actionRefusal(
    @Arg('userId', () => ID, { description: ARG.userId }) userId: string,
    @Arg('action') action: string,
    @Ctx() ctx: UserContext,
  ): Promise<string | null> {
    requireService(ctx.viewer, 'energy-subgraph');
    if (!(VERIFIABLE_ACTIONS as readonly string[]).includes(action))
      throw badInput('unknown action', 'action');
    const user = await ctx.users.get(entityId(userId, 'User'));
    const asUser: Viewer = { userId: user.id, roles: user.roles, via: 'jwt' };
    const refused = await ctx.account.requireVerifiedEmail(asUser, action as VerifiableAction).then(
      () => false,
      () => true,
    );
    return refused ? 'EMAIL_NOT_VERIFIED' : null;
  }

  @Mutation(() => User, {
    description:
      "Uses the token of a mailed link: verifies the account's email, or confirms a new email. Works once, before the link expires.",
  })
  verifyEmail(
    @Arg('token', { description: 'The token from the verification email.' }) token: string,
    @Ctx() ctx: UserContext,
  ) {
    return ctx.account.verifyEmail(token);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Mails the verification link again (a few times an hour).' })
  async resendVerificationEmail(@Ctx() ctx: UserContext) {
    requirePerson(ctx.viewer);
    await ctx.account.sendVerification(await ctx.users.get(ctx.viewer.userId!), true);
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'Mails a password-reset link if the email has an account. Always true: it tells nobody which emails have accounts.',
  })
  requestPasswordReset(@Arg('email', { description: ARG.email }) email: string, @Ctx() ctx: UserContext) {
    return ctx.account.requestPasswordReset(email, ctx.clientAddress);
  }

  @Mutation(() => Boolean, {
    description: "Sets a new password with a reset link's token. Every login of the account ends.",
  })
  resetPassword(
    @Arg('token', { description: 'The token from the reset email.' }) token: string,
    @Arg('newPassword', { description: ARG.newPassword }) newPassword: string,
    @Ctx() ctx: UserContext,
  ) {
    return ctx.account.resetPassword(token, newPassword);
  }

  @Authorized()
  @Mutation(() => AuthPayload, {
    description: "Changes the caller's password; every other login ends, and this one gets new tokens.",
  })
  async changePassword(
    @Arg('currentPassword', { description: 'The password in use now.' }) currentPassword: string,
    @Arg('newPassword', { description: ARG.newPassword }) newPassword: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.account.changePassword(ctx.viewer, currentPassword, newPassword);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Mails a confirmation link to a new email; the email changes (verified) when it is followed.',
  })
  requestEmailChange(
    @Arg('newEmail', {
      description: 'The new address; a link is sent to it, and the change takes effect when it is followed.',
    })
    newEmail: string,
    @Arg('password', { description: "The account's password, to confirm it is you." }) password: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.account.requestEmailChange(ctx.viewer, newEmail, password);
  }
}
