import type { Config } from '../lib/config.js';

export const DEMO_COMMUNITY = 'Demo solar street';

export interface DemoCommunity {
  id: string;
  name: string;
  inviteCode: string;
  intervalMinutes: number;
  gateClosureMinutes: number;
  priceCapPerKwh: number;
}

type Gql = <T>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<T>;

const FIELDS = 'id name inviteCode intervalMinutes gateClosureMinutes priceCapPerKwh';

/**
 * The demo community, created by the admin (its operator) when it does not exist yet: 1-minute
 * intervals outside production (15 in production), orders closing at the interval's start, a 1 %
 * fee. Every interval gets a clearing (the market's scheduler), so a new user sees one within a
 * minute; `npm run simulate -- --market` brings sites, readings and orders.
 */
export async function ensureDemoCommunity(
  gql: Gql,
  adminToken: string,
  config: Config,
): Promise<DemoCommunity> {
  const { communities } = await gql<{ communities: DemoCommunity[] }>(
    `{ communities { ${FIELDS} } }`,
    {},
    adminToken,
  );
  const found = communities.find((c) => c.name === DEMO_COMMUNITY);
  if (found) return found;
  const production = config.env === 'production';
  const { createCommunity } = await gql<{ createCommunity: DemoCommunity }>(
    `mutation($i: CreateCommunityInput!) { createCommunity(input: $i) { ${FIELDS} } }`,
    {
      i: {
        name: DEMO_COMMUNITY,
        timezone: 'Europe/Berlin',
        intervalMinutes: production ? 15 : 1,
        gateClosureMinutes: production ? 5 : 0,
        priceFloorPerKwh: 0,
        priceCapPerKwh: 500,
        feeBps: 100,
      },
    },
    adminToken,
  );
  return createCommunity;
}
