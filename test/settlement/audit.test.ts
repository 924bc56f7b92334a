/**
 * `npm run audit` (scripts/audit.ts) as an outside auditor runs it: a chain RPC, the public API and an
 * AUDITOR account, nothing else. An untouched ledger audits clean; each kind of tampering is found.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Contract, keccak256, toUtf8Bytes } from 'ethers';
import pg from 'pg';
import { loginAdmin, registerUser, aUserWithRoles, type Session } from '../support/builders.js';
import {
  aFundedPayer,
  deployFixture,
  linkWallet,
  mined,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { AUDIT_CLI, runAuditCli } from '../support/audit.js';
import { eventually } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { chargeFor, payingDriver, type PayingWorld } from '../support/paying.js';

const USD = (n: number) => BigInt(Math.round(n * 1e6));

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let url: string;
let operator: Session;
let auditor: { email: string; password: string };
let db: pg.Client;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
/** The two settled sessions' record numbers. */
let records: string[];
let sessionIds: string[];
let refundRecord: string;

const prepareRefund = (sessionId: string, amount: string) =>
  gql(
    url,
    'mutation($s: ID!, $a: String!, $r: String!) { prepareRefund(sessionId: $s, amount: $a, reason: $r) { from to data record { recordId status amount } } }',
    { s: sessionId, a: amount, r: 'connector fault after 20 minutes' },
    { token: operator.token },
  );

async function audit(...args: string[]) {
  return runAuditCli({ rpc: chain.url, api: url, contract: await f.payments.getAddress(), auditor, args });
}

/** Runs `tamper` on the database, audits, and puts the database back (also when the audit throws). */
async function auditWith(tamper: string, undo: string, params: unknown[], undoParams = params) {
  await db.query(tamper, params);
  try {
    return await audit();
  } finally {
    await db.query(undo, undoParams);
  }
}

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    SETTLEMENT_BATCH_WINDOW_MS: '200',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  url = p.gatewayUrl;
  db = new pg.Client({ connectionString: p.env.DATABASE_URL });
  await db.connect();
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  await linkWallet(url, operator, chain.wallet(3));
  const a = await registerUser(url);
  await gql(
    url,
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [AUDITOR]) { id } }',
    { u: a.userId },
    { token: admin.token },
  );
  auditor = { email: a.input.email, password: a.input.password };
  // A platform fee to a recipient of its own, so that the replay follows fees too.
  await mined(f.payments.setFee(chain.wallet(4).address, 250));

  const w: PayingWorld = { url, operator, f, chain, ocppPort: p.config.ports.ocpp };
  await payingDriver(w, 2, 'AUDITCARD1', 100, 50);
  await payingDriver(w, 5, 'AUDITCARD2', 100, 50);
  const chargers = [await chargeFor(w, 'AUDITCARD1', 10_000), await chargeFor(w, 'AUDITCARD2', 5_000)];
  records = [];
  sessionIds = [];
  for (const c of chargers) {
    const r = await eventually(
      () =>
        gql(
          url,
          'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id settlement { status recordId } } } } }',
          { c: c.chargerId },
          { token: operator.token },
        ),
      (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'CONFIRMED',
      30_000,
    );
    records.push(r.data!.sessions.edges[0].node.settlement.recordId);
    sessionIds.push(r.data!.sessions.edges[0].node.id);
  }
  // The operator refunds 1.00 USD of the first session: the platform numbers the refund, the operator
  // sends it from the wallet the session paid, the sweeper confirms it from its event.
  const refund = await prepareRefund(sessionIds[0]!, '1.00');
  expect(refund.data!.prepareRefund).toMatchObject({
    from: chain.wallet(3).address,
    to: await f.payments.getAddress(),
    record: { status: 'PENDING', amount: '1.00' },
  });
  const asOperator = f.payments.connect(chain.wallet(3)) as Contract;
  await (
    await chain
      .wallet(3)
      .sendTransaction({ to: refund.data!.prepareRefund.to, data: refund.data!.prepareRefund.data })
  ).wait();
  refundRecord = refund.data!.prepareRefund.record.recordId;
  await eventually(
    () => db.query('select status from session.refund where record_id = $1', [refundRecord]),
    (x) => x.rows[0]?.status === 'CONFIRMED',
    15_000,
  );
  await mined(asOperator.withdrawCredits(USD(0.5)));
}, 180_000);

afterAll(async () => {
  await db?.end();
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

it('an untouched ledger audits clean: every record matches its event and the ledger replays from the events', async () => {
  const { code, report, stderr } = await audit();
  expect(report.findings).toEqual([]);
  expect(code).toBe(0);
  expect(report).toMatchObject({
    chainId: 31337,
    contract: await f.payments.getAddress(),
    contractPinned: true,
    ok: true,
    foreignEvents: 0,
    records: {
      sessions: { api: 2, events: 2, matched: 2, inFlight: 0 },
      trades: { api: 0, events: 0, matched: 0 },
      refunds: { api: 1, events: 1, matched: 1 },
    },
  });
  // Escrow: 200 − 4.00 − 2.00 + 1.00; credits: 6.00 − 1.00 − 0.50 (operator and fee recipient together).
  expect(report.replay).toMatchObject({
    done: true,
    wallets: 4,
    sumEscrow: String(USD(195)),
    sumCredits: String(USD(4.5)),
  });
  expect(report.replay.tokenBalance).toBe(String(await f.stable.balanceOf(await f.payments.getAddress())));
  expect(stderr).toBe('');
}, 60_000);

it('sums the ledger per kind over a period for auditors (ledgerSummary), the trades from the energy-trading subgraph', async () => {
  const token = (
    await gql(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
      e: auditor.email,
      p: auditor.password,
    })
  ).data!.login.accessToken as string;
  const summary = (q: { from: string; to: string }) =>
    gql(
      url,
      'query($f: DateTimeISO!, $t: DateTimeISO!) { ledgerSummary(from: $f, to: $t) { sessionRecords sessionsConfirmed sessionAmount sessionFees trades { records confirmed amount fees } } }',
      { f: q.from, t: q.to },
      { token },
    );
  const now = Date.now();
  const r = await summary({
    from: new Date(now - 86_400_000).toISOString(),
    to: new Date(now + 60_000).toISOString(),
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  // 4.00 + 2.00 USD; fees 2.5 % of each: 0.10 + 0.05.
  expect(r.data!.ledgerSummary).toEqual({
    sessionRecords: 2,
    sessionsConfirmed: 2,
    sessionAmount: String(USD(6)),
    sessionFees: String(USD(0.15)),
    trades: { records: 0, confirmed: 0, amount: '0', fees: '0' },
  });
  const empty = await summary({ from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' });
  expect(empty.data!.ledgerSummary.sessionRecords).toBe(0);
  const reversed = await summary({ from: '2020-02-01T00:00:00Z', to: '2020-01-01T00:00:00Z' });
  expect(codeOf(reversed)).toBe('BAD_USER_INPUT');
});

it('halves a log range the RPC refuses as too large, and still audits clean', async () => {
  // A node that, like hosted Polygon RPCs, refuses eth_getLogs over more than 3 blocks.
  let refused = 0;
  const proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const call = JSON.parse(body);
      const range =
        call.method === 'eth_getLogs' ? Number(call.params[0].toBlock) - Number(call.params[0].fromBlock) : 0;
      res.setHeader('content-type', 'application/json');
      if (range > 2) {
        refused++;
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: call.id,
            error: { code: -32005, message: 'query exceeds max block range 3' },
          }),
        );
        return;
      }
      const upstream = await fetch(chain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  try {
    const { port } = proxy.address() as AddressInfo;
    const { code, report } = await runAuditCli({
      rpc: `http://127.0.0.1:${port}`,
      api: url,
      contract: await f.payments.getAddress(),
      auditor,
      args: ['--page-blocks', '1000'],
    });
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.records.sessions.matched).toBe(2);
    expect(refused).toBeGreaterThan(1);
  } finally {
    proxy.close();
  }
}, 60_000);

it('refuses a refund beyond what the session cost less its refunds, and finds a refund changed in the database', async () => {
  // The first session cost 4.00 and 1.00 came back: 3.00 are left.
  expect(codeOf(await prepareRefund(sessionIds[0]!, '3.01'))).toBe('CONFLICT');
  const { code, report } = await auditWith(
    'update session.refund set amount = amount + 1 where record_id = $1',
    'update session.refund set amount = amount - 1 where record_id = $1',
    [refundRecord],
  );
  expect(code).toBe(1);
  expect(report.findings.map((x) => [x.kind, x.record])).toEqual([
    ['hashMismatch', `SessionRefund ${refundRecord}`],
    ['termsMismatch', `SessionRefund ${refundRecord}`],
  ]);
}, 60_000);

it('finds a session whose energy was changed in the database (its record no longer hashes to the event’s)', async () => {
  const { code, report } = await auditWith(
    'update session.charging_session set energy_wh = energy_wh + 1 where settlement_record_id = $1',
    'update session.charging_session set energy_wh = energy_wh - 1 where settlement_record_id = $1',
    [records[0]],
  );
  expect(code).toBe(1);
  expect(report.findings).toEqual([
    expect.objectContaining({ kind: 'hashMismatch', record: `ChargingSession ${records[0]}` }),
  ]);
  expect(report.records.sessions.matched).toBe(1);
}, 60_000);

it('finds a record CONFIRMED with a made-up transaction, and one under a number the chain never settled', async () => {
  const madeUp = `0x${'ab'.repeat(32)}`;
  const { rows } = await db.query<{ tx: string }>(
    'select settlement_tx_hash as tx from session.charging_session where settlement_record_id = $1',
    [records[0]],
  );
  const tx = await auditWith(
    'update session.charging_session set settlement_tx_hash = $2 where settlement_record_id = $1',
    'update session.charging_session set settlement_tx_hash = $2 where settlement_record_id = $1',
    [records[0], madeUp],
    [records[0], rows[0]!.tx],
  );
  expect(tx.code).toBe(1);
  expect(tx.report.findings).toEqual([
    {
      kind: 'termsMismatch',
      record: `ChargingSession ${records[0]}`,
      detail: `transaction ${madeUp} ≠ ${rows[0]!.tx}`,
    },
  ]);

  const renumbered = await auditWith(
    'update session.charging_session set settlement_record_id = $2 where settlement_record_id = $1',
    'update session.charging_session set settlement_record_id = $1 where settlement_record_id = $2',
    [records[1], '999999'],
  );
  expect(renumbered.code).toBe(1);
  expect(renumbered.report.findings.map((x) => [x.kind, x.record])).toEqual([
    ['confirmedWithoutEvent', 'ChargingSession 999999'],
    ['eventWithoutRecord', `ChargingSession ${records[1]}`],
  ]);
}, 60_000);

it('ignores (and counts) a look-alike SessionSettled with a real record id from another deployment', async () => {
  const other = await deployFixture(chain);
  const payer = chain.wallet(6);
  await aFundedPayer(other, payer, USD(10), USD(10));
  await mined(
    (other.payments.connect(other.settler) as Contract).settleSessions([
      {
        recordId: BigInt(records[0]!),
        payer: payer.address,
        payee: chain.wallet(7).address,
        amount: USD(9),
        recordHash: keccak256(toUtf8Bytes('look-alike')),
      },
    ]),
  );
  const { code, report } = await audit();
  expect(report.findings).toEqual([]);
  expect(code).toBe(0);
  expect(report.foreignEvents).toBe(1);
  expect(report.records.sessions.matched).toBe(2);
}, 60_000);

it('refuses to run without credentials or with a malformed block number (exit 2, a one-line reason)', async () => {
  const run = (args: string[], env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [AUDIT_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
  expect(await run(['--rpc', chain.url, '--api', url], {})).toEqual({
    code: 2,
    stderr: 'audit: set AUDIT_API_KEY, or AUDIT_EMAIL and AUDIT_PASSWORD, for an AUDITOR account\n',
  });
  expect(
    await run(['--rpc', chain.url, '--api', url, '--from-block', 'x'], {
      AUDIT_EMAIL: auditor.email,
      AUDIT_PASSWORD: auditor.password,
    }),
  ).toEqual({ code: 2, stderr: 'audit: --from-block must be a block number, not "x"\n' });
});
