import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'A message for the wallet to sign (EIP-4361 style), valid for one use until it expires.',
})
export class WalletLinkChallenge {
  @Field({ description: 'The message to sign with the wallet (EIP-191 personal_sign).' })
  message!: string;

  @Field({ description: 'When the challenge lapses.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'For platform services: the wallet that pays and is paid for an account.' })
@Directive('@inaccessible')
export class PrimaryWallet {
  @Field(() => ID)
  userId!: string;

  @Field()
  address!: string;
}
