import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The user subgraph's User; this subgraph adds their sessions. */
@ObjectType()
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID, { description: "The account's id." })
  id!: string;
}
