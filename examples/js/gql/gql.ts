/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      user {\n        id\n        displayName\n        roles\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query StationsNear($lat: Float!, $lng: Float!, $radiusKm: Float!) {\n    stations(near: { lat: $lat, lng: $lng, radiusKm: $radiusKm }, first: 10) {\n      edges {\n        node {\n          id\n          name\n          distanceKm\n          chargers {\n            id\n            identity\n            connectors {\n              evseId\n              status\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.StationsNearDocument,
    "\n  mutation StartCharging($chargerId: ID!, $evseId: Int!, $idToken: String!) {\n    startCharging(chargerId: $chargerId, evseId: $evseId, idToken: $idToken) {\n      status\n    }\n  }\n": typeof types.StartChargingDocument,
    "\n  query ActiveSession($chargerId: ID!) {\n    sessions(filter: { chargerId: $chargerId, status: ACTIVE }, first: 1) {\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n": typeof types.ActiveSessionDocument,
    "\n  subscription SessionUpdated($sessionId: ID!) {\n    sessionUpdated(sessionId: $sessionId) {\n      kind\n      costSoFar\n      session {\n        id\n        status\n        energyWh\n        cost\n        currency\n        settlement {\n          status\n          recordId\n          txHash\n        }\n      }\n    }\n  }\n": typeof types.SessionUpdatedDocument,
    "\n  query Session($id: ID!) {\n    session(id: $id) {\n      id\n      status\n      energyWh\n      cost\n      currency\n      settlement {\n        status\n        recordId\n        txHash\n      }\n    }\n  }\n": typeof types.SessionDocument,
    "\n  query SettlementProof($recordId: ID!) {\n    settlementProof(recordId: $recordId) {\n      recordId\n      typedData\n      recordHash\n      txHash\n      blockNumber\n      logIndex\n      confirmations\n    }\n  }\n": typeof types.SettlementProofDocument,
};
const documents: Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      user {\n        id\n        displayName\n        roles\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  query StationsNear($lat: Float!, $lng: Float!, $radiusKm: Float!) {\n    stations(near: { lat: $lat, lng: $lng, radiusKm: $radiusKm }, first: 10) {\n      edges {\n        node {\n          id\n          name\n          distanceKm\n          chargers {\n            id\n            identity\n            connectors {\n              evseId\n              status\n            }\n          }\n        }\n      }\n    }\n  }\n": types.StationsNearDocument,
    "\n  mutation StartCharging($chargerId: ID!, $evseId: Int!, $idToken: String!) {\n    startCharging(chargerId: $chargerId, evseId: $evseId, idToken: $idToken) {\n      status\n    }\n  }\n": types.StartChargingDocument,
    "\n  query ActiveSession($chargerId: ID!) {\n    sessions(filter: { chargerId: $chargerId, status: ACTIVE }, first: 1) {\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n": types.ActiveSessionDocument,
    "\n  subscription SessionUpdated($sessionId: ID!) {\n    sessionUpdated(sessionId: $sessionId) {\n      kind\n      costSoFar\n      session {\n        id\n        status\n        energyWh\n        cost\n        currency\n        settlement {\n          status\n          recordId\n          txHash\n        }\n      }\n    }\n  }\n": types.SessionUpdatedDocument,
    "\n  query Session($id: ID!) {\n    session(id: $id) {\n      id\n      status\n      energyWh\n      cost\n      currency\n      settlement {\n        status\n        recordId\n        txHash\n      }\n    }\n  }\n": types.SessionDocument,
    "\n  query SettlementProof($recordId: ID!) {\n    settlementProof(recordId: $recordId) {\n      recordId\n      typedData\n      recordHash\n      txHash\n      blockNumber\n      logIndex\n      confirmations\n    }\n  }\n": types.SettlementProofDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      user {\n        id\n        displayName\n        roles\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      user {\n        id\n        displayName\n        roles\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StationsNear($lat: Float!, $lng: Float!, $radiusKm: Float!) {\n    stations(near: { lat: $lat, lng: $lng, radiusKm: $radiusKm }, first: 10) {\n      edges {\n        node {\n          id\n          name\n          distanceKm\n          chargers {\n            id\n            identity\n            connectors {\n              evseId\n              status\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StationsNear($lat: Float!, $lng: Float!, $radiusKm: Float!) {\n    stations(near: { lat: $lat, lng: $lng, radiusKm: $radiusKm }, first: 10) {\n      edges {\n        node {\n          id\n          name\n          distanceKm\n          chargers {\n            id\n            identity\n            connectors {\n              evseId\n              status\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartCharging($chargerId: ID!, $evseId: Int!, $idToken: String!) {\n    startCharging(chargerId: $chargerId, evseId: $evseId, idToken: $idToken) {\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation StartCharging($chargerId: ID!, $evseId: Int!, $idToken: String!) {\n    startCharging(chargerId: $chargerId, evseId: $evseId, idToken: $idToken) {\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ActiveSession($chargerId: ID!) {\n    sessions(filter: { chargerId: $chargerId, status: ACTIVE }, first: 1) {\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ActiveSession($chargerId: ID!) {\n    sessions(filter: { chargerId: $chargerId, status: ACTIVE }, first: 1) {\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionUpdated($sessionId: ID!) {\n    sessionUpdated(sessionId: $sessionId) {\n      kind\n      costSoFar\n      session {\n        id\n        status\n        energyWh\n        cost\n        currency\n        settlement {\n          status\n          recordId\n          txHash\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription SessionUpdated($sessionId: ID!) {\n    sessionUpdated(sessionId: $sessionId) {\n      kind\n      costSoFar\n      session {\n        id\n        status\n        energyWh\n        cost\n        currency\n        settlement {\n          status\n          recordId\n          txHash\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Session($id: ID!) {\n    session(id: $id) {\n      id\n      status\n      energyWh\n      cost\n      currency\n      settlement {\n        status\n        recordId\n        txHash\n      }\n    }\n  }\n"): (typeof documents)["\n  query Session($id: ID!) {\n    session(id: $id) {\n      id\n      status\n      energyWh\n      cost\n      currency\n      settlement {\n        status\n        recordId\n        txHash\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SettlementProof($recordId: ID!) {\n    settlementProof(recordId: $recordId) {\n      recordId\n      typedData\n      recordHash\n      txHash\n      blockNumber\n      logIndex\n      confirmations\n    }\n  }\n"): (typeof documents)["\n  query SettlementProof($recordId: ID!) {\n    settlementProof(recordId: $recordId) {\n      recordId\n      typedData\n      recordHash\n      txHash\n      blockNumber\n      logIndex\n      confirmations\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;