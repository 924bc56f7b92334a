/**
 * A GridLedger client in TypeScript: plain fetch for queries and mutations, graphql-ws for live
 * updates, operations typed by GraphQL Code Generator (./gql, from gateway/api-schema.graphql).
 *
 * As an operator's app it: signs in; finds stations near a point; starts charging on a free EVSE for a
 * driver's id token and follows the session live until it is paid on chain; reads the settlement
 * proof and checks its hash with ethers' EIP-712 encoder (docs/ledger-format.md).
 *
 *   GRIDLEDGER_EMAIL=… GRIDLEDGER_PASSWORD=… GRIDLEDGER_ID_TOKEN=… ./gridledger run example:js
 *
 * Optional: GRIDLEDGER_API (default http://localhost:4000/graphql), GRIDLEDGER_NEAR ("lat,lng",
 * default 52.52,13.405), GRIDLEDGER_RADIUS_KM (default 25).
 */
import { TypedDataEncoder } from 'ethers';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ActiveSession,
  Login,
  Session,
  SessionUpdated,
  SettlementProof,
  StartCharging,
  StationsNear,
} from './operations.js';

const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (v == null) throw new Error(`${name} is not set`);
  return v;
};
const api = env('GRIDLEDGER_API', 'http://localhost:4000/graphql');
const [lat, lng] = env('GRIDLEDGER_NEAR', '52.52,13.405').split(',').map(Number) as [number, number];

/** One query or mutation over HTTP; a GraphQL error (with its typed code) throws. */
async function request<R, V extends Record<string, unknown>>(
  doc: TypedDocumentNode<R, V>,
  variables: V,
  token?: string,
): Promise<R> {
  const res = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json()) as {
    data?: R;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) throw new Error(`${body.errors[0]!.extensions?.code}: ${body.errors[0]!.message}`);
  return body.data!;
}

const { login } = await request(Login, {
  email: env('GRIDLEDGER_EMAIL'),
  password: env('GRIDLEDGER_PASSWORD'),
});
console.log(`signed in as ${login.user.displayName} (${login.user.roles.join(', ')})`);
const token = login.accessToken;

const { stations } = await request(
  StationsNear,
  { lat, lng, radiusKm: Number(env('GRIDLEDGER_RADIUS_KM', '25')) },
  token,
);
console.log(`${stations.edges.length} station(s) within reach of ${lat},${lng}`);
const free = stations.edges
  .flatMap(({ node: s }) =>
    s.chargers.flatMap((c) =>
      c.connectors
        .filter((k) => k.status === 'AVAILABLE')
        .map((k) => ({ station: s, charger: c, evseId: k.evseId })),
    ),
  )
  .at(0);
if (!free) throw new Error('no free EVSE near here');
console.log(
  `free EVSE ${free.evseId} on ${free.charger.identity} at ${free.station.name} (${free.station.distanceKm?.toFixed(1)} km)`,
);

const { startCharging } = await request(
  StartCharging,
  { chargerId: free.charger.id, evseId: free.evseId, idToken: env('GRIDLEDGER_ID_TOKEN') },
  token,
);
console.log(`the charger answered the start: ${startCharging.status}`);
if (startCharging.status !== 'Accepted') process.exit(1);

// The charger starts the transaction on its own time: the session appears a moment later.
let sessionId: string | undefined;
for (let i = 0; i < 60 && !sessionId; i++) {
  const { sessions } = await request(ActiveSession, { chargerId: free.charger.id }, token);
  sessionId = sessions.edges[0]?.node.id;
  if (!sessionId) await new Promise((r) => setTimeout(r, 500));
}
if (!sessionId) throw new Error('the session did not start');
console.log(`session ${sessionId} started`);

// Live: every meter value, the stop, and the settlement, until the session is paid (or not).
const ws = createClient({
  url: api.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
});
const recordId = await new Promise<string | null>((resolve, reject) => {
  let settled = false;
  const stop = ws.subscribe<{
    sessionUpdated: {
      kind: string;
      costSoFar: string | null;
      session: {
        status: string;
        energyWh: number;
        currency: string;
        settlement: { status: string; recordId: string; txHash: string | null } | null;
      } | null;
    };
  }>(
    { query: print(SessionUpdated), variables: { sessionId } },
    {
      next: ({ data }) => {
        const u = data?.sessionUpdated;
        if (!u?.session) return;
        const s = u.session;
        console.log(
          `live ${u.kind}: ${s.status}, ${(s.energyWh / 1000).toFixed(3)} kWh, ${u.costSoFar ?? '—'} ${s.currency}` +
            (s.settlement ? `, settlement ${s.settlement.status}` : ''),
        );
        if (s.settlement && ['CONFIRMED', 'FAILED'].includes(s.settlement.status) && !settled) {
          settled = true;
          stop();
          resolve(s.settlement.status === 'CONFIRMED' ? s.settlement.recordId : null);
        }
      },
      error: reject,
      complete: () => {},
    },
  );
  // The settlement may have landed before the subscription did: ask once too.
  void request(Session, { id: sessionId! }, token).then(({ session }) => {
    if (session.settlement?.status === 'CONFIRMED' && !settled) {
      settled = true;
      stop();
      resolve(session.settlement.recordId);
    }
  });
});
await ws.dispose();
if (!recordId) throw new Error('the session was not paid on chain');

const { settlementProof: proof } = await request(SettlementProof, { recordId }, token);
const typed = JSON.parse(proof.typedData) as {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  message: Record<string, unknown>;
};
const { EIP712Domain: _, ...types } = typed.types;
const recomputed = TypedDataEncoder.hash(typed.domain, types, typed.message);
console.log(
  `settlement record ${proof.recordId}: tx ${proof.txHash}, block ${proof.blockNumber}, log ${proof.logIndex}`,
);
console.log(
  `record hash ${proof.recordHash} ${recomputed === proof.recordHash ? 'matches' : 'DOES NOT match'} the typed data`,
);
process.exit(recomputed === proof.recordHash ? 0 : 1);
