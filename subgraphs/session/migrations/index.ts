import { Migration20261122000300 } from './Migration20261122000300.js';
import { Migration20261122000700 } from './Migration20261122000700.js';
import { Migration20261203000200 } from './Migration20261203000200.js';
import { Migration20261203000300 } from './Migration20261203000300.js';
import { Migration20261203000500 } from './Migration20261203000500.js';
import { Migration20261203000600 } from './Migration20261203000600.js';
import { Migration20261203001000 } from './Migration20261203001000.js';
import { Migration20261204000200 } from './Migration20261204000200.js';
import { Migration20261204000400 } from './Migration20261204000400.js';
import { Migration20261204000500 } from './Migration20261204000500.js';
import { Migration20261205000100 } from './Migration20261205000100.js';

/** Every migration of the `session` schema, oldest first. */
export const migrations = [
  { name: 'Migration20261122000300', class: Migration20261122000300 },
  { name: 'Migration20261122000700', class: Migration20261122000700 },
  { name: 'Migration20261203000200', class: Migration20261203000200 },
  { name: 'Migration20261203000300', class: Migration20261203000300 },
  { name: 'Migration20261203000500', class: Migration20261203000500 },
  { name: 'Migration20261203000600', class: Migration20261203000600 },
  { name: 'Migration20261203001000', class: Migration20261203001000 },
  { name: 'Migration20261204000200', class: Migration20261204000200 },
  { name: 'Migration20261204000400', class: Migration20261204000400 },
  { name: 'Migration20261204000500', class: Migration20261204000500 },
  { name: 'Migration20261205000100', class: Migration20261205000100 },
];
