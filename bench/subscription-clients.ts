/**
 * The subscribers of bench:subscriptions, in a process of their own so that the chargers' rhythm in
 * the main bench process does not depend on how busy the clients are. Each subscriber is a raw
 * graphql-ws client (the protocol is four message types). To keep the load generator cheap at 100,000
 * messages/s it does not parse whole events: it finds the event's `at` (the charger's send time) and
 * checks for `errors`.
 *
 * IPC in:  { type: 'open', url, token, stationId, count, document }, { type: 'measure' },
 *          { type: 'report' }, { type: 'close' }
 * IPC out: { type: 'opened' }, { type: 'report', deliveries, errors, histogram: [ms, count][] }
 */
import { WebSocket } from 'ws';

interface Open {
  type: 'open';
  url: string;
  token: string;
  stationId: string;
  count: number;
  document: string;
}

const AT = Buffer.from('"at":"');
const ERRORS = Buffer.from('"errors"');
const PING = Buffer.from('"type":"ping"');
const ISO_LENGTH = '2026-01-01T00:00:00.000Z'.length;

/** Latency histogram in whole milliseconds (the send time has millisecond resolution). */
let histogram = new Map<number, number>();
let deliveries = 0;
let errors = 0;
let measuring = false;
const sockets: WebSocket[] = [];

function received(ws: WebSocket, data: Buffer): void {
  if (data.indexOf(PING) !== -1) {
    ws.send('{"type":"pong"}');
    return;
  }
  if (data.indexOf(ERRORS) !== -1 && errors++ === 0) console.error(`first error event: ${data}`);
  if (!measuring) return;
  const i = data.indexOf(AT);
  if (i === -1) return;
  const at = Date.parse(data.toString('latin1', i + AT.length, i + AT.length + ISO_LENGTH));
  const ms = Math.max(0, Date.now() - at);
  histogram.set(ms, (histogram.get(ms) ?? 0) + 1);
  deliveries++;
}

async function subscriber(open: Open): Promise<void> {
  const ws = new WebSocket(open.url, 'graphql-transport-ws', {
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => ws.once('message', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${open.token}` } }));
  await acked;
  ws.on('message', (data: Buffer) => received(ws, data));
  ws.send(
    JSON.stringify({
      id: '1',
      type: 'subscribe',
      payload: { query: open.document, variables: { s: open.stationId } },
    }),
  );
  sockets.push(ws);
}

process.on('message', async (msg: Open | { type: 'measure' | 'report' | 'close' }) => {
  switch (msg.type) {
    case 'open':
      for (let opened = 0; opened < msg.count;) {
        const batch = Math.min(50, msg.count - opened);
        await Promise.all(Array.from({ length: batch }, () => subscriber(msg)));
        opened += batch;
      }
      process.send!({ type: 'opened' });
      break;
    case 'measure':
      histogram = new Map();
      deliveries = 0;
      errors = 0;
      measuring = true;
      break;
    case 'report':
      measuring = false;
      process.send!({ type: 'report', deliveries, errors, histogram: [...histogram] });
      break;
    case 'close':
      for (const ws of sockets.splice(0)) ws.terminate();
      process.exit(0);
  }
});
