/**
 * OCPP bridge benchmark: one bridge process (a child, so that its CPU is its own) holding N charger
 * connections, each sending one message every `interval` seconds — heartbeats, status notifications
 * and meter values of a transaction (which are durably enqueued in BullMQ before the answer).
 *
 *   npm run bench:ocpp -- [--chargers 15000] [--interval 10] [--duration 30] [--server bridge|rpc|ws]
 *
 * Prints connections held, messages/s, round-trip p50/p99, bridge CPU µs per message and RSS per
 * connection. The load generator runs on the same 2 cores as the bridge and Redis.
 *
 * `--server rpc` and `--server ws` put a lower bound in the bridge's place under the same load
 * (see ocpp-floor-child.ts): ocpp-rpc with strict validation answering at once, and a bare `ws`
 * server answering at once. The differences show what the bridge's own work costs per message.
 * CPU per message depends on the rate: the more messages each wake of the event loop handles, the
 * less each costs (ocpp-rpc's lower bound measured 45, 37 and 23 µs at 1,500, 3,000 and 7,500
 * msg/s on the 2-core development machine), so compare figures at the same --chargers/--interval.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ocpp from 'ocpp-rpc';
import { createLogger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { BENCH_PASSWORD } from './ocpp-bench-shared.js';

const { values } = parseArgs({
  options: {
    chargers: { type: 'string', default: '15000' },
    interval: { type: 'string', default: '10' },
    duration: { type: 'string', default: '30' },
    'connect-concurrency': { type: 'string', default: '200' },
    /** Message mix: `default` (60/20/20), or only `heartbeat`, `status` or `meter`, to see each one's cost. */
    mix: { type: 'string', default: 'default' },
    /** Writes a CPU profile of the bridge during the measured window to this file (Chrome DevTools). */
    profile: { type: 'string' },
    /** What answers the chargers: the real `bridge`, or a lower bound (`rpc`, `ws`). */
    server: { type: 'string', default: 'bridge' },
  },
});
const N = Number(values.chargers);
const intervalMs = Number(values.interval) * 1000;
const durationMs = Number(values.duration) * 1000;
const prefix = `bench-ocpp-${Date.now().toString(36)}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Stats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  connections: number;
}

const SERVERS: Record<string, { file: string; args: string[]; label: string }> = {
  bridge: { file: './ocpp-bridge-child.js', args: [], label: 'the bridge' },
  rpc: {
    file: './ocpp-floor-child.js',
    args: ['rpc'],
    label: 'LOWER BOUND: ocpp-rpc, strict validation, immediate answers, no Redis',
  },
  ws: {
    file: './ocpp-floor-child.js',
    args: ['ws'],
    label: 'LOWER BOUND: bare ws server, JSON parse + immediate answer',
  },
};
const server = SERVERS[values.server as string];
if (!server) throw new Error(`--server must be one of ${Object.keys(SERVERS).join(', ')}`);

function startBridge(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL(server.file, import.meta.url)), server.args, {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      OCPP_PORT: '0',
      OCPP_MAX_CONNECTIONS: String(Math.max(N + 100, 1000)),
      OCPP_LAST_SEEN_THROTTLE_MS: '30000',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code}`)));
  });
}

const stats = (child: ChildProcess) =>
  new Promise<Stats>((resolve) => {
    child.once('message', (m: Stats) => resolve(m));
    child.send({ type: 'stats' });
  });

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { child, port } = await startBridge();
const baseline = await stats(child);
console.log(`bridge pid ${child.pid} on port ${port}; connecting ${N} chargers…`);

const clients: InstanceType<typeof ocpp.RPCClient>[] = [];
const connectStarted = Date.now();
let next = 0;
let failedConnects = 0;
async function connectWorker() {
  while (next < N) {
    const i = next++;
    const client = new ocpp.RPCClient({
      endpoint: `ws://127.0.0.1:${port}/ocpp`,
      identity: `BENCH-${i}`,
      password: BENCH_PASSWORD,
      protocols: ['ocpp1.6'],
      strictMode: false, // the bridge validates; the generator need not spend CPU on it
      reconnect: false,
      pingIntervalMs: 300_000,
      callTimeoutMs: 30_000,
    } as never);
    try {
      await client.connect();
      clients.push(client);
    } catch {
      failedConnects++;
    }
  }
}
await Promise.all(Array.from({ length: Number(values['connect-concurrency']) }, connectWorker));
const connectSeconds = (Date.now() - connectStarted) / 1000;
const held = await stats(child);
console.log(`connected ${clients.length} in ${connectSeconds.toFixed(1)} s (${failedConnects} failed)`);

// Open one transaction per charger on connector 1, so that meter values have something to belong to.
const transactions = new Map<InstanceType<typeof ocpp.RPCClient>, number>();
await Promise.all(
  clients.map(async (c, i) => {
    await sleep((i / clients.length) * 5000);
    const r = (await c.call('StartTransaction', {
      connectorId: 1,
      idTag: 'BENCHCARD',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    })) as { transactionId: number };
    transactions.set(c, r.transactionId);
  }),
);

let measuring = false;
const rtts: number[] = [];
let sent = 0;
let errors = 0;
let meter = 0;
function message(c: InstanceType<typeof ocpp.RPCClient>, k: number): [string, unknown] {
  const only = { heartbeat: 0, status: 6, meter: 8 }[values.mix as string];
  const kind = only ?? k % 10;
  if (kind < 6) return ['Heartbeat', {}];
  if (kind < 8) {
    return [
      'StatusNotification',
      {
        connectorId: 1,
        errorCode: 'NoError',
        status: k % 2 ? 'Charging' : 'SuspendedEV',
        timestamp: new Date().toISOString(),
      },
    ];
  }
  meter += 10;
  return [
    'MeterValues',
    {
      connectorId: 1,
      transactionId: transactions.get(c),
      meterValue: [
        {
          timestamp: new Date(Date.now() + k).toISOString(),
          sampledValue: [{ value: String(meter), unit: 'Wh' }],
        },
      ],
    },
  ];
}

const timers: NodeJS.Timeout[] = [];
clients.forEach((c, i) => {
  let k = i;
  const fire = () => {
    const [method, params] = message(c, k++);
    const t0 = process.hrtime.bigint();
    c.call(method, params).then(
      () => {
        if (measuring) {
          rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
          sent++;
        }
      },
      () => {
        if (measuring) errors++;
      },
    );
  };
  // Spread the chargers evenly over the interval.
  timers.push(
    setTimeout(() => timers.push(setInterval(fire, intervalMs)), (i / clients.length) * intervalMs),
  );
});

await sleep(intervalMs); // warm-up: every charger has started its rhythm
measuring = true;
if (values.profile) child.send({ type: 'profile-start' });
const before = await stats(child);
const t0 = Date.now();
await sleep(durationMs);
const after = await stats(child);
measuring = false;
if (values.profile) {
  child.send({ type: 'profile-stop', file: values.profile });
  await once(child, 'message');
}
const seconds = (Date.now() - t0) / 1000;

timers.forEach((t) => clearTimeout(t));
timers.forEach((t) => clearInterval(t));
rtts.sort((a, b) => a - b);
const userMicros = after.cpu.user - before.cpu.user;
const systemMicros = after.cpu.system - before.cpu.system;
const cpuMicros = userMicros + systemMicros;
const perMessage = (micros: number) => (micros / Math.max(1, sent)).toFixed(1);

console.log(`
OCPP bridge benchmark — one bridge process; load generator, Redis and bridge share this machine's 2 cores
  answered by              ${server.label}
  chargers held            ${after.connections} (asked ${N}; ${failedConnects} failed to connect)
  message rhythm           1 per charger every ${values.interval} s: 60% Heartbeat, 20% StatusNotification, 20% MeterValues (enqueued)
  window                   ${seconds.toFixed(1)} s after ${values.interval} s warm-up
  messages/s               ${(sent / seconds).toFixed(0)} answered (${errors} errors)
  round trip p50 / p99     ${quantile(rtts, 0.5).toFixed(2)} ms / ${quantile(rtts, 0.99).toFixed(2)} ms   (target p99 < 20 ms)
  bridge CPU per message   ${perMessage(cpuMicros)} µs = ${perMessage(userMicros)} user + ${perMessage(systemMicros)} kernel   (target < 40 µs; includes enqueue and validation)
  bridge CPU utilisation   ${((cpuMicros / 1e6 / seconds) * 100).toFixed(1)} % of one core
  RSS per connection       ${((held.rss - baseline.rss) / 1024 / Math.max(1, held.connections)).toFixed(1)} KiB (bridge RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB)
  connect rate             ${(clients.length / connectSeconds).toFixed(0)} connections/s`);

await Promise.allSettled(clients.map((c) => c.close({ force: true })));
child.kill('SIGTERM');
await once(child, 'exit');
// Leave nothing behind in Redis.
const redis = createRedis(redisUrl, createLogger('bench', 'warn'));
let cursor = '0';
do {
  const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
  cursor = nextCursor;
  if (keys.length) await redis.del(...keys);
} while (cursor !== '0');
redis.disconnect();
process.exit(0);
