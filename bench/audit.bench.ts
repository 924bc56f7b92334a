/**
 * The auditor's tool over BENCH_RECORDS settled charging records (default 100,000; target: under 60 s on
 * this machine), where the time goes (RPC: eth_getLogs pages and the replay's state reads; API: the
 * ledger's cursor pages; hashing: every record's EIP-712 digest), and each part's rate.
 *
 *   npm run bench:audit
 *
 * Seeding (not measured): a local Hardhat node with the contracts, 100 payers with escrow, the records
 * settled on chain in batches of 1,000 (`settleSessions`, as the worker sends them), and the same
 * records written straight into the session subgraph's database (what the platform would have stored,
 * hashed the way the subgraph hashes them: subgraphs/session/services/ledger-record.ts). Measured: one
 * run of `scripts/audit.js` (the real CLI, as an auditor runs it) against the gateway of a platform
 * of the bench's own, with the chain, Postgres and the platform on the same 2 cores.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Contract, JsonRpcProvider, MaxUint256, Network, parseEther, Wallet } from 'ethers';
import pg from 'pg';
import type { AuditReport } from '../lib/audit.js';
import { artifact, deploymentPath, deployPayments, writeDeployment } from '../lib/chain/contracts.js';
import { devWallet, startHardhatNode } from '../lib/chain/hardhat-node.js';
import { ledgerDomain } from '../lib/ledger.js';
import { freePort } from '../scripts/platform.js';
import { apiClient } from '../scripts/sim-support.js';
import type { ChargingSession } from '../subgraphs/session/entities/charging-session.entity.js';
import { sessionRecordHash } from '../subgraphs/session/services/ledger-record.js';
import { BENCH_ADMIN, benchPlatform } from './bench-platform.js';

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const BATCH = 1000;
const PAYERS = 100;
const say = (line: string) => console.log(`  ${line}`);

const node = await startHardhatNode(await freePort());
const provider = new JsonRpcProvider(node.url, Network.from(31337), {
  staticNetwork: true,
  batchMaxCount: 1,
  cacheTimeout: -1,
});
const admin = devWallet(0, provider);
const settler = devWallet(1, provider);
const payee = devWallet(3).address;
const { paymentsContract, token } = await deployPayments({ deployer: admin, settler: settler.address });
const network = `bench-audit-${Date.now().toString(36)}`;
await writeDeployment({
  network,
  chainId: 31337,
  paymentsContract,
  token,
  tokenDecimals: 6,
  deployedAt: new Date().toISOString(),
  blockNumber: 0,
});
const bench = await benchPlatform(new Set(['user', 'station', 'session', 'energy', 'gateway']), {
  CHAIN_RPC_URL: node.url,
  SETTLEMENT_NETWORK: network,
});
const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
let exitCode = 0;
try {
  await bench.start();
  await db.connect();
  const seedStarted = Date.now();
  const ledger = new Contract(paymentsContract, (await artifact('PaymentLedger')).abi, settler);
  const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
  await (await ledger.connect(admin).getFunction('setFee')(devWallet(4).address, 100)).wait();
  const payers = Array.from({ length: PAYERS }, () => Wallet.createRandom(provider));
  for (const w of payers) {
    await (await admin.sendTransaction({ to: w.address, value: parseEther('1') })).wait();
    await (await stable.getFunction('mint')(w.address, 10n ** 12n)).wait();
    await (await (stable.connect(w) as Contract).getFunction('approve')(paymentsContract, MaxUint256)).wait();
    const own = ledger.connect(w) as Contract;
    await (await own.getFunction('deposit')(10n ** 12n)).wait();
    await (await own.getFunction('setLimits')(10n ** 12n, 10n ** 12n)).wait();
  }

  // The records: the rows the session subgraph would hold, and their settlement on chain.
  const domain = ledgerDomain({ chainId: 31337, paymentsContract });
  const operatorId = randomUUID();
  const stationId = randomUUID();
  const chargerId = randomUUID();
  const t0 = Date.UTC(2026, 10, 1) / 1000;
  for (let from = 1; from <= N; from += BATCH) {
    const rows: ChargingSession[] = [];
    for (let id = from; id < Math.min(N + 1, from + BATCH); id++) {
      const energyWh = 1000 + (id % 40_000);
      const cost = Math.round(((energyWh / 1000) * 400_000) / 10_000) * 10_000;
      rows.push({
        id: randomUUID(),
        chargerId,
        chargerIdentity: `AUDIT-CP-${id % 500}`,
        stationId,
        operatorId,
        transactionId: String(id),
        evseId: 1 + (id % 4),
        connectorId: 1,
        userId: randomUUID(),
        status: 'COMPLETED',
        startedAt: new Date((t0 + id * 60) * 1000),
        stoppedAt: new Date((t0 + id * 60 + 3600) * 1000),
        meterStartWh: 0,
        meterStopWh: energyWh,
        energyWh,
        tariffId: null,
        costMicros: cost,
        costBreakdown: { energyMicros: cost, timeMicros: 0, idleMicros: 0, sessionFeeMicros: 0 },
        currency: 'USD',
        settlementRecordId: String(id),
        settlementPayer: payers[id % PAYERS]!.address,
        settlementPayee: payee,
      } as unknown as ChargingSession);
    }
    const hashes = rows.map((s) =>
      sessionRecordHash(domain, s, {
        recordId: s.settlementRecordId!,
        payer: s.settlementPayer!,
        payee: s.settlementPayee!,
      }),
    );
    const receipt = await (
      await ledger.getFunction('settleSessions')(
        rows.map((s, i) => ({
          recordId: BigInt(s.settlementRecordId!),
          payer: s.settlementPayer,
          payee: s.settlementPayee,
          amount: BigInt(s.costMicros!),
          recordHash: hashes[i],
        })),
      )
    ).wait();
    const columns = [
      'id',
      'charger_id',
      'charger_identity',
      'station_id',
      'operator_id',
      'transaction_id',
      'evse_id',
      'connector_id',
      'user_id',
      'status',
      'started_at',
      'stopped_at',
      'meter_start_wh',
      'meter_stop_wh',
      'energy_wh',
      'cost_micros',
      'cost_breakdown',
      'currency',
      'created_at',
      'settlement_record_id',
      'settlement_status',
      'settlement_payer',
      'settlement_payee',
      'settlement_record_hash',
      'settlement_tx_hash',
      'settlement_block',
      'settlement_fee',
    ];
    const values: unknown[] = [];
    const tuples = rows.map((s, i) => {
      const row = [
        s.id,
        s.chargerId,
        s.chargerIdentity,
        s.stationId,
        s.operatorId,
        s.transactionId,
        s.evseId,
        s.connectorId,
        s.userId,
        s.status,
        s.startedAt,
        s.stoppedAt,
        s.meterStartWh,
        s.meterStopWh,
        s.energyWh,
        s.costMicros,
        JSON.stringify(s.costBreakdown),
        s.currency,
        s.stoppedAt,
        s.settlementRecordId,
        'CONFIRMED',
        s.settlementPayer,
        s.settlementPayee,
        hashes[i],
        receipt!.hash,
        receipt!.blockNumber,
        String(Math.floor((s.costMicros! * 100) / 10_000)),
      ];
      const base = values.length;
      values.push(...row);
      return `(${row.map((_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await db.query(
      `insert into session.charging_session (${columns.join(', ')}) values ${tuples.join(', ')}`,
      values,
    );
  }
  say(
    `seeded in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s: ${N} settled records, ${PAYERS} payers`,
  );

  // The auditor: an account with the AUDITOR role, then the tool itself.
  const { gql, login } = apiClient(`http://${bench.config.host}:${bench.config.ports.gateway}/graphql`);
  const adminToken = await login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const auditor = { email: `auditor-${bench.id}@bench.local`, password: 'bench auditor password' };
  const { register } = await gql<{ register: { user: { id: string } } }>(
    'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
    { i: { ...auditor, displayName: 'Bench Auditor' } },
  );
  await gql(
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [AUDITOR]) { id } }',
    { u: register.user.id },
    adminToken,
  );
  const started = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      fileURLToPath(new URL('../scripts/audit.js', import.meta.url)),
      '--rpc',
      node.url,
      '--api',
      `http://${bench.config.host}:${bench.config.ports.gateway}/graphql`,
      '--contract',
      paymentsContract,
      '--format',
      'json',
      '--quiet',
      // The local node packs 1,000 records into a block; hosted RPCs answer at most ~10,000 logs a call.
      '--page-blocks',
      process.env.BENCH_PAGE_BLOCKS ?? '5',
    ],
    {
      env: { ...process.env, AUDIT_EMAIL: auditor.email, AUDIT_PASSWORD: auditor.password },
      maxBuffer: 64 << 20,
    },
  ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(stdout) as AuditReport;
  const t = report.timings;
  say(
    `audit: ${report.records.sessions.matched}/${N} records matched, ${report.findings.length} findings, replay of ` +
      `${report.replay.wallets} wallets ${report.replay.done ? 'balanced' : 'not done'}`,
  );
  say(
    `${N} records in ${seconds.toFixed(1)} s = ${(N / seconds).toFixed(0)} records/s (target: ${N} in < 60 s: ` +
      `${seconds < 60 ? 'met' : 'MISSED'}); RPC ${(t.rpcMs / 1000).toFixed(1)} s, API ${(t.apiMs / 1000).toFixed(1)} s ` +
      `(its cursor pages and the hashing, in parallel with the RPC: ${(N / (t.apiMs / 1000)).toFixed(0)} records/s), ` +
      `of which hashing ${(t.hashMs / 1000).toFixed(1)} s (${(N / (t.hashMs / 1000)).toFixed(0)} records/s)`,
  );
  if (!report.ok || report.records.sessions.matched !== N) exitCode = 1;
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await db.end().catch(() => {});
  await bench.cleanUp();
  await rm(deploymentPath(network), { force: true });
  node.stop();
}
process.exit(exitCode);
