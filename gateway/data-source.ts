import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLError } from 'graphql';
import { AppError, ErrorCode } from '../lib/errors.js';
import { REQUEST_ID_HEADER } from '../lib/logger.js';
import { CLIENT_ADDRESS_HEADER, DEVICE_KEY_HEADER, INTERNAL_TOKEN_HEADER } from '../lib/tokens.js';
import type { GatewayContext } from './auth.js';

/**
 * Forwards the request's internal token and request id, and a meter's device key; never the caller's
 * own user credentials.
 */
export class InternalTokenDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<GatewayContext>['willSendRequest'] & {}>[0]) {
    if (context?.internalToken) request.http?.headers.set(INTERNAL_TOKEN_HEADER, context.internalToken);
    if (context?.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context?.clientAddress) request.http?.headers.set(CLIENT_ADDRESS_HEADER, context.clientAddress);
    if (context?.deviceKey) request.http?.headers.set(DEVICE_KEY_HEADER, context.deviceKey);
  }

  /**
   * A subgraph that refuses a request the gateway's validation let through has met a value that only
   * it can check (a custom scalar such as DateTimeISO: the supergraph knows scalars by name only).
   * That is the client's mistake: BAD_USER_INPUT with the subgraph's message, not "400: Bad Request"
   * turned into INTERNAL_SERVER_ERROR.
   */
  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource<GatewayContext>['errorFromResponse']>[0],
  ): Promise<GraphQLError> {
    if (response.status === 400) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
      const first = body?.errors?.[0];
      const code = first?.extensions?.code;
      if (first?.message && (code === 'GRAPHQL_VALIDATION_FAILED' || code === ErrorCode.BAD_USER_INPUT))
        return new AppError(ErrorCode.BAD_USER_INPUT, first.message);
    }
    return super.errorFromResponse(response);
  }
}
