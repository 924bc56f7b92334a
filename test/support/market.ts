import { createHash, createHmac } from 'node:crypto';
import mqtt from 'mqtt';
import type { Session } from './builders.js';
import { gql } from './platform.js';

/** Creates a community as `operator`; returns its id and invite code. */
export async function aCommunity(url: string, operator: Session, overrides: Record<string, unknown> = {}) {
  const r = await gql(
    url,
    'mutation($i: CreateCommunityInput!) { createCommunity(input: $i) { id inviteCode intervalMinutes gateClosureMinutes } }',
    {
      i: {
        name: `Solar street ${Date.now()}`,
        timezone: 'Europe/Berlin',
        priceFloorPerKwh: 0,
        priceCapPerKwh: 1000,
        ...overrides,
      },
    },
    { token: operator.token },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.createCommunity as {
    id: string;
    inviteCode: string;
    intervalMinutes: number;
    gateClosureMinutes: number;
  };
}

/** Joins the community, adds a site, and registers one meter of `kind` there. */
export async function aMeteredSite(
  url: string,
  member: Session,
  community: { id: string; inviteCode: string },
  kind: 'PRODUCTION' | 'CONSUMPTION' | 'BIDIRECTIONAL',
  coOwners: { userId: string; shareBps: number }[] | null = null,
) {
  const joined = await gql(
    url,
    'mutation($c: String!) { joinCommunity(inviteCode: $c) { id } }',
    { c: community.inviteCode },
    { token: member.token },
  );
  // A member who joined before (a second site) gets CONFLICT here: fine.
  if (joined.errors && joined.errors[0]?.extensions?.code !== 'CONFLICT')
    throw new Error(JSON.stringify(joined.errors));
  const site = await gql(
    url,
    'mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }',
    {
      i: {
        communityId: community.id,
        name: 'Home',
        latitude: 52.5,
        longitude: 13.4,
        pvCapacityWp: kind === 'CONSUMPTION' ? 0 : 8000,
        coOwners,
      },
    },
    { token: member.token },
  );
  if (site.errors) throw new Error(JSON.stringify(site.errors));
  const siteId = site.data!.createSite.id as string;
  const m = await gql(
    url,
    'mutation($s: ID!, $k: MeterKind!, $n: String!) { registerMeter(siteId: $s, kind: $k, serial: $n) { deviceKey meter { id } } }',
    { s: siteId, k: kind, n: `SN-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` },
    { token: member.token },
  );
  if (m.errors) throw new Error(JSON.stringify(m.errors));
  return {
    siteId,
    meterId: m.data!.registerMeter.meter.id as string,
    deviceKey: m.data!.registerMeter.deviceKey as string,
  };
}

export interface Reading {
  timestamp: string;
  importWh: number;
  exportWh: number;
}

export const SUBMIT =
  'mutation($m: ID!, $r: [MeterReadingInput!]!) { submitMeterReadings(meterId: $m, readings: $r) { accepted duplicates late rejected { index timestamp reason } } }';

/** Submits readings over GraphQL with the meter's device key. */
export const submitReadings = (url: string, meterId: string, deviceKey: string, readings: Reading[]) =>
  gql(url, SUBMIT, { m: meterId, r: readings }, { headers: { 'x-meter-key': deviceKey } });

/** The MQTT message a meter sends: its body signed under the SHA-256 of its device key. */
export function signedMessage(deviceKey: string, readings: Reading[], signWith = deviceKey) {
  const body = JSON.stringify({ readings });
  const keyHash = createHash('sha256').update(signWith).digest('hex');
  return JSON.stringify({ body, signature: createHmac('sha256', keyHash).update(body).digest('hex') });
}

/** A connected MQTT client of the test broker. */
export async function mqttClient(url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883') {
  return mqtt.connectAsync(url, { reconnectPeriod: 0 });
}

export const readingsTopic = (meterId: string) => `gridledger/meters/${meterId}/readings`;
