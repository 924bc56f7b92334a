import { Migration20261122000000 } from './Migration20261122000000.js';
import { Migration20261122000200 } from './Migration20261122000200.js';
import { Migration20261122000400 } from './Migration20261122000400.js';
import { Migration20261122000500 } from './Migration20261122000500.js';
import { Migration20261201000000 } from './Migration20261201000000.js';
import { Migration20261201000100 } from './Migration20261201000100.js';

/** Every migration of the `identity` schema, oldest first. */
export const migrations = [
  { name: 'Migration20261122000000', class: Migration20261122000000 },
  { name: 'Migration20261122000200', class: Migration20261122000200 },
  { name: 'Migration20261122000400', class: Migration20261122000400 },
  { name: 'Migration20261122000500', class: Migration20261122000500 },
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261201000100', class: Migration20261201000100 },
];
