/**
 * Prints the SQL that would bring a subgraph's schema in line with its entities: the starting point
 * for a new migration. Usage: npm run build && node dist/scripts/schema-diff.js <user|station>
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { loadConfig } from '../lib/config.js';
import { entitiesBySubgraph } from './subgraph-entities.js';

const name = process.argv[2] as keyof typeof entitiesBySubgraph;
const target = entitiesBySubgraph[name];
if (!target) throw new Error(`usage: schema-diff <${Object.keys(entitiesBySubgraph).join('|')}>`);
const orm = await MikroORM.init({
  clientUrl: loadConfig().databaseUrl,
  schema: target.schema,
  entities: target.entities,
  metadataProvider: ReflectMetadataProvider,
});
const { up } = await orm.schema.getUpdateSchemaMigrationSQL({ wrap: false });
process.stdout.write(`${up}\n`);
await orm.close();
