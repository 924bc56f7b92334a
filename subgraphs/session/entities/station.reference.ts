import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The station subgraph's Station. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Station {
  @Field(() => ID, { description: "The station's id." })
  id!: string;
}
