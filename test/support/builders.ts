import { gql, TEST_ADMIN } from './platform.js';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

const AUTH_FIELDS = 'accessToken refreshToken user { id email displayName roles }';

export interface Session {
  token: string;
  refreshToken: string;
  userId: string;
}

export async function registerUser(
  url: string,
  overrides: Partial<{ email: string; password: string; displayName: string }> = {},
) {
  const input = {
    email: `driver-${unique()}@example.org`,
    password: 'correct horse battery',
    displayName: 'Dana Driver',
    ...overrides,
  };
  const r = await gql(
    url,
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { input },
  );
  if (!r.data?.register) throw new Error(`register failed: ${JSON.stringify(r.errors)}`);
  const p = r.data.register;
  return { token: p.accessToken, refreshToken: p.refreshToken, userId: p.user.id, input } as Session & {
    input: typeof input;
  };
}

export async function login(url: string, email: string, password: string): Promise<Session> {
  const r = await gql(
    url,
    `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`,
    {
      e: email,
      p: password,
    },
  );
  if (!r.data?.login) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
  return {
    token: r.data.login.accessToken,
    refreshToken: r.data.login.refreshToken,
    userId: r.data.login.user.id,
  };
}

export const loginAdmin = (url: string) => login(url, TEST_ADMIN.email, TEST_ADMIN.password);

/** A user with the given roles, granted by the admin, signed in again so the token carries them. */
export async function aUserWithRoles(
  url: string,
  admin: Session,
  roles: string[],
): Promise<Session & { input: { email: string; password: string } }> {
  const u = await registerUser(url);
  const r = await gql(
    url,
    `mutation($id: ID!, $roles: [Role!]!) { setUserRoles(userId: $id, roles: $roles) { id } }`,
    { id: u.userId, roles },
    { token: admin.token },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { ...(await login(url, u.input.email, u.input.password)), input: u.input };
}

export function aStation(overrides: Record<string, unknown> = {}) {
  return {
    name: `Station ${unique()}`,
    address: '1 Test Street',
    location: { lat: 52.52, lng: 13.405 },
    timezone: 'Europe/Berlin',
    ...overrides,
  };
}

export async function createStation(url: string, token: string, overrides: Record<string, unknown> = {}) {
  const r = await gql(
    url,
    `mutation($input: CreateStationInput!) { createStation(input: $input) { id name operator { id } } }`,
    { input: aStation(overrides) },
    { token },
  );
  if (!r.data?.createStation) throw new Error(`createStation failed: ${JSON.stringify(r.errors)}`);
  return r.data.createStation as { id: string; name: string; operator: { id: string } };
}

export function aCharger(overrides: Record<string, unknown> = {}) {
  return {
    identity: `CP-${unique()}`,
    vendor: 'GridLedger',
    model: 'Sim',
    connectors: [{ evseId: 1, type: 'CCS2', maxPowerKw: 150 }],
    ...overrides,
  };
}
