import {
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApiKeyScope } from '../lib/scopes.js';
import { AppError, ErrorCode } from '../lib/errors.js';
import type { GatewayContext } from './auth.js';

const S = ApiKeyScope;

/**
 * The scope an API key needs for each root field of the public API; `null`: no key may use it
 * (credentials and logins, which a person must handle). Every root field must be listed: the gateway
 * refuses to start otherwise (`unlistedRootFields`), so a new field is never open to keys by default.
 */
export const ROOT_FIELD_SCOPES: Record<string, ApiKeyScope | null> = {
  'Query.stations': S.STATIONS_READ,
  'Query.station': S.STATIONS_READ,
  'Query.charger': S.STATIONS_READ,
  'Query.chargerMessages': S.STATIONS_READ,
  'Query.stationReport': S.REPORTS_READ,
  'Query.operatorReport': S.REPORTS_READ,
  'Query.marketReport': S.MARKET_READ,
  'Query.invoices': S.SESSIONS_READ,
  'Query.chargerByIdentity': S.STATIONS_READ,
  'Query.tariffs': S.STATIONS_READ,
  'Query.settlementConfig': S.STATIONS_READ,
  'Query.session': S.SESSIONS_READ,
  'Query.sessions': S.SESSIONS_READ,
  'Query.mySessions': S.SESSIONS_READ,
  'Query.myEscrow': S.SESSIONS_READ,
  'Query.chargingReadiness': S.SESSIONS_READ,
  'Query.sessionLedger': S.SESSIONS_READ,
  'Query.settlementProof': S.SESSIONS_READ,
  'Query.ledgerSummary': S.SESSIONS_READ,
  'Query.refundLedger': S.SESSIONS_READ,
  'Query.plans': S.STATIONS_READ,
  'Query.planSubscriptions': S.SESSIONS_READ,
  'Query.planFeeLedger': S.SESSIONS_READ,
  'Query.planFeeProof': S.SESSIONS_READ,
  'Query.me': S.USERS_READ,
  'Query.users': S.USERS_READ,
  'Query.communities': S.MARKET_READ,
  'Query.community': S.MARKET_READ,
  'Query.mySites': S.MARKET_READ,
  'Query.site': S.MARKET_READ,
  'Query.meter': S.MARKET_READ,
  'Query.meterReadings': S.MARKET_READ,
  'Query.myOrders': S.MARKET_READ,
  'Query.orderBook': S.MARKET_READ,
  'Query.clearing': S.MARKET_READ,
  'Query.clearings': S.MARKET_READ,
  'Query.marketStats': S.MARKET_READ,
  'Query.myTrades': S.MARKET_READ,
  'Query.tradeLedger': S.MARKET_READ,
  'Query.tradeSettlementProof': S.MARKET_READ,
  'Query.readingAnchors': S.MARKET_READ,
  'Query.readingProof': S.MARKET_READ,
  'Subscription.clearingPublished': S.MARKET_READ,
  'Subscription.myTradeUpdates': S.MARKET_READ,
  'Subscription.meterReadingsReceived': S.MARKET_READ,
  'Mutation.joinCommunity': S.MARKET_TRADE,
  'Mutation.createSite': S.MARKET_TRADE,
  'Mutation.placeOrder': S.MARKET_TRADE,
  'Mutation.cancelOrder': S.MARKET_TRADE,
  // Device keys are credentials; readings come from meters with their own key, never an API key.
  'Mutation.registerMeter': null,
  'Mutation.rotateMeterKey': null,
  'Mutation.submitMeterReadings': null,
  'Subscription.chargerStatusChanged': S.STATIONS_READ,
  'Subscription.connectorStatusChanged': S.STATIONS_READ,
  'Subscription.chargerAlertRaised': S.STATIONS_READ,
  'Subscription.sessionUpdated': S.SESSIONS_READ,
  'Subscription.mySessionUpdates': S.SESSIONS_READ,
  'Mutation.createStation': S.STATIONS_WRITE,
  'Mutation.updateStation': S.STATIONS_WRITE,
  'Mutation.registerCharger': S.STATIONS_WRITE,
  'Mutation.addConnector': S.STATIONS_WRITE,
  'Mutation.setTariff': S.STATIONS_WRITE,
  'Mutation.createPlan': S.STATIONS_WRITE,
  'Mutation.retirePlan': S.STATIONS_WRITE,
  // A subscription commits the driver's escrow to a monthly fee: a person decides, not a key.
  'Mutation.subscribeToPlan': null,
  'Mutation.cancelPlanSubscription': null,
  'Mutation.startCharging': S.CHARGERS_COMMAND,
  'Mutation.stopCharging': S.CHARGERS_COMMAND,
  'Mutation.resetCharger': S.CHARGERS_COMMAND,
  'Mutation.unlockConnector': S.CHARGERS_COMMAND,
  'Mutation.changeAvailability': S.CHARGERS_COMMAND,
  'Mutation.triggerMessage': S.CHARGERS_COMMAND,
  'Mutation.getChargerConfiguration': S.CHARGERS_COMMAND,
  'Mutation.setChargerConfiguration': S.CHARGERS_COMMAND,
  'Mutation.updateFirmware': S.CHARGERS_COMMAND,
  'Mutation.requestChargerLogs': S.CHARGERS_COMMAND,
  'Mutation.clearAuthorizationCache': S.CHARGERS_COMMAND,
  'Mutation.setStationPowerLimit': S.STATIONS_WRITE,
  'Mutation.clearChargingProfile': S.CHARGERS_COMMAND,
  'Mutation.getCompositeSchedule': S.CHARGERS_COMMAND,
  'Mutation.syncLocalList': S.CHARGERS_COMMAND,
  'Mutation.acknowledgeChargerAlert': S.STATIONS_WRITE,
  'Mutation.scheduleMaintenance': S.STATIONS_WRITE,
  'Mutation.recordOutageExclusion': S.STATIONS_WRITE,
  'Mutation.exportSessions': S.REPORTS_READ,
  'Mutation.exportTrades': S.REPORTS_READ,
  'Mutation.downloadInvoice': S.SESSIONS_READ,
  'Mutation.issueInvoices': null,
  'Mutation.cancelMaintenance': S.STATIONS_WRITE,
  'Mutation.getLocalListVersion': S.CHARGERS_COMMAND,
  'Mutation.retrySettlement': S.SETTLEMENT_WRITE,
  'Mutation.resolveSessionDispute': S.SETTLEMENT_WRITE,
  'Mutation.prepareRefund': S.SETTLEMENT_WRITE,
  'Mutation.createApiKey': null,
  'Mutation.revokeApiKey': null,
  'Mutation.addIdToken': null,
  'Mutation.blockIdToken': null,
  'Mutation.register': null,
  'Mutation.login': null,
  'Mutation.refreshToken': null,
  'Mutation.logout': null,
  'Mutation.setUserRoles': null,
  'Mutation.walletLinkChallenge': null,
  'Mutation.linkWallet': null,
  'Mutation.verifyEmail': null,
  'Mutation.resendVerificationEmail': null,
  'Mutation.requestPasswordReset': null,
  'Mutation.resetPassword': null,
  'Mutation.changePassword': null,
  'Mutation.requestEmailChange': null,
  'Mutation.addVehicle': null,
  'Mutation.createCommunity': null,
  'Mutation.removeVehicle': null,
  'Mutation.reserveConnector': null,
  'Mutation.cancelReservation': null,
};

/**
 * What a socket without credentials may run: queries of public station data only. Signing in,
 * registering and every mutation or subscription go over HTTP or a signed-in socket, so an anonymous
 * socket holds nothing but what anyone may read.
 */
export const ANONYMOUS_SOCKET_FIELDS = new Set([
  'Query.stations',
  'Query.station',
  'Query.charger',
  'Query.tariffs',
  'Query.settlementConfig',
]);

/** The root fields of `operation` an anonymous socket may not run (see ANONYMOUS_SOCKET_FIELDS). */
export function anonymousSocketRefusal(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): string | null {
  const root = schema.getRootType(operation.operation)?.name;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== 'Field') return 'Anonymous sockets may not use fragments at the root';
    if (selection.name.value === '__typename') continue;
    const coordinate = `${root}.${selection.name.value}`;
    if (operation.operation !== 'query' || !ANONYMOUS_SOCKET_FIELDS.has(coordinate))
      return `${coordinate} needs a signed-in socket: send authorization or apiKey in connection_init`;
  }
  return null;
}

/**
 * Fields below the root that carry another scope's data: a key needs that scope too. Sessions reached
 * from a station, a user's email and credentials reached from a session's driver, and so on.
 */
const TYPE_SCOPES: Record<string, ApiKeyScope> = {
  ChargingSession: S.SESSIONS_READ,
  ChargingSessionConnection: S.SESSIONS_READ,
  SessionUpdateEvent: S.SESSIONS_READ,
  Escrow: S.SESSIONS_READ,
  ApiKey: S.USERS_READ,
  IdToken: S.USERS_READ,
  Wallet: S.USERS_READ,
  Vehicle: S.USERS_READ,
  UserConnection: S.USERS_READ,
  Site: S.MARKET_READ,
  Meter: S.MARKET_READ,
  MarketOrder: S.MARKET_READ,
  Trade: S.MARKET_READ,
};
const FIELD_SCOPES: Record<string, ApiKeyScope> = {
  'User.email': S.USERS_READ,
  'Community.inviteCode': S.MARKET_READ,
};

/** Root fields of `schema` missing from ROOT_FIELD_SCOPES (the gateway refuses to start with any). */
export function unlistedRootFields(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(root?.getFields() ?? {})) {
      if (!(`${root!.name}.${name}` in ROOT_FIELD_SCOPES)) missing.push(`${root!.name}.${name}`);
    }
  }
  return missing;
}

const refused = (message: string) => new AppError(ErrorCode.FORBIDDEN, message, { http: { status: 403 } });

/**
 * The first field of `operation` that a key with `scopes` may not use, as a FORBIDDEN error; null
 * when the key may run it all. Fragments are followed where they are spread (TypeInfo).
 */
export function scopeRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  scopes: readonly string[],
): AppError | null {
  const typeInfo = new TypeInfo(schema);
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [],
    ),
  );
  const rootName = schema.getRootType(operation.operation)?.name;
  let error: AppError | null = null;
  const seen = new Set<string>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          const fragment = fragments.get(name);
          if (fragment && !seen.has(name)) {
            seen.add(name);
            walk(fragment);
          }
        },
        Field(field) {
          if (error) return false;
          const parent = typeInfo.getParentType()?.name;
          const fieldName = field.name.value;
          if (!parent || fieldName.startsWith('__')) return undefined;
          const coordinate = `${parent}.${fieldName}`;
          if (parent === rootName) {
            const scope = ROOT_FIELD_SCOPES[coordinate];
            if (!scope) {
              error = refused(`${coordinate} is not available to API keys: sign in as a person for it`);
              return false;
            }
            if (!scopes.includes(scope)) {
              error = refused(`This API key lacks the ${scope} scope that ${coordinate} needs`);
              return false;
            }
          }
          const returned = typeInfo.getType();
          const needed =
            FIELD_SCOPES[coordinate] ?? (returned ? TYPE_SCOPES[getNamedType(returned).name] : undefined);
          if (needed && !scopes.includes(needed)) {
            error = refused(`This API key lacks the ${needed} scope that ${coordinate} needs`);
            return false;
          }
          return undefined;
        },
      }),
    );
  walk(operation);
  return error;
}

/** Refuses, before planning, an API key's operation that uses a field its scopes do not cover. */
export function apiKeyScopes(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, contextValue }) {
          const { viewer } = contextValue;
          if (viewer.via !== 'apikey' || !operation) return;
          const error = scopeRefusal(schema, document, operation, viewer.scopes ?? []);
          if (error) throw error;
        },
      };
    },
  };
}
