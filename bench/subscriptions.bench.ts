/**
 * Subscription benchmark: deliveries per second and latency from the charger's OCPP message to the
 * graphql-ws client, through the whole path (bridge → Redis pub/sub → station subgraph → upstream
 * graphql-ws → gateway, entity fetches to the user subgraph per event → clients), at 1, 100 and 1,000
 * concurrent subscribers, while the same statuses are stored through the durable path (BullMQ →
 * station subgraph → Postgres).
 *
 *   npm run bench:subscriptions -- [--rate 100] [--duration 10] [--levels 1,100,1000]
 *
 * Chargers of one station send StatusNotification at `--rate` events/s in all; each timestamp is the
 * moment of sending, and each client measures `now - at` for every event it gets. The subscribers are
 * one operator's dashboards following the station, with the same document: they share one upstream
 * subscription and one execution per event (different callers would not share, see
 * gateway/subscriptions/). The subscribers run in `--client-processes` processes of their own
 * (bench/subscription-clients.ts), the chargers in this one. Target on this 2-core machine: 100,000 deliveries/s with p99 < 50 ms at
 * 1,000 subscribers. CPU seconds per process during each measurement show where the time goes.
 *
 * `--floor` runs the same clients against a bare `ws` server that writes the same event frames at
 * the same rate (bench/subscription-floor-server.ts) instead of the platform: what moving the frames
 * alone costs on this machine, the bound under which the platform's figures must stay.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';
import { BENCH_ADMIN, benchPlatform } from './bench-platform.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    levels: { type: 'string', default: '1,100,1000' },
    /** Processes the subscribers are spread over (they share the machine's cores with everything). */
    'client-processes': { type: 'string', default: '2' },
    /** The lower bound: a bare ws server writing the same frames in the platform's place. */
    floor: { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const DURATION_S = Number(values.duration);
const LEVELS = values.levels.split(',').map(Number);
const CLIENT_PROCESSES = Number(values['client-processes']);
const CHARGERS = 4;
const WARM_UP_MS = 2000;
if (![RATE, DURATION_S, CLIENT_PROCESSES, ...LEVELS].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--rate, --duration, --levels and --client-processes take positive integers');

const SERVICES = new Set(['user', 'station', 'session', 'gateway', 'ocpp-bridge']);
const { id, config, start, cleanUp } = await benchPlatform(SERVICES);
const gatewayUrl = `http://${config.host}:${config.ports.gateway}/graphql`;

async function gql<T = Record<string, any>>(query: string, variables = {}, token?: string): Promise<T> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** An operator with one station and CHARGERS chargers; returns the operator's token and the chargers. */
async function seed() {
  const login = (email: string, password: string) =>
    gql<{ login: { accessToken: string } }>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: email, p: password },
    ).then((d) => d.login.accessToken);
  const admin = await login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const email = `operator-${id}@bench.local`;
  const password = 'bench password 123';
  const reg = await gql<{ register: { user: { id: string } } }>(
    'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
    { i: { email, password, displayName: 'Bench Operator' } },
  );
  await gql(
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [OPERATOR]) { id } }',
    { u: reg.register.user.id },
    admin,
  );
  const operator = await login(email, password);
  const station = await gql<{ createStation: { id: string } }>(
    'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
    {
      i: {
        name: 'Bench Station',
        address: 'Bench Street 1',
        location: { lat: 52.52, lng: 13.4 },
        timezone: 'Europe/Berlin',
      },
    },
    operator,
  );
  const chargers: { identity: string; password: string }[] = [];
  for (let i = 0; i < CHARGERS; i++) {
    const r = await gql<{ registerCharger: { password: string; charger: { identity: string } } }>(
      'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { identity } } }',
      {
        s: station.createStation.id,
        i: { identity: `BENCH-${id}-${i}`, connectors: [{ evseId: 1, type: 'CCS2', maxPowerKw: 150 }] },
      },
      operator,
    );
    chargers.push({ identity: r.registerCharger.charger.identity, password: r.registerCharger.password });
  }
  return { operator, stationId: station.createStation.id, chargers };
}

const DOCUMENT = `subscription($s: ID) { chargerStatusChanged(stationId: $s) {
  status at evseId charger { identity station { name operator { displayName } } } } }`;

interface ClientsReport {
  deliveries: number;
  errors: number;
  histogram: [number, number][];
}

/** A process of subscribers (bench/subscription-clients.ts), driven over IPC. */
class ClientProcess {
  private readonly child: ChildProcess = fork(
    fileURLToPath(new URL('./subscription-clients.js', import.meta.url)),
    [],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );

  private request<T>(message: object, answer: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== answer) return;
        this.child.off('message', onMessage);
        this.child.off('exit', reject);
        resolve(m as T);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', reject);
      this.child.send(message);
    });
  }

  open(url: string, count: number, token: string, stationId: string) {
    return this.request({ type: 'open', url, token, stationId, count, document: DOCUMENT }, 'opened');
  }

  measure() {
    this.child.send({ type: 'measure' });
  }

  report() {
    return this.request<ClientsReport>({ type: 'report' }, 'report');
  }

  async close() {
    this.child.send({ type: 'close' });
    if (this.child.exitCode === null) await once(this.child, 'exit');
  }
}

/** Where the events come from, and where the subscribers connect. */
interface EventSource {
  url: string;
  token: string;
  stationId: string;
  /** One status event, sent at `at` (ms since the epoch). */
  emit(at: number): void;
  close(): Promise<void>;
}

/** The platform: chargers of one seeded station send StatusNotification to the bridge. */
async function platformSource(): Promise<EventSource> {
  await start();
  const { operator, stationId, chargers } = await seed();
  type Options = ConstructorParameters<typeof RPCClient>[0];
  const clients = await Promise.all(
    chargers.map(async (c) => {
      const client = new RPCClient({
        endpoint: `ws://127.0.0.1:${config.ports.ocpp}/ocpp`,
        identity: c.identity,
        password: c.password,
        protocols: ['ocpp1.6'],
        strictMode: true,
      } as Partial<Options> as Options);
      await client.connect();
      return client;
    }),
  );
  let turn = 0;
  return {
    url: gatewayUrl.replace(/^http/, 'ws'),
    token: operator,
    stationId,
    emit(at) {
      const client = clients[turn++ % clients.length]!;
      void client
        .call('StatusNotification', {
          connectorId: 1,
          errorCode: 'NoError',
          status: turn % 2 ? 'Available' : 'Preparing',
          timestamp: new Date(at).toISOString(),
        })
        .catch(() => {});
    },
    close: async () => void (await Promise.all(clients.map((c) => c.close({ force: true })))),
  };
}

/** The lower bound: bench/subscription-floor-server.ts writes each event to every subscriber. */
async function floorSource(): Promise<EventSource> {
  const child = fork(fileURLToPath(new URL('./subscription-floor-server.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    token: 'floor',
    stationId: 'floor',
    emit: (at) => child.send({ type: 'emit', at: new Date(at).toISOString() }),
    close: async () => {
      child.kill();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * CPU seconds (user and kernel) so far: this process, each platform process (its children, by entry
 * point), Redis and Postgres (all its backends together).
 */
function cpuByProcess(): Map<string, { user: number; kernel: number }> {
  const out = new Map<string, { user: number; kernel: number }>();
  const add = (name: string, user: number, kernel: number) => {
    const sum = out.get(name) ?? { user: 0, kernel: 0 };
    out.set(name, { user: sum.user + user, kernel: sum.kernel + kernel });
  };
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [user, kernel] = [Number(fields[11]) / 100, Number(fields[12]) / 100];
      let name: string | undefined;
      if (pid === process.pid) name = 'bench chargers';
      else if (Number(fields[1]) === process.pid) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        name = /dist\/(\S+?)(?:\/index)?\.js/.exec(cmd)?.[1] ?? comm;
      } else if (comm.startsWith('redis-server')) name = 'redis';
      else if (comm.startsWith('postgres')) name = 'postgres';
      if (name) add(name, user, kernel);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** The p-th percentile of a latency histogram ([ms, count] pairs). */
function percentile(histogram: Map<number, number>, p: number): number {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const [ms, count] of [...histogram].sort((a, b) => a[0] - b[0])) {
    seen += count;
    if (seen > rank) return ms;
  }
  return NaN;
}

async function main() {
  console.log(
    (values.floor
      ? `LOWER BOUND (--floor): a bare ws server writes ${RATE} event frames/s to every subscriber; no GraphQL, Redis or subgraphs, ${DURATION_S} s per level\n`
      : `Subscription benchmark: ${RATE} status events/s from ${CHARGERS} OCPP 1.6 chargers, ${DURATION_S} s per level\n`) +
      `  Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}`,
  );
  const source = values.floor ? await floorSource() : await platformSource();
  let last = 0;
  let sent = 0;
  const send = () => {
    const at = Math.max(Date.now(), last + 1);
    last = at;
    sent++;
    source.emit(at);
  };
  // On schedule: each tick sends what is due by now, so a late timer under load does not lower the
  // offered rate (setInterval alone gave 95 of 100 events/s at 1,000 subscribers).
  const startedSending = Date.now();
  const ticker = setInterval(
    () => {
      const due = Math.floor(((Date.now() - startedSending) * RATE) / 1000);
      while (sent < due) send();
    },
    Math.max(1, Math.round(1000 / Math.min(RATE, 100))),
  );

  const rows: string[] = [];
  for (const level of LEVELS) {
    const processes = Array.from({ length: Math.min(CLIENT_PROCESSES, level) }, () => new ClientProcess());
    await Promise.all(
      processes.map((p, i) =>
        p.open(
          source.url,
          Math.floor(level / processes.length) + (i < level % processes.length ? 1 : 0),
          source.token,
          source.stationId,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const cpuBefore = cpuByProcess();
    const sentBefore = sent;
    for (const p of processes) p.measure();
    const started = Date.now();
    await new Promise((r) => setTimeout(r, DURATION_S * 1000));
    const reports = await Promise.all(processes.map((p) => p.report()));
    const seconds = (Date.now() - started) / 1000;
    const cpuAfter = cpuByProcess();
    await Promise.all(processes.map((p) => p.close()));
    const histogram = new Map<number, number>();
    for (const r of reports)
      for (const [ms, count] of r.histogram) histogram.set(ms, (histogram.get(ms) ?? 0) + count);
    const deliveries = reports.reduce((n, r) => n + r.deliveries, 0);
    const errors = reports.reduce((n, r) => n + r.errors, 0);
    const events = (sent - sentBefore) / seconds;
    const cpu = [...cpuAfter]
      .map(([name, v]) => {
        const before = cpuBefore.get(name) ?? { user: 0, kernel: 0 };
        return [name, (v.user - before.user) / seconds, (v.kernel - before.kernel) / seconds] as const;
      })
      .filter(([, user, kernel]) => user + kernel > 0.005)
      .sort((a, b) => b[1] + b[2] - a[1] - a[2])
      .map(
        ([name, user, kernel]) =>
          `${name} ${((user + kernel) * 100).toFixed(0)}% (${(kernel * 100).toFixed(0)} kernel)`,
      )
      .join(', ');
    rows.push(
      `  ${String(level).padStart(5)} subscribers   ${events.toFixed(0).padStart(4)} events/s sent   ` +
        `${(deliveries / seconds).toFixed(0).padStart(7)} deliveries/s (${((deliveries / seconds / Math.max(1, events * level)) * 100).toFixed(0)}% of sent × subscribers)   ` +
        `p50 ${percentile(histogram, 50)} ms   p99 ${percentile(histogram, 99)} ms   max ${percentile(histogram, 100)} ms   ` +
        `errors ${errors}\n      CPU (share of one core): ${cpu}`,
    );
    console.log(rows.at(-1));
  }
  clearInterval(ticker);
  await source.close();
  console.log(
    `\n  target: 100,000 deliveries/s with p99 < 50 ms at 1,000 subscribers\n` +
      `  Caveat: 2 cores shared by the bench process (chargers and every client), the bridge, the\n` +
      `  subgraphs, the gateway, Postgres and Redis; latency is measured from the charger's send to the\n` +
      `  client's receipt on one clock.`,
  );
}

try {
  await main();
} finally {
  await cleanUp();
}
