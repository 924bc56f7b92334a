import { Migration20261201000200 } from './Migration20261201000200.js';
import { Migration20261201000300 } from './Migration20261201000300.js';
import { Migration20261203000100 } from './Migration20261203000100.js';
import { Migration20261203000400 } from './Migration20261203000400.js';
import { Migration20261204000600 } from './Migration20261204000600.js';

/** Every migration of the `market` schema, oldest first. */
export const migrations = [
  { name: 'Migration20261201000200', class: Migration20261201000200 },
  { name: 'Migration20261201000300', class: Migration20261201000300 },
  { name: 'Migration20261203000100', class: Migration20261203000100 },
  { name: 'Migration20261203000400', class: Migration20261203000400 },
  { name: 'Migration20261204000600', class: Migration20261204000600 },
];
