import { Migration20261122000100 } from './Migration20261122000100.js';
import { Migration20261122000600 } from './Migration20261122000600.js';
import { Migration20261203000700 } from './Migration20261203000700.js';
import { Migration20261203000800 } from './Migration20261203000800.js';
import { Migration20261203000900 } from './Migration20261203000900.js';
import { Migration20261203001100 } from './Migration20261203001100.js';
import { Migration20261203001200 } from './Migration20261203001200.js';
import { Migration20261203001300 } from './Migration20261203001300.js';
import { Migration20261203001400 } from './Migration20261203001400.js';
import { Migration20261204000100 } from './Migration20261204000100.js';
import { Migration20261204000300 } from './Migration20261204000300.js';

/** Every migration of the `station` schema, oldest first. */
export const migrations = [
  { name: 'Migration20261122000100', class: Migration20261122000100 },
  { name: 'Migration20261122000600', class: Migration20261122000600 },
  { name: 'Migration20261203000700', class: Migration20261203000700 },
  { name: 'Migration20261203000800', class: Migration20261203000800 },
  { name: 'Migration20261203000900', class: Migration20261203000900 },
  { name: 'Migration20261203001100', class: Migration20261203001100 },
  { name: 'Migration20261203001200', class: Migration20261203001200 },
  { name: 'Migration20261203001300', class: Migration20261203001300 },
  { name: 'Migration20261203001400', class: Migration20261203001400 },
  { name: 'Migration20261204000100', class: Migration20261204000100 },
  { name: 'Migration20261204000300', class: Migration20261204000300 },
];
