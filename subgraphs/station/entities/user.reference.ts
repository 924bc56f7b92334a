import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The user subgraph's `User`, as far as this subgraph knows it: its id. This subgraph adds `stations`. */
@ObjectType()
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID, { description: "The account's id." })
  id!: string;
}
