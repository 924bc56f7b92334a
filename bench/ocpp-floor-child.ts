/**
 * Lower bounds for the bridge benchmark, in the bridge's place (`npm run bench:ocpp -- --server …`):
 *
 * - `ws`: a bare `ws` server on the same path and subprotocol that parses each OCPP-J call and
 *   answers it at once — the cost of holding WebSocket connections and moving JSON frames in Node.
 * - `rpc`: ocpp-rpc's RPCServer with the bridge's strict validators both ways and handlers that
 *   answer at once — everything the bridge does per message except its own handlers and enqueue.
 *
 * Neither touches Redis. Both check the Basic-auth password, as the bridge does, at connection time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import { WebSocketServer } from 'ws';
import { actionAwareValidators } from '../ocpp-bridge/validators.js';
import { BENCH_PASSWORD, serveBenchIpc } from './ocpp-bench-shared.js';

/** Immediate answers to the calls the benchmark sends. */
function answer(action: string): unknown {
  switch (action) {
    case 'Heartbeat':
      return { currentTime: new Date().toISOString() };
    case 'StartTransaction':
      return { transactionId: 1, idTagInfo: { status: 'Accepted' } };
    default:
      return {};
  }
}

const expectedAuthorization = (identity: string) =>
  `Basic ${Buffer.from(`${identity}:${BENCH_PASSWORD}`).toString('base64')}`;

const httpServer = http.createServer((_req, res) => res.writeHead(404).end());

/** A bare ws server: Basic auth at the upgrade, then JSON parse and an immediate answer per call. */
function bareWs() {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('ocpp1.6') ? 'ocpp1.6' : false),
  });
  httpServer.on('upgrade', (req, socket, head) => {
    const identity = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    if (req.headers.authorization !== expectedAuthorization(identity)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        const [type, id, action] = JSON.parse(data.toString()) as [number, string, string];
        if (type === 2) ws.send(JSON.stringify([3, id, answer(action)]));
      });
    });
  });
  return {
    connections: () => wss.clients.size,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

/** ocpp-rpc as the bridge configures it, with handlers that answer at once. */
function rpcServer() {
  const rpc = new RPCServer({
    protocols: ['ocpp1.6'],
    strictMode: true,
    strictModeValidators: actionAwareValidators(['ocpp1.6']) as never,
    respondWithDetailedErrors: false,
    callTimeoutMs: 30_000,
    pingIntervalMs: 60_000,
    deferPingsOnActivity: true,
  });
  let held = 0;
  rpc.auth((accept, reject, handshake) => {
    if (handshake.password?.toString() !== BENCH_PASSWORD) return reject(401, 'Unauthorized');
    accept({}, 'ocpp1.6');
  });
  rpc.on('client', (client) => {
    held++;
    client.on('close', () => held--);
    client.handle(({ method }: { method: string }) => answer(method));
  });
  httpServer.on('upgrade', rpc.handleUpgrade);
  return {
    connections: () => held,
    close: () => rpc.close({ code: 1001, awaitPending: false }),
  };
}

const server = process.argv[2] === 'ws' ? bareWs() : rpcServer();
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
serveBenchIpc({ port: (httpServer.address() as AddressInfo).port, ...server });
