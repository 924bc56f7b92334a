/**
 * Drives simulated chargers against a running platform:
 *
 *   npm run simulate -- --chargers 20 --protocol mix --sessions [--minutes 2]
 *   npm run simulate -- --market --sites 6 --minutes 3      (the community energy market: simulate-market.ts)
 *
 * It signs in as the configured admin, creates a "Simulator" station with the chargers it needs (and
 * remembers their passwords in .gridledger/simulator.json), then every charger boots, reports its
 * connectors and, with --sessions, runs charging sessions with meter values every few seconds.
 *
 * In development, against the local chain that `npm start` deployed, the sessions also settle on
 * chain: the station gets a tariff in the settlement token's currency, the admin (its operator) and a
 * simulated driver (whose card the chargers are tapped with) get development wallets, and the driver
 * deposits test USD and sets its limits. The summary says how many sessions settled and names one
 * transaction to look up.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { JsonRpcProvider } from 'ethers';
import { readDeployment } from '../lib/chain/contracts.js';
import { loadConfig } from '../lib/config.js';

import { apiClient, fundEscrow } from './sim-support.js';
import { runCharger, sleep, type Credential, type Protocol } from './simulate-charger.js';

const { values } = parseArgs({
  options: {
    chargers: { type: 'string', default: '10' },
    protocol: { type: 'string', default: 'mix' },
    sessions: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '2' },
    gateway: { type: 'string' },
    ocpp: { type: 'string' },
    'id-token': { type: 'string' },
    market: { type: 'boolean', default: false },
    sites: { type: 'string', default: '6' },
  },
});
const config = loadConfig();
if (values.market) {
  const { simulateMarket } = await import('./simulate-market.js');
  process.exit(
    await simulateMarket(config, {
      gatewayUrl: values.gateway ?? `http://${config.host}:${config.ports.gateway}/graphql`,
      sites: Number(values.sites),
      minutes: Number(values.minutes),
    }),
  );
}
const gatewayUrl = values.gateway ?? `http://${config.host}:${config.ports.gateway}/graphql`;
const ocppUrl = values.ocpp ?? `ws://${config.host}:${config.ports.ocpp}/ocpp`;
const count = Number(values.chargers);
const mode = values.protocol;
if (!Number.isInteger(count) || count < 1 || !['1.6', '2.0.1', 'mix'].includes(mode)) {
  console.error(
    'usage: npm run simulate -- --chargers N --protocol 1.6|2.0.1|mix [--sessions] [--minutes M]',
  );
  process.exit(2);
}
const STORE = '.gridledger/simulator.json';
/** The card the chargers are tapped with: the simulated driver's (or, when sessions do not settle, the admin's). */
let card = values['id-token'] ?? 'SIMDRIVER01';

/** What the simulator keeps between runs (the chargers' passwords are shown only once). */
interface Store {
  stationId: string | null;
  chargers: Credential[];
  /** The account that plays the driver whose card the chargers are tapped with. */
  driver: { email: string; password: string } | null;
}

const { gql, login, linkDevWallet } = apiClient(gatewayUrl);

async function loadStore(): Promise<Store> {
  const saved = await readFile(STORE, 'utf8').then(JSON.parse, () => null);
  // Earlier versions kept a bare list of chargers, without their station: start afresh then.
  if (!saved || Array.isArray(saved)) return { stationId: null, chargers: [], driver: null };
  return saved as Store;
}

async function saveStore(store: Store) {
  await mkdir('.gridledger', { recursive: true });
  await writeFile(STORE, JSON.stringify(store, null, 2));
}

/** The simulator's station and chargers, topped up through the API as the admin (its operator). */
async function provision(store: Store, adminToken: string): Promise<Credential[]> {
  const protocolFor = (i: number): Protocol =>
    mode === '1.6' ? 'ocpp1.6' : mode === '2.0.1' ? 'ocpp2.0.1' : i % 2 ? 'ocpp2.0.1' : 'ocpp1.6';
  if (!store.stationId) {
    const { createStation } = await gql<{ createStation: { id: string } }>(
      `mutation { createStation(input: { name: "Simulator ${Date.now()}", address: "Simulated street 1",
         location: { lat: 52.52, lng: 13.405 }, timezone: "Europe/Berlin" }) { id } }`,
      {},
      adminToken,
    );
    store.stationId = createStation.id;
    store.chargers = [];
  }
  const run = Date.now().toString(36);
  for (let i = store.chargers.length; i < count; i++) {
    const { registerCharger } = await gql<{
      registerCharger: { password: string; charger: { identity: string } };
    }>(
      `mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { identity } } }`,
      {
        s: store.stationId,
        i: {
          identity: `SIM-${run}-${i}`,
          connectors: [
            { evseId: 1, type: 'CCS2', maxPowerKw: 150 },
            { evseId: 2, type: 'TYPE2', maxPowerKw: 22 },
          ],
        },
      },
      adminToken,
    );
    store.chargers.push({
      identity: registerCharger.charger.identity,
      password: registerCharger.password,
      protocol: 'ocpp1.6',
    });
  }
  await saveStore(store);
  return store.chargers.slice(0, count).map((c, i) => ({ ...c, protocol: protocolFor(i) }));
}

/** The simulator's driver: an account of its own that holds the card the chargers are tapped with. */
async function driverToken(store: Store): Promise<string> {
  if (!store.driver) {
    const driver = {
      email: `simulator-driver-${Date.now().toString(36)}@gridledger.local`,
      password: randomBytes(18).toString('base64url'),
    };
    await gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { ...driver, displayName: 'Simulated driver' },
    });
    store.driver = driver;
    await saveStore(store);
  }
  const token = await login(store.driver.email, store.driver.password);
  // The card may belong to the driver already (CONFLICT): that is what we want.
  await gql('mutation($t: String!) { addIdToken(token: $t) { id } }', { t: card }, token).catch(() => {});
  return token;
}

/**
 * Development only, on the local chain `npm start` deployed: gives the simulator's station a tariff
 * in the settlement token's currency, links development wallets to its operator (the admin; account
 * 3) and to its driver (account 2), and has the driver deposit test USD in escrow and set its limits, so
 * that the simulated sessions settle on chain. Returns why it did not, when it did not.
 */
async function prepareSettlement(store: Store, adminToken: string): Promise<string | null> {
  if (config.env === 'production') return 'production: the simulator moves no real funds';
  const deployment = await readDeployment(config.settlement.network).catch(() => null);
  if (!deployment) return `no deployment ${config.settlement.network} (npm start writes it)`;
  if (!deployment.testStablecoin || deployment.chainId !== 31337)
    return `deployment ${deployment.network} is not a local chain with a test stablecoin`;
  await gql(
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    {
      i: {
        stationId: store.stationId,
        name: 'Simulator',
        currency: config.settlementCurrency,
        pricePerKwh: '0.30',
      },
    },
    adminToken,
  );
  await linkDevWallet(adminToken, 3);
  const driverWallet = await linkDevWallet(await driverToken(store), 2);
  // 500 test USD in escrow, all of it within the daily limit (the chain may be new since last run).
  const want = 500n * 10n ** BigInt(deployment.tokenDecimals);
  await fundEscrow(config.chain.rpcUrl, deployment, driverWallet, want, want * 10n);
  return null;
}

const stats = { sessions: 0, messages: 0, errors: 0 };

const store = await loadStore();
const adminToken = await login(config.admin.email, config.admin.password ?? '');
const chargers = await provision(store, adminToken);
const notSettling = values.sessions ? await prepareSettlement(store, adminToken) : 'no sessions';
if (values.sessions && notSettling) {
  // Sessions still run, but on the admin's own card, and are not paid on chain.
  card = values['id-token'] ?? 'SIMCARD01';
  await gql('mutation($t: String!) { addIdToken(token: $t) { id } }', { t: card }, adminToken).catch(
    () => {},
  );
  console.log(`sessions will not settle on chain: ${notSettling}`);
}
/** This run's sessions are those that stopped after it began (they report starting minutes earlier). */
const runBegan = new Date().toISOString();
const deadline = Date.now() + Number(values.minutes) * 60_000;
console.log(`simulating ${chargers.length} chargers (${mode}) against ${ocppUrl} for ${values.minutes} min…`);
const ticker = setInterval(
  () => console.log(`  messages ${stats.messages}, sessions ${stats.sessions}, errors ${stats.errors}`),
  10_000,
);
const results = await Promise.allSettled(
  chargers.map((c) => runCharger(c, deadline, { ocppUrl, sessions: Boolean(values.sessions), card, stats })),
);
clearInterval(ticker);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed.slice(0, 5))
  console.error('charger failed:', (f as PromiseRejectedResult).reason?.message);
console.log(
  `done: ${stats.messages} messages, ${stats.sessions} sessions completed, ${stats.errors} errors, ${failed.length} chargers failed`,
);

interface SettledSession {
  startedAt: string;
  stoppedAt: string | null;
  status: string;
  settlement: { status: string; txHash: string | null; blockNumber: number | null } | null;
}

/** This run's sessions at the simulator's station, newest first (up to 100). */
async function thisRunsSessions(): Promise<SettledSession[]> {
  const { sessions } = await gql<{ sessions: { edges: { node: SettledSession }[] } }>(
    `query($s: ID) { sessions(filter: { stationId: $s }, first: 100) { edges { node {
       startedAt stoppedAt status settlement { status txHash blockNumber } } } } }`,
    { s: store.stationId },
    adminToken,
  );
  return sessions.edges
    .map((e) => e.node)
    .filter((n) => (n.stoppedAt ?? '') >= runBegan && n.status === 'COMPLETED');
}

if (values.sessions && !notSettling && stats.sessions > 0) {
  // Settlement follows the stop by a batch window and a block: wait for it (a minute at most).
  const settleBy = Date.now() + 60_000;
  let done = await thisRunsSessions();
  const final = (x: SettledSession) => ['CONFIRMED', 'FAILED'].includes(x.settlement?.status ?? '');
  while (Date.now() < settleBy && (done.length < stats.sessions || !done.every(final))) {
    await sleep(1000);
    done = await thisRunsSessions();
  }
  const confirmed = done.filter((x) => x.settlement?.status === 'CONFIRMED');
  const failedSettlements = done.filter((x) => x.settlement?.status === 'FAILED').length;
  console.log(
    `settled on chain: ${confirmed.length} of ${done.length} completed sessions` +
      (failedSettlements ? ` (${failedSettlements} FAILED: see settlement.failureReason)` : ''),
  );
  const sample = confirmed[0]?.settlement;
  if (sample?.txHash) {
    const provider = new JsonRpcProvider(config.chain.rpcUrl, undefined, { staticNetwork: true });
    const receipt = await provider.getTransactionReceipt(sample.txHash);
    console.log(
      `  look one up: transaction ${sample.txHash}, block ${sample.blockNumber}` +
        (receipt
          ? ` (the chain at ${config.chain.rpcUrl} has it: status ${receipt.status})`
          : ' (not found on the chain!)'),
    );
    provider.destroy();
  }
  process.exit(failed.length || confirmed.length === 0 ? 1 : 0);
}
process.exit(failed.length ? 1 : 0);
