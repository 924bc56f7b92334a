/**
 * Settlement benchmark on a local Hardhat node: gas per settled record, charging sessions and energy
 * trades, for batches of 1 to 100 next to a plain ERC-20 transfer measured in the same run (targets,
 * batches of 50 from distinct payers: ≤ 15,000 gas per charging record, ≤ 18,000 per trade), then
 * records settled per second through the settlement worker's batching path (SettlementBatcher: chain
 * check, settleSessions/settleTrades, receipt, events), the part of the end-to-end path that touches
 * the chain.
 *
 *   npm run bench:settlement
 */
import {
  Contract,
  JsonRpcProvider,
  keccak256,
  MaxUint256,
  Network,
  toUtf8Bytes,
  Wallet,
  type ContractTransactionResponse,
} from 'ethers';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { artifact, deploymentPath, deployPayments } from '../lib/chain/contracts.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { SettlementBatcher } from '../workers/settlement/batcher.js';
import { devWallet, startHardhatNode } from '../lib/chain/hardhat-node.js';

const port = await new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});
const node = await startHardhatNode(port);
const provider = new JsonRpcProvider(node.url, Network.from(31337), {
  staticNetwork: true,
  batchMaxCount: 1,
  cacheTimeout: -1,
});
const [admin, settler, payer, payee, other] = [0, 1, 2, 3, 4].map((i) => devWallet(i, provider));

const { paymentsContract, token } = await deployPayments({ deployer: admin!, settler: settler!.address });
const payments = new Contract(paymentsContract, (await artifact('PaymentLedger')).abi, settler);
const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
const gasOf = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!.gasUsed;

await (await stable.mint(payer!.address, 10n ** 15n)).wait();
await (await stable.mint(other!.address, 10n ** 12n)).wait();
await (await (stable.connect(payer) as Contract).approve(paymentsContract, MaxUint256)).wait();
await (await (payments.connect(payer) as Contract).deposit(10n ** 14n)).wait();
await (await (payments.connect(payer) as Contract).setLimits(10n ** 14n, 10n ** 14n)).wait();
await (await payments.connect(admin).getFunction('setFee')(admin!.address, 200)).wait();

// A transfer to an account that already holds tokens: the usual case for a payment.
const transferGas = await gasOf((stable.connect(other) as Contract).transfer(payee!.address, 1_000_000n));
const transferGas2 = await gasOf((stable.connect(other) as Contract).transfer(payee!.address, 1_000_000n));

let nextId = 1n;
const rows: string[] = [];
for (const size of [1, 10, 50, 100]) {
  const batch = Array.from({ length: size }, () => {
    const recordId = nextId++;
    return {
      recordId,
      payer: payer!.address,
      payee: payee!.address,
      amount: 12_345_678n,
      recordHash: keccak256(toUtf8Bytes(`r${recordId}`)),
    };
  });
  const gas = await gasOf(payments.settleSessions(batch));
  const perRecord = Number(gas) / size;
  rows.push(
    `  batch of ${String(size).padStart(3)}   ${String(gas).padStart(9)} gas   ${perRecord.toFixed(0).padStart(7)} per record   ` +
      `${(perRecord / Number(transferGas2)).toFixed(2)}× an ERC-20 transfer`,
  );
}
// The realistic case: every record from a different payer (cold escrow slots), 5 operators.
const payers = Array.from({ length: 100 }, () => Wallet.createRandom(provider));
for (const w of payers) {
  await (await admin!.sendTransaction({ to: w.address, value: 10n ** 17n })).wait();
  await (await stable.mint(w.address, 100_000_000n)).wait();
  await (await (stable.connect(w) as Contract).approve(paymentsContract, MaxUint256)).wait();
  await (await (payments.connect(w) as Contract).deposit(100_000_000n)).wait();
  await (await (payments.connect(w) as Contract).setLimits(100_000_000n, 100_000_000n)).wait();
}
const operators = [payee, other, admin, settler, payer].map((w) => w!.address);
const perRecordOf: Record<string, number> = {};
for (const size of [50, 100]) {
  const batch = payers.slice(0, size).map((w, i) => {
    const recordId = nextId++;
    return {
      recordId,
      payer: w.address,
      payee: operators[i % 5]!,
      amount: 1_234_567n,
      recordHash: keccak256(toUtf8Bytes(`r${recordId}`)),
    };
  });
  const gas = await gasOf(payments.settleSessions(batch));
  perRecordOf[`session ${size}`] = Number(gas) / size;
  rows.push(
    `  sessions: batch of ${String(size).padStart(3)}, ${size} payers, 5 payees   ${gas} gas   ${(Number(gas) / size).toFixed(0)} per record`,
  );
}
// Trades: every record from a different buyer, 5 sellers, a 1 % fee; then the same with every
// seller a site of three co-owners.
let nextTradeId = 1n;
const coOwners = [payee, other, admin].map((w) => ({ owner: w!.address, bps: 0 }));
for (const [label, shares] of [
  ['5 sellers', []],
  [
    'co-owned sites (3 owners)',
    [
      { ...coOwners[0]!, bps: 3334 },
      { ...coOwners[1]!, bps: 3333 },
      { ...coOwners[2]!, bps: 3333 },
    ],
  ],
] as const) {
  for (const size of [1, 50, 100]) {
    const batch = payers.slice(0, size).map((w, i) => {
      const recordId = nextTradeId++;
      return {
        recordId,
        buyer: w.address,
        seller: operators[i % 5]!,
        energyWh: 1234n,
        pricePerKwh: 250_000n,
        feeBps: 100,
        recordHash: keccak256(toUtf8Bytes(`t${recordId}`)),
        shares,
      };
    });
    const gas = await gasOf(payments.settleTrades(batch));
    perRecordOf[`trade ${label} ${size}`] = Number(gas) / size;
    rows.push(
      `  trades: batch of ${String(size).padStart(3)}, ${size} buyers, ${label}   ${gas} gas   ${(Number(gas) / size).toFixed(0)} per record`,
    );
  }
}

const single = await gasOf(
  payments.settleSessions([
    {
      recordId: nextId++,
      payer: payer!.address,
      payee: payee!.address,
      amount: 1_000_000n,
      recordHash: keccak256('0x01'),
    },
  ]),
);

const verdict = (value: number, target: number) =>
  `${value.toFixed(0)} gas (${(value / Number(transferGas2)).toFixed(2)}× an ERC-20 transfer; target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'})`;
console.log(`Settlement gas on a local Hardhat node (optimizer 200 runs, evm cancun); one payer and payee unless said
  ERC-20 transfer       ${transferGas} gas (first to a new holder), ${transferGas2} gas (to an existing holder)
  settleSessions (one record)   ${single} gas
${rows.join('\n')}
  charging record, batch of 50 distinct payers: ${verdict(perRecordOf['session 50']!, 15_000)}
  trade record, batch of 50 distinct buyers:    ${verdict(perRecordOf['trade 5 sellers 50']!, 18_000)}`);

// Throughput: 1,000 records from the 100 funded payers through the worker's batcher.
const deploymentNetwork = `bench-${Date.now().toString(36)}`;
await mkdir(dirname(deploymentPath(deploymentNetwork)), { recursive: true });
await writeFile(
  deploymentPath(deploymentNetwork),
  JSON.stringify({
    network: deploymentNetwork,
    chainId: 31337,
    paymentsContract,
    token,
    tokenDecimals: 6,
    deployedAt: '',
    blockNumber: 0,
  }),
);
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  CHAIN_RPC_URL: node.url,
  SETTLEMENT_NETWORK: deploymentNetwork,
});
const batcher = new SettlementBatcher(config, createLogger('bench', 'warn'));
const N = 1000;
const started = Date.now();
const outcomes = await Promise.all(
  Array.from({ length: N }, (_, i) => {
    const recordId = nextId++;
    return batcher.submit({
      sessionId: `bench-${recordId}`,
      recordId: String(recordId),
      payer: payers[i % payers.length]!.address,
      payee: operators[i % 5]!,
      amount: '10000',
      recordHash: keccak256(toUtf8Bytes(`t${recordId}`)),
    });
  }),
);
const seconds = (Date.now() - started) / 1000;
const confirmed = outcomes.filter((o) => o.status === 'CONFIRMED').length;
console.log(
  `  worker batching path: ${confirmed}/${N} records confirmed in ${seconds.toFixed(1)} s = ${(confirmed / seconds).toFixed(0)} records/s (batches of ${config.settlement.batchSize}, automining local node, 1 confirmation)`,
);

// End to end through the batcher on a chain that mines a block every second (automine off), as a
// real chain does: records arrive at RATE per second for SECONDS; each one's latency runs from its
// submission (the moment its job reaches the worker) to CONFIRMED. A 1 s batch window.
const RATE = Number(process.env.BENCH_RATE ?? 600);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
await provider.send('evm_setAutomine', [false]);
await provider.send('evm_setIntervalMining', [1000]);
// BENCH_SHAPES: batch size × transactions in flight, e.g. "250x6,1000x3".
const shapes = (process.env.BENCH_SHAPES ?? '200x1,1000x1,1000x3,250x6')
  .split(',')
  .map((x) => x.split('x').map(Number) as [number, number]);
for (const [batchSize, pipeline] of shapes) {
  const timed = new SettlementBatcher(
    loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      CHAIN_RPC_URL: node.url,
      SETTLEMENT_NETWORK: deploymentNetwork,
      SETTLEMENT_BATCH_SIZE: String(batchSize),
      SETTLEMENT_BATCH_WINDOW_MS: '1000',
      SETTLEMENT_POLL_MS: '100',
      SETTLEMENT_PIPELINE: String(pipeline),
    }),
    createLogger('bench', 'warn'),
  );
  const latencies: number[] = [];
  const confirmedAt: number[] = [];
  const pending: Promise<unknown>[] = [];
  const t0 = Date.now();
  for (let s = 0; s < SECONDS * 10; s++) {
    for (let i = 0; i < RATE / 10; i++) {
      const recordId = nextId++;
      const at = Date.now();
      pending.push(
        timed
          .submit({
            sessionId: `e2e-${recordId}`,
            recordId: String(recordId),
            payer: payers[Number(recordId) % payers.length]!.address,
            payee: operators[Number(recordId) % 5]!,
            amount: '1000',
            recordHash: keccak256(toUtf8Bytes(`e${recordId}`)),
          })
          .then((o) => {
            if (o.status !== 'CONFIRMED') return;
            latencies.push(Date.now() - at);
            confirmedAt.push(Date.now() - t0);
          }),
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (s + 1) * 100 - Date.now())));
  }
  await Promise.all(pending);
  const total = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))]!;
  console.log(
    `  1 s blocks, batches of ≤ ${batchSize}, ${pipeline} in flight, ${RATE} records/s offered for ${SECONDS} s: ${latencies.length}/${pending.length} confirmed, ` +
      `${(latencies.length / total).toFixed(0)} records/s overall, ${(confirmedAt.filter((t) => t >= 2000 && t < SECONDS * 1000).length / (SECONDS - 2)).toFixed(0)} records/s steady (seconds 2–${SECONDS}); submission → CONFIRMED p50 ${(q(0.5) / 1000).toFixed(2)} s, p99 ${(q(0.99) / 1000).toFixed(2)} s ` +
      `(targets ≥ 500 records/s, p99 < 3 s; floor: one block time, 1 s)`,
  );
}

await rm(deploymentPath(deploymentNetwork), { force: true });
node.stop();
process.exit(0);
