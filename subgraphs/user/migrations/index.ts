import { Migration20261122000000 } from './Migration20261122000000.js';

/** Every migration of the `identity` schema, oldest first. */
export const migrations = [{ name: 'Migration20261122000000', class: Migration20261122000000 }];
