import { registerEnumType } from 'type-graphql';

/**
 * What a partner API key may do. A key holds the scopes it was created with; the gateway
 * (gateway/scopes.ts) refuses every field a key's scopes do not cover, before anything runs, and
 * the key still acts within its owner's roles. Credentials (keys, id tokens, wallets, roles,
 * passwords, logins) are never covered by any scope: a person signs in for those.
 */
export enum ApiKeyScope {
  /** Stations, chargers, connectors, tariffs, charger status (queries and subscriptions). */
  STATIONS_READ = 'stations:read',
  /** Create and change stations, chargers, connectors and tariffs. */
  STATIONS_WRITE = 'stations:write',
  /** Charging sessions, their updates and escrow. */
  SESSIONS_READ = 'sessions:read',
  /** Remote commands to chargers (start, stop, reset, unlock, availability, configuration). */
  CHARGERS_COMMAND = 'chargers:command',
  /** Retry failed settlements. */
  SETTLEMENT_WRITE = 'settlement:write',
  /** Accounts: the owner's own (`me`), and for admins' keys the account list; emails and credentials listed there. */
  USERS_READ = 'users:read',
  /** Community energy markets: communities, sites, meters and readings, order books, clearings, trades, stats. */
  MARKET_READ = 'market:read',
  /** Join markets, add sites, place and cancel orders in them. */
  MARKET_TRADE = 'market:trade',
  /** Uptime, usage and revenue reports; exports of sessions and trades. */
  REPORTS_READ = 'reports:read',
}
registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'What an API key may do; a key is refused every field its scopes do not cover.',
  valuesConfig: {
    STATIONS_READ: {
      description:
        'Stations, chargers, connectors, tariffs, plans and charger status (queries and subscriptions).',
    },
    STATIONS_WRITE: { description: 'Create and change stations, chargers, connectors, tariffs and plans.' },
    SESSIONS_READ: { description: 'Charging sessions, their updates, receipts, escrow, ledgers and proofs.' },
    CHARGERS_COMMAND: {
      description: 'Remote commands to chargers (start, stop, reset, unlock, availability, configuration).',
    },
    SETTLEMENT_WRITE: { description: 'Retry failed settlements.' },
    USERS_READ: { description: "Accounts: the owner's own (`me`), and for admins' keys the account list." },
    MARKET_READ: {
      description:
        'Community energy markets: communities, sites, meters and readings, order books, clearings, trades, stats.',
    },
    MARKET_TRADE: { description: 'Join markets, add sites, place and cancel orders.' },
    REPORTS_READ: { description: 'Uptime, usage and revenue reports; exports of sessions and trades.' },
  },
});

export const ALL_SCOPES = Object.values(ApiKeyScope);
