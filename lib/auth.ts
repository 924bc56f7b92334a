import type { SignerName } from './signing.js';
import { registerEnumType } from 'type-graphql';

/** Roles a GridLedger account can hold. A new registration is a DRIVER. */
export enum Role {
  DRIVER = 'DRIVER',
  HOST = 'HOST',
  BUYER = 'BUYER',
  INVESTOR = 'INVESTOR',
  OPERATOR = 'OPERATOR',
  AUDITOR = 'AUDITOR',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What an account may do on the platform.',
  valuesConfig: {
    DRIVER: { description: 'Charges vehicles.' },
    HOST: { description: 'Owns sites that produce or consume energy, and sells or buys it.' },
    BUYER: { description: 'Buys energy in a community market.' },
    INVESTOR: { description: 'Co-owns sites and shares their earnings.' },
    OPERATOR: { description: 'Runs charging stations.' },
    AUDITOR: { description: 'Reads ledgers, proofs and reports, to check them against the chain.' },
    ADMIN: { description: 'Runs the platform.' },
  },
});

export const ALL_ROLES = Object.values(Role);

/**
 * Who is calling, as the gateway established it. `userId` is null for anonymous callers and for
 * platform services (the OCPP bridge, workers), which carry their name in `service` instead.
 */
export interface Viewer {
  userId: string | null;
  roles: Role[];
  /** How the caller proved who they are. */
  via: 'jwt' | 'apikey' | 'anonymous' | 'service';
  service?: string;
  /** Set when a partner API key made the request. */
  apiKeyId?: string;
  /** What that key may do (gateway/scopes.ts); API keys only. */
  scopes?: string[];
  /** The key's own request limits, where its owner set them (per minute, per hour). */
  apiKeyLimits?: { perMinute: number | null; perHour: number | null };
}

export const ANONYMOUS: Viewer = Object.freeze({ userId: null, roles: [], via: 'anonymous' }) as Viewer;

export const hasRole = (viewer: Viewer, ...roles: Role[]) => roles.some((r) => viewer.roles.includes(r));

/** Platform services that call subgraphs directly with a service token. */
export type ServiceName = SignerName;
