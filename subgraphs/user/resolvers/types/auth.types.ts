import { Field, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { User } from '../../entities/user.entity.js';

@InputType({ description: 'A new account. The password needs at least 10 characters.' })
export class RegisterInput {
  @Field({ description: 'The email address to sign in with (verified by a link).' })
  email!: string;

  @Field({ description: '10 to 256 characters.' })
  password!: string;

  @Field({ description: 'The name others see (1 to 100 characters).' })
  displayName!: string;
}

@ObjectType({
  description: 'Tokens for a signed-in user: a short-lived access token and a rotating refresh token.',
})
export class AuthPayload {
  @Field({ description: 'JWT to send as `Authorization: Bearer …`; valid for minutes.' })
  accessToken!: string;

  @Field({ description: 'Single-use token for `refreshToken`; a reused one revokes the login.' })
  refreshToken!: string;

  @Field(() => User, { description: 'The signed-in account.' })
  user!: User;
}

@ObjectType({ description: 'A page of accounts (Relay-style).' })
export class UserConnection extends Connection(User) {}
