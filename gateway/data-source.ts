import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { INTERNAL_TOKEN_HEADER } from '../lib/tokens.js';
import type { GatewayContext } from './auth.js';

/** Forwards the request's internal token; never the caller's own credentials. */
export class InternalTokenDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<GatewayContext>['willSendRequest'] & {}>[0]) {
    if (context?.internalToken) request.http?.headers.set(INTERNAL_TOKEN_HEADER, context.internalToken);
  }
}
