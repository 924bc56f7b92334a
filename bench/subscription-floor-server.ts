/**
 * The lower bound of bench:subscriptions (`--floor`): a bare `ws` server speaking just enough
 * graphql-ws (connection_init → ack, subscribe, ping → pong, complete) that writes one event frame
 * to every subscription each time the bench tells it to — the same frames the gateway writes
 * (gateway's EventResult: serialized once, one frame per subscription id), with no GraphQL
 * execution, no Redis and no subgraphs. What is left is the cost of moving the frames on this
 * machine.
 *
 * IPC in:  { type: 'emit', at } (the charger's send time, as in a real event)
 * IPC out: { type: 'ready', port }
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EventResult } from '../gateway/subscriptions/index.js';

const subscriptions = new Map<WebSocket, Set<string>>();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  path: '/graphql',
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
});

wss.on('connection', (ws) => {
  subscriptions.set(ws, new Set());
  ws.on('close', () => subscriptions.delete(ws));
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string; id?: string };
    if (msg.type === 'connection_init') ws.send('{"type":"connection_ack"}');
    else if (msg.type === 'ping') ws.send('{"type":"pong"}');
    else if (msg.type === 'subscribe') subscriptions.get(ws)?.add(msg.id!);
    else if (msg.type === 'complete') subscriptions.get(ws)?.delete(msg.id!);
  });
});

let turn = 0;
process.on('message', (msg: { type: string; at: string }) => {
  if (msg.type !== 'emit') return;
  const i = turn++ % 4;
  const event = new EventResult(
    {
      data: {
        chargerStatusChanged: {
          status: turn % 2 ? 'AVAILABLE' : 'PREPARING',
          at: msg.at,
          evseId: 1,
          charger: {
            identity: `BENCH-floor-${i}`,
            station: { name: 'Bench Station', operator: { displayName: 'Bench Operator' } },
          },
        },
      },
    },
    JSON.stringify,
  );
  for (const [ws, ids] of subscriptions) for (const id of ids) ws.send(event.frame(id), { binary: false });
});

wss.on('listening', () => process.send!({ type: 'ready', port: (wss.address() as AddressInfo).port }));
