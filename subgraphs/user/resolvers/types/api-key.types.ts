import { Field, ObjectType } from 'type-graphql';
import { ApiKey } from '../../entities/api-key.entity.js';

@ObjectType({ description: 'A new API key: the key itself is shown this once, never again.' })
export class ApiKeyCreated {
  @Field({ description: 'The key. Store it now: it is not shown again.' })
  apiKey!: string;

  @Field(() => ApiKey, { description: 'The key (its secret is `apiKey`, shown only this once).' })
  key!: ApiKey;
}
