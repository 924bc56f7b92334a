import type { Config } from '../lib/config.js';

/**
 * The subgraphs the gateway routes to; their names are the supergraph's `join__Graph` names. The
 * gateway needs only names and URLs: the schemas are composed ahead of time (scripts/).
 */
export const subgraphs: { name: string; url: (config: Config) => string }[] = [
  { name: 'user', url: (c) => c.subgraphUrls.user },
  { name: 'station', url: (c) => c.subgraphUrls.station },
  { name: 'session', url: (c) => c.subgraphUrls.session },
  { name: 'energy', url: (c) => c.subgraphUrls.energy },
];
