import { graphql } from './gql/index.js';

/** Every operation the example sends, typed by GraphQL Code Generator (examples/js/gql). */
export const Login = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      user {
        id
        displayName
        roles
      }
    }
  }
`);

export const StationsNear = graphql(`
  query StationsNear($lat: Float!, $lng: Float!, $radiusKm: Float!) {
    stations(near: { lat: $lat, lng: $lng, radiusKm: $radiusKm }, first: 10) {
      edges {
        node {
          id
          name
          distanceKm
          chargers {
            id
            identity
            connectors {
              evseId
              status
            }
          }
        }
      }
    }
  }
`);

export const StartCharging = graphql(`
  mutation StartCharging($chargerId: ID!, $evseId: Int!, $idToken: String!) {
    startCharging(chargerId: $chargerId, evseId: $evseId, idToken: $idToken) {
      status
    }
  }
`);

export const ActiveSession = graphql(`
  query ActiveSession($chargerId: ID!) {
    sessions(filter: { chargerId: $chargerId, status: ACTIVE }, first: 1) {
      edges {
        node {
          id
          status
        }
      }
    }
  }
`);

export const SessionUpdated = graphql(`
  subscription SessionUpdated($sessionId: ID!) {
    sessionUpdated(sessionId: $sessionId) {
      kind
      costSoFar
      session {
        id
        status
        energyWh
        cost
        currency
        settlement {
          status
          recordId
          txHash
        }
      }
    }
  }
`);

export const Session = graphql(`
  query Session($id: ID!) {
    session(id: $id) {
      id
      status
      energyWh
      cost
      currency
      settlement {
        status
        recordId
        txHash
      }
    }
  }
`);

export const SettlementProof = graphql(`
  query SettlementProof($recordId: ID!) {
    settlementProof(recordId: $recordId) {
      recordId
      typedData
      recordHash
      txHash
      blockNumber
      logIndex
      confirmations
    }
  }
`);
