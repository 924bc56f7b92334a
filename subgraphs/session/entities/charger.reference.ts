import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The station subgraph's Charger; this subgraph adds its sessions. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Charger {
  @Field(() => ID, { description: "The charger's id." })
  id!: string;
}
