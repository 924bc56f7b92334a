/**
 * Settlement end to end: charging sessions stopped by OCPP 1.6 chargers (StopTransaction over a real
 * WebSocket to the bridge) until their settlement is CONFIRMED in the session subgraph's database,
 * through the whole path — bridge, BullMQ, session subgraph (stop, pricing, the energy check,
 * numbering), settlement queue, worker (batch, transaction, receipt), outcome queue, session subgraph —
 * on a local Hardhat node that mines a block every second (automine off), with a 1 s batch window.
 *
 *   npm run bench:settlement:e2e      (BENCH_RATE stops/s, default 500; BENCH_SECONDS, default 6)
 *
 * Seeding (not measured): an operator with a wallet, stations with a tariff in the settlement currency,
 * chargers of 10 EVSEs, BENCH_DRIVERS drivers (default 200) each with a card, a wallet, escrow and
 * limits, and one session started an hour ago on every EVSE (StartTransaction, through the charge
 * guard). Measured: the stops, offered at BENCH_RATE per second, each one's latency from the moment
 * its StopTransaction is sent to the moment the subgraph writes CONFIRMED (`settlement_updated_at`,
 * the same machine's clock), and records confirmed per second. The floor of that latency is one block
 * time (1 s); the worker's own path is measured by `npm run bench:settlement` (bench/settlement.bench.ts).
 * Every process — chain, Postgres, Redis, the platform's six processes and this load generator —
 * shares the machine's cores.
 */
import { JsonRpcProvider, Network, parseEther, Wallet, Contract, MaxUint256 } from 'ethers';
import { rm } from 'node:fs/promises';
import ocpp from 'ocpp-rpc';
import pg from 'pg';
import { artifact, deploymentPath, deployPayments, writeDeployment } from '../lib/chain/contracts.js';
import { devWallet, startHardhatNode } from '../lib/chain/hardhat-node.js';
import { freePort } from '../scripts/platform.js';
import { apiClient } from '../scripts/sim-support.js';
import { pool } from './bench-api.js';
import { BENCH_ADMIN, benchPlatform } from './bench-platform.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const DRIVERS = Number(process.env.BENCH_DRIVERS ?? 200);
const EVSES = 10;
const SESSIONS = RATE * SECONDS;
const CHARGERS = Math.ceil(SESSIONS / EVSES);
const STATIONS = 10;
const USD = (n: number) => BigInt(Math.round(n * 1e6));
const say = (line: string) => console.log(`  ${line}`);

// The chain: a node of the bench's own, the contracts, a deployment file the services read.
const node = await startHardhatNode(await freePort());
const provider = new JsonRpcProvider(node.url, Network.from(31337), {
  staticNetwork: true,
  batchMaxCount: 1,
  cacheTimeout: -1,
});
const admin = devWallet(0, provider);
const { paymentsContract, token } = await deployPayments({ deployer: admin, settler: devWallet(1).address });
const network = `bench-e2e-${Date.now().toString(36)}`;
await writeDeployment({
  network,
  chainId: 31337,
  paymentsContract,
  token,
  tokenDecimals: 6,
  deployedAt: new Date().toISOString(),
  blockNumber: 0,
});

const bench = await benchPlatform(
  new Set(['user', 'station', 'session', 'gateway', 'ocpp-bridge', 'settlement-worker']),
  {
    CHAIN_RPC_URL: node.url,
    SETTLEMENT_NETWORK: network,
    SETTLEMENT_BATCH_SIZE: process.env.BENCH_BATCH ?? '250',
    SETTLEMENT_BATCH_WINDOW_MS: '1000',
    SETTLEMENT_POLL_MS: '100',
    SETTLEMENT_PIPELINE: process.env.BENCH_PIPELINE ?? '6',
  },
);
const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
const clients: InstanceType<typeof ocpp.RPCClient>[] = [];
let exitCode = 0;
try {
  await bench.start();
  await db.connect();
  const { config } = bench;
  const { gql, login, linkDevWallet, linkWallet } = apiClient(
    `http://${config.host}:${config.ports.gateway}/graphql`,
  );
  const seedStarted = Date.now();

  // The operator (payee: development wallet 3), its stations and chargers.
  const adminToken = await login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const operatorEmail = `operator-${bench.id}@bench.local`;
  const password = 'bench password 123';
  const registered = await gql<{ register: { user: { id: string } } }>(
    'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
    { i: { email: operatorEmail, password, displayName: 'Bench Operator' } },
  );
  await gql(
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [OPERATOR]) { id } }',
    { u: registered.register.user.id },
    adminToken,
  );
  const operator = await login(operatorEmail, password);
  await linkDevWallet(operator, 3);
  const stations: string[] = [];
  for (let s = 0; s < STATIONS; s++) {
    const { createStation } = await gql<{ createStation: { id: string } }>(
      'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
      {
        i: {
          name: `Bench hub ${s}`,
          address: `${s} Benchmark Street`,
          location: { lat: 52.5 + s / 100, lng: 13.4 },
          timezone: 'Europe/Berlin',
        },
      },
      operator,
    );
    await gql(
      'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
      { i: { stationId: createStation.id, name: 'USD', currency: 'USD', pricePerKwh: '0.40' } },
      operator,
    );
    stations.push(createStation.id);
  }
  const chargers: { identity: string; password: string }[] = [];
  await pool(CHARGERS, 10, async (c) => {
    const identity = `E2E-${bench.id}-${c}`;
    const { registerCharger } = await gql<{ registerCharger: { password: string } }>(
      'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password } }',
      {
        s: stations[c % STATIONS],
        i: {
          identity,
          connectors: Array.from({ length: EVSES }, (_, e) => ({
            evseId: e + 1,
            type: 'CCS2',
            maxPowerKw: 50,
          })),
        },
      },
      operator,
    );
    chargers[c] = { identity, password: registerCharger.password };
  });

  // Drivers: a card and a wallet each; the wallet deposits 1,000 USD and allows 100 USD per record
  // and 1,000 per day (holds: 30 min at 50 kW × 0.40 USD/kWh = 10 USD per session in progress).
  const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
  const ledgerAbi = (await artifact('PaymentLedger')).abi;
  const wallets = Array.from({ length: DRIVERS }, () => Wallet.createRandom(provider));
  for (const w of wallets) {
    await (await admin.sendTransaction({ to: w.address, value: parseEther('1') })).wait();
    await (await stable.getFunction('mint')(w.address, USD(1000))).wait();
  }
  await pool(DRIVERS, 10, async (d) => {
    const w = wallets[d]!;
    await (await (stable.connect(w) as Contract).getFunction('approve')(paymentsContract, MaxUint256)).wait();
    const ledger = new Contract(paymentsContract, ledgerAbi, w);
    await (await ledger.getFunction('deposit')(USD(1000))).wait();
    await (await ledger.getFunction('setLimits')(USD(100), USD(1000))).wait();
    const email = `driver-${bench.id}-${d}@bench.local`;
    await gql('mutation($i: RegisterInput!) { register(input: $i) { user { id } } }', {
      i: { email, password, displayName: `Driver ${d}` },
    });
    const driver = await login(email, password);
    await gql('mutation($t: String!) { addIdToken(token: $t) { id } }', { t: `E2E${d}` }, driver);
    await linkWallet(driver, w);
  });

  // Every EVSE: a session started an hour ago (10 kWh by the stop is well within 50 kW × 1 h).
  await pool(CHARGERS, 50, async (c) => {
    const client = new ocpp.RPCClient({
      endpoint: `ws://${config.host}:${config.ports.ocpp}/ocpp`,
      identity: chargers[c]!.identity,
      password: chargers[c]!.password,
      protocols: ['ocpp1.6'],
      strictMode: false,
      reconnect: false,
      callTimeoutMs: 60_000,
    } as never);
    await client.connect();
    clients[c] = client;
  });
  const startedAt = new Date(Date.now() - 3600_000).toISOString();
  const transactions: { client: number; transactionId: number }[] = [];
  await pool(SESSIONS, 50, async (k) => {
    const c = Math.floor(k / EVSES);
    const answer = (await clients[c]!.call('StartTransaction', {
      connectorId: (k % EVSES) + 1,
      idTag: `E2E${k % DRIVERS}`,
      meterStart: 0,
      timestamp: startedAt,
    })) as { transactionId: number; idTagInfo: { status: string } };
    if (answer.idTagInfo.status !== 'Accepted')
      throw new Error(`StartTransaction ${k} was answered ${answer.idTagInfo.status}`);
    transactions[k] = { client: c, transactionId: answer.transactionId };
  });
  const count = async (where: string) =>
    Number((await db.query(`select count(*) from session.charging_session where ${where}`)).rows[0].count);
  for (let deadline = Date.now() + 120_000; (await count(`status = 'ACTIVE'`)) < SESSIONS;) {
    if (Date.now() > deadline) throw new Error('the sessions did not all become ACTIVE in 2 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  say(
    `seeded in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s: ${STATIONS} stations, ${CHARGERS} chargers × ${EVSES} EVSEs, ` +
      `${DRIVERS} drivers, ${SESSIONS} sessions in progress`,
  );

  // The measured part: a block a second from now on, as a real chain mines.
  await provider.send('evm_setAutomine', [false]);
  await provider.send('evm_setIntervalMining', [1000]);
  const sentAt = new Map<string, number>();
  const stops: Promise<unknown>[] = [];
  // When each session was first seen stopped (polled every 200 ms): the stop's own part of the path
  // (bridge, queue, session subgraph), apart from its settlement's.
  const stoppedSeenAt = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const seen = await db.query<{ k: string }>(
        `select charger_identity || '|' || transaction_id as k from session.charging_session where status <> 'ACTIVE'`,
      );
      const now = Date.now();
      for (const { k } of seen.rows) if (!stoppedSeenAt.has(k)) stoppedSeenAt.set(k, now);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const t0 = Date.now();
  const perTick = RATE / 10;
  for (let tick = 0; tick < SECONDS * 10; tick++) {
    for (let i = 0; i < perTick; i++) {
      const k = tick * perTick + i;
      const { client, transactionId } = transactions[k]!;
      sentAt.set(`${chargers[client]!.identity}|${transactionId}`, Date.now());
      stops.push(
        clients[client]!.call('StopTransaction', {
          transactionId,
          meterStop: 10_000,
          timestamp: new Date().toISOString(),
        }),
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (tick + 1) * 100 - Date.now())));
  }
  await Promise.all(stops);
  const stopsSeconds = (Date.now() - t0) / 1000;
  // Until every session has a final settlement status, or nothing changed for 60 s.
  let settled = 0;
  for (let last = Date.now(); settled < SESSIONS && Date.now() - last < 60_000;) {
    const now = await count(`settlement_status in ('CONFIRMED', 'FAILED') or status = 'DISPUTED'`);
    if (now > settled) last = Date.now();
    settled = now;
    await new Promise((r) => setTimeout(r, 200));
  }
  polling = false;
  await poller;
  const rows = (
    await db.query<{ identity: string; tx: string; status: string | null; at: string | null }>(
      `select charger_identity as identity, transaction_id as tx, settlement_status as status,
              extract(epoch from settlement_updated_at) * 1000 as at
         from session.charging_session`,
    )
  ).rows;
  const latencies: number[] = [];
  const stopLatencies: number[] = [];
  const confirmedAt: number[] = [];
  const byStatus = new Map<string, number>();
  for (const r of rows) {
    byStatus.set(r.status ?? 'none', (byStatus.get(r.status ?? 'none') ?? 0) + 1);
    const sent = sentAt.get(`${r.identity}|${r.tx}`);
    if (r.status !== 'CONFIRMED' || sent === undefined || r.at === null) continue;
    latencies.push(Number(r.at) - sent);
    const seen = stoppedSeenAt.get(`${r.identity}|${r.tx}`);
    if (seen !== undefined) stopLatencies.push(seen - sent);
    confirmedAt.push(Number(r.at) - t0);
  }
  const quantile = (list: number[]) => {
    list.sort((a, b) => a - b);
    return (x: number) => list[Math.min(list.length - 1, Math.floor(x * list.length))]! / 1000;
  };
  const q = quantile(latencies);
  const qStop = quantile(stopLatencies);
  const total = Math.max(...confirmedAt) / 1000;
  const steady = confirmedAt.filter((t) => t >= 2000 && t < SECONDS * 1000).length / (SECONDS - 2);
  say(
    `${SESSIONS} StopTransactions offered at ${RATE}/s (sent in ${stopsSeconds.toFixed(1)} s); settlement: ` +
      [...byStatus].map(([s, n]) => `${n} ${s}`).join(', '),
  );
  say(
    `stop → CONFIRMED: p50 ${q(0.5).toFixed(2)} s, p99 ${q(0.99).toFixed(2)} s, max ${q(1).toFixed(2)} s ` +
      `(floor: one block, 1 s; target p99 < 3 s) — ${(latencies.length / total).toFixed(0)} records/s overall, ` +
      `${steady.toFixed(0)} records/s steady (seconds 2–${SECONDS}) (target ≥ 500)`,
  );
  say(
    `of which stop → session stopped in the database (bridge, queue, session subgraph; polled every 200 ms): ` +
      `p50 ${qStop(0.5).toFixed(2)} s, p99 ${qStop(0.99).toFixed(2)} s`,
  );
  if (latencies.length < SESSIONS) exitCode = 1;
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  for (const c of clients) await c?.close({ force: true }).catch(() => {});
  await db.end().catch(() => {});
  await bench.cleanUp();
  await rm(deploymentPath(network), { force: true });
  node.stop();
}
process.exit(exitCode);
