/**
 * The user subgraph's internal operations, one function each, for the platform services that call it
 * (the gateway, the OCPP bridge, the station and session subgraphs). The fields are `@inaccessible`
 * in the supergraph and check the calling service (lib/subgraph.ts `requireService`).
 */
import type { ConnectorType } from '../connector-types.js';
import type { Role } from '../auth.js';
import type { ServiceClient } from '../service-client.js';

/** Whom an API key acts as, and within what (gateway). Scopes are the GraphQL enum's names. */
export interface ApiKeyIdentity {
  keyId: string;
  userId: string;
  roles: Role[];
  scopes: string[];
  expiresAt: string | null;
  rateLimitPerMinute: number | null;
  rateLimitPerHour: number | null;
}

export class UserServiceClient {
  constructor(private readonly client: ServiceClient) {}

  async apiKeyIdentity(apiKey: string): Promise<ApiKeyIdentity | null> {
    const data = await this.client.request<{ apiKeyIdentity: ApiKeyIdentity | null }>(
      'query($k: String!) { apiKeyIdentity(apiKey: $k) { keyId userId roles scopes expiresAt rateLimitPerMinute rateLimitPerHour } }',
      { k: apiKey },
    );
    return data.apiKeyIdentity;
  }

  /** May this id token (RFID tag, app token) charge, and whose is it (OCPP bridge). */
  async idTokenAuthorization(
    token: string,
  ): Promise<{ status: string; userId: string | null; expiresAt: string | null }> {
    const data = await this.client.request<{
      idTokenAuthorization: { status: string; userId: string | null; expiresAt: string | null };
    }>('query($t: String!) { idTokenAuthorization(token: $t) { status userId expiresAt } }', { t: token });
    return data.idTokenAuthorization;
  }

  /** The id tokens of these users and their status (station subgraph: local authorization lists). */
  async idTokensOfUsers(
    userIds: string[],
  ): Promise<{ token: string; userId: string; status: string; expiresAt: string | null }[]> {
    if (!userIds.length) return [];
    const data = await this.client.request<{
      idTokensOfUsers: { token: string; userId: string; status: string; expiresAt: string | null }[];
    }>('query($u: [ID!]!) { idTokensOfUsers(userIds: $u) { token userId status expiresAt } }', {
      u: userIds,
    });
    return data.idTokensOfUsers;
  }

  /** Whether an account exists, through the user subgraph's entity resolver (station subgraph). */
  async accountExists(userId: string): Promise<boolean> {
    const data = await this.client.request<{ _entities: ({ id: string } | null)[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }',
      { r: [{ __typename: 'User', id: userId }] },
    );
    return data._entities[0]?.id === userId;
  }

  /** The plugs of a vehicle if it belongs to `userId`, else null (station subgraph). */
  async vehiclePlugs(vehicleId: string, userId: string): Promise<ConnectorType[] | null> {
    const data = await this.client.request<{ vehiclePlugs: ConnectorType[] | null }>(
      'query($v: ID!, $u: ID!) { vehiclePlugs(vehicleId: $v, userId: $u) }',
      { v: vehicleId, u: userId },
    );
    return data.vehiclePlugs;
  }

  /** Why the account may not do `action` yet (EMAIL_NOT_VERIFIED), or null (energy-trading subgraph). */
  async actionRefusal(userId: string, action: string): Promise<string | null> {
    const data = await this.client.request<{ actionRefusal: string | null }>(
      'query($u: ID!, $a: String!) { actionRefusal(userId: $u, action: $a) }',
      { u: userId, a: action },
    );
    return data.actionRefusal;
  }

  /** Each account's first linked wallet, for those that have one (session subgraph). */
  async primaryWallets(userIds: string[]): Promise<{ userId: string; address: string }[]> {
    const data = await this.client.request<{ primaryWallets: { userId: string; address: string }[] }>(
      'query($u: [ID!]!) { primaryWallets(userIds: $u) { userId address } }',
      { u: userIds },
    );
    return data.primaryWallets;
  }
}
