import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { REQUEST_ID_HEADER } from '../lib/logger.js';
import { INTERNAL_TOKEN_HEADER } from '../lib/tokens.js';
import type { GatewayContext } from './auth.js';

/** Forwards the request's internal token and request id; never the caller's own credentials. */
export class InternalTokenDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<GatewayContext>['willSendRequest'] & {}>[0]) {
    if (context?.internalToken) request.http?.headers.set(INTERNAL_TOKEN_HEADER, context.internalToken);
    if (context?.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
  }
}
