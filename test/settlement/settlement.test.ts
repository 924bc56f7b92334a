import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import {
  deployFixture,
  linkWallet,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { TypedDataEncoder, type Contract } from 'ethers';
import { connectCharger, eventually } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { localDate } from '../../lib/time-zones.js';
import { chargeFor, payingDriver, sessionOn, usdCharger, type PayingWorld } from '../support/paying.js';
import { invoicePdfText } from '../support/pdf.js';

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let url: string;
let operator: Session;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
/** Every log line of the platform's processes, for the request-id test. */
const lines: { service: string; line: string }[] = [];

const USD = (n: number) => BigInt(Math.round(n * 1e6));

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform(
    {
      CHAIN_RPC_URL: chain.url,
      SETTLEMENT_NETWORK: deployment.network,
      SETTLEMENT_BATCH_WINDOW_MS: '200',
      // Polling many sessions would trip the per-account rate limit.
      RATE_LIMIT_USER_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
    },
    { output: (service, line) => void lines.push({ service, line }) },
  );
  url = p.gatewayUrl;
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  await linkWallet(url, operator, chain.wallet(3));
}, 120_000);
afterAll(async () => {
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

/** The platform, chain and operator the helpers of test/support/paying.ts work in. */
const world = (): PayingWorld => ({ url, operator, f, chain, ocppPort: p.config.ports.ocpp });
const aPayingDriver = (walletIndex: number, card: string, deposit: number, cap: number) =>
  payingDriver(world(), walletIndex, card, deposit, cap);
const aUsdCharger = () => usdCharger(world());
const chargeOnce = (card: string, meterStop: number, minutes?: number) =>
  chargeFor(world(), card, meterStop, minutes);

const SETTLED = `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node {
  id status cost currency energyWh transactionId startedAt stoppedAt charger { identity }
  settlement { status recordId recordHash payer payee amount fee txHash blockNumber failureReason } } } } }`;

it('a finished session is paid on chain once: payer debited, operator credited, record hash provable', async () => {
  const { wallet, driver } = await aPayingDriver(2, 'PAYCARD01', 100, 50);
  const driverToken = driver.token;
  const c = await chargeOnce('PAYCARD01', 10_000); // 10 kWh × 0.40 = 4.00 USD
  const r = await eventually(
    () => gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'CONFIRMED',
    30_000,
  );
  const s = r.data!.sessions.edges[0].node;
  expect(s.cost).toBe('4.00');
  expect(s.settlement).toMatchObject({
    payer: wallet.address,
    payee: chain.wallet(3).address,
    amount: '4.00',
    fee: '0.00',
  });
  expect(await f.payments.escrowOf(wallet.address)).toEqual([USD(96), USD(50), USD(46)]);
  const mine = await gql(
    url,
    '{ myEscrow { wallet balance committed available recordLimit dayLimit spendableToday limitsLowerAt } settlementConfig { chainId paymentsContract token decimals } }',
    {},
    { token: driverToken },
  );
  expect(mine.data).toEqual({
    myEscrow: {
      wallet: wallet.address,
      balance: '96.00',
      committed: '50.00',
      available: '46.00',
      recordLimit: '50.00',
      dayLimit: '50.00',
      spendableToday: '46.00',
      limitsLowerAt: null,
    },
    settlementConfig: {
      chainId: 31337,
      paymentsContract: await f.payments.getAddress(),
      token: await f.stable.getAddress(),
      decimals: 6,
    },
  });
  expect(await f.payments.creditsOf(chain.wallet(3).address)).toBe(USD(4));

  // The auditor's check: the event carries the hash of the record recomputed from the off-chain data.
  const [event] = (await f.payments.queryFilter(
    f.payments.filters.SessionSettled!(BigInt(s.settlement.recordId)),
  )) as any[];
  expect(event.transactionHash).toBe(s.settlement.txHash);
  // Its proof, as its driver reads it: the record in the ledger format (EIP-712 typed data bound to
  // this chain and contract), hashed here by ethers' own encoder, is the event's record hash.
  const proof = (
    await gql(
      url,
      'query($r: ID!) { settlementProof(recordId: $r) { recordId sessionId status typedData recordHash txHash blockNumber logIndex confirmations } }',
      { r: s.settlement.recordId },
      { token: driverToken },
    )
  ).data!.settlementProof;
  const typed = JSON.parse(proof.typedData);
  expect(typed.domain).toEqual({
    name: 'GridLedger',
    version: '1',
    chainId: 31337,
    verifyingContract: await f.payments.getAddress(),
  });
  expect(typed.primaryType).toBe('ChargingSession');
  expect(typed.message).toMatchObject({
    recordId: s.settlement.recordId,
    sessionId: s.id,
    chargerIdentity: s.charger.identity,
    transactionId: s.transactionId,
    payer: s.settlement.payer,
    payee: s.settlement.payee,
    amount: String(USD(4)),
    currency: 'USD',
    energyCost: String(USD(4)),
    energyWh: '10000',
    meterStartWh: '0',
    meterStopWh: '10000',
    startedAt: String(Math.floor(Date.parse(s.startedAt) / 1000)),
    stoppedAt: String(Math.floor(Date.parse(s.stoppedAt) / 1000)),
  });
  const { EIP712Domain: _, ...types } = typed.types;
  const recomputed = TypedDataEncoder.hash(typed.domain, types, typed.message);
  expect(event.args[5]).toBe(recomputed);
  expect(proof).toMatchObject({
    status: 'CONFIRMED',
    recordHash: recomputed,
    txHash: event.transactionHash,
    blockNumber: event.blockNumber,
    logIndex: event.index,
  });
  expect(proof.confirmations).toBeGreaterThanOrEqual(1);
  // Not the business of a stranger.
  const stranger = await registerUser(url);
  expect(
    codeOf(
      await gql(
        url,
        'query($r: ID!) { settlementProof(recordId: $r) { recordHash } }',
        { r: s.settlement.recordId },
        { token: stranger.token },
      ),
    ),
  ).toBe('FORBIDDEN');
  expect(s.settlement.recordHash).toBe(recomputed);
});

it('a payer whose limit per record is too low gets FAILED with the reason, not endless retries', async () => {
  const { wallet } = await aPayingDriver(4, 'PAYCARD02', 100, 1);
  const c = await chargeOnce('PAYCARD02', 10_000);
  const r = await eventually(
    () => gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'FAILED',
    30_000,
  );
  expect(r.data!.sessions.edges[0].node.settlement.failureReason).toMatch(/limit per record/);
  expect((await f.payments.escrowOf(wallet.address))[0]).toBe(USD(100));
});

it('a FAILED settlement is retried on request once the payer raised its limits; the request id follows it into the worker', async () => {
  const { driver, wallet } = await aPayingDriver(6, 'PAYCARD04', 100, 1);
  const c = await chargeOnce('PAYCARD04', 10_000);
  const failed = await eventually(
    () => gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'FAILED',
    30_000,
  );
  const session = failed.data!.sessions.edges[0].node;
  const RETRY = 'mutation($s: ID!) { retrySettlement(sessionId: $s) { id settlement { status } } }';
  // Someone who is not a party may not.
  const stranger = await registerUser(url);
  expect(codeOf(await gql(url, RETRY, { s: session.id }, { token: stranger.token }))).toBe('FORBIDDEN');

  await (await (f.payments.connect(wallet) as Contract).setLimits(USD(100), USD(100))).wait();
  const requestId = `retry-${Date.now()}`;
  const retried = await gql(
    url,
    RETRY,
    { s: session.id },
    { token: driver.token, headers: { 'x-request-id': requestId } },
  );
  expect(retried.errors).toBeUndefined();
  expect(['PENDING', 'SUBMITTED', 'CONFIRMED']).toContain(retried.data!.retrySettlement.settlement.status);
  // A second retry while it is under way finds nothing FAILED.
  expect(codeOf(await gql(url, RETRY, { s: session.id }, { token: driver.token }))).toBe('CONFLICT');

  const confirmed = await eventually(
    () => gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'CONFIRMED',
    30_000,
  );
  const s = confirmed.data!.sessions.edges[0].node;
  expect(s.settlement.recordId).toBe(session.settlement.recordId);
  expect((await f.payments.escrowOf(wallet.address))[0]).toBe(USD(100) - USD(4));
  // The gateway's access log, the session subgraph that queued the job and the worker that ran it.
  const services = await eventually(
    async () =>
      new Set(lines.filter((l) => l.line.includes(`"requestId":"${requestId}"`)).map((l) => l.service)),
    (found) => ['gateway', 'session', 'settlement-worker'].every((name) => found.has(name)),
    10_000,
  );
  expect([...services].sort()).toEqual(['gateway', 'session', 'settlement-worker']);
});

it('a worker killed (SIGKILL) in the middle of a batch: after restart every record is settled exactly once', async () => {
  const { wallet } = await aPayingDriver(5, 'PAYCARD03', 1000, 1000);
  const chargers: Awaited<ReturnType<typeof aUsdCharger>>[] = [];
  for (let i = 0; i < 12; i++) chargers.push(await aUsdCharger());
  const escrowBefore = ((await f.payments.escrowOf(wallet.address)) as bigint[])[0]!;
  // Twelve sessions finish at once; the worker dies as soon as the first is being paid.
  await Promise.all(chargers.map((c, i) => sessionOn(world(), c, 'PAYCARD03', 1000 * (i + 1))));
  const statuses = () =>
    Promise.all(
      chargers.map((c) =>
        gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }).then(
          (r: any) => r.data.sessions.edges[0]?.node.settlement,
        ),
      ),
    );
  await eventually(statuses, (list) => list.some((s) => s && s.status !== 'PENDING'), 20_000);
  await p.platform.restart('settlement-worker', 'SIGKILL');

  const settled = await eventually(statuses, (list) => list.every((s) => s?.status === 'CONFIRMED'), 60_000);
  // Exactly once on chain: one SessionSettled per record, and the payer paid the sum of the costs once.
  for (const s of settled) {
    const events = await f.payments.queryFilter(f.payments.filters.SessionSettled!(BigInt(s.recordId)));
    expect(events).toHaveLength(1);
  }
  const total = chargers.reduce((sum, _c, i) => sum + BigInt(Math.round((i + 1) * 0.4 * 1e6)), 0n);
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(escrowBefore - total);
}, 120_000);

it('energy beyond the EVSE’s power × time (100 kWh in 2 minutes on 150 kW) is DISPUTED, not settled, until resolved', async () => {
  const { wallet } = await aPayingDriver(9, 'PAYCARD09', 100, 100);
  const c = await chargeOnce('PAYCARD09', 100_000, 2); // 150 kW × 2 min = 5 kWh; 110 % + 100 Wh = 5,600 Wh
  const DISPUTED = `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node {
    id status energyWh cost disputeReason disputeResolution settlement { status } } } } }`;
  const r = await eventually(
    () => gql(url, DISPUTED, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'DISPUTED',
  );
  const session = r.data!.sessions.edges[0].node;
  expect(session).toMatchObject({
    energyWh: 100_000,
    cost: '40.00',
    disputeResolution: null,
    settlement: null,
    disputeReason: expect.stringMatching(
      /100000 Wh reported in 1[12]\d s; a 150 kW EVSE delivers at most 5\d{3} Wh/,
    ),
  });
  // Nothing reaches the chain while it is disputed.
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(USD(100));

  const RESOLVE =
    'mutation($s: ID!, $settle: Boolean!) { resolveSessionDispute(sessionId: $s, settle: $settle) { status disputeResolution } }';
  // Only its operator or an admin resolves it.
  const driverView = await gql(
    url,
    RESOLVE,
    { s: session.id, settle: false },
    { token: (await registerUser(url)).token },
  );
  expect(codeOf(driverView)).toBe('FORBIDDEN');
  const written = await gql(url, RESOLVE, { s: session.id, settle: false }, { token: operator.token });
  expect(written.data!.resolveSessionDispute).toEqual({
    status: 'COMPLETED',
    disputeResolution: 'WRITE_OFF',
  });
  expect(codeOf(await gql(url, RESOLVE, { s: session.id, settle: true }, { token: operator.token }))).toBe(
    'CONFLICT',
  );
  // Written off: never settled, even by a retry.
  const after = await gql(url, DISPUTED, { c: c.chargerId }, { token: operator.token });
  expect(after.data!.sessions.edges[0].node.settlement).toBeNull();
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(USD(100));
});

it('a DISPUTED session its operator resolves to SETTLE is paid as metered', async () => {
  const { wallet } = await aPayingDriver(10, 'PAYCARD10', 100, 100);
  const c = await chargeOnce('PAYCARD10', 20_000, 2); // 20 kWh in 2 minutes: DISPUTED
  const LIST = `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id status settlement { status } } } } }`;
  const r = await eventually(
    () => gql(url, LIST, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.status === 'DISPUTED',
  );
  const id = r.data!.sessions.edges[0].node.id;
  const resolved = await gql(
    url,
    'mutation($s: ID!) { resolveSessionDispute(sessionId: $s, settle: true) { status disputeResolution } }',
    { s: id },
    { token: operator.token },
  );
  expect(resolved.data!.resolveSessionDispute).toEqual({ status: 'COMPLETED', disputeResolution: 'SETTLE' });
  await eventually(
    () => gql(url, LIST, { c: c.chargerId }, { token: operator.token }),
    (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'CONFIRMED',
    30_000,
  );
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(USD(100) - USD(8));
});

const READINESS =
  'query($c: String!, $e: Int) { chargingReadiness(chargerIdentity: $c, evseId: $e) { allowed reason message hold free } }';

it('a driver whose escrow cannot cover the hold is refused at the charger (1.6 Blocked, 2.0.1 NoCredit) and told why', async () => {
  const { driver } = await aPayingDriver(11, 'PAYCARD11', 20, 100);
  const c = await aUsdCharger();
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  expect(await cp.call('Authorize', { idTag: 'PAYCARD11' })).toEqual({ idTagInfo: { status: 'Blocked' } });
  const ready = await gql(url, READINESS, { c: c.identity }, { token: driver.token });
  expect(ready.data!.chargingReadiness).toEqual({
    allowed: false,
    reason: 'INSUFFICIENT_ESCROW',
    message: expect.stringMatching(/hold of 30/),
    hold: '30.00',
    free: '20.00',
  });
  // The 22 kW EVSE needs a smaller hold, which the escrow covers.
  const small = await gql(url, READINESS, { c: c.identity, e: 2 }, { token: driver.token });
  expect(small.data!.chargingReadiness).toMatchObject({ allowed: true, reason: null, hold: '4.40' });
  const start = (await cp.call('StartTransaction', {
    connectorId: 2,
    idTag: 'PAYCARD11',
    meterStart: 0,
    timestamp: new Date().toISOString(),
  })) as any;
  expect(start.idTagInfo).toEqual({ status: 'Accepted' });
  await cp.close();

  const c2 = await aUsdCharger();
  const cs = await connectCharger(p.config.ports.ocpp, c2.identity, c2.password, 'ocpp2.0.1');
  expect(await cs.call('Authorize', { idToken: { idToken: 'PAYCARD11', type: 'ISO14443' } })).toEqual({
    idTokenInfo: { status: 'NoCredit' },
  });
  await cs.close();
  // Without a wallet: NO_WALLET.
  const walletless = await registerUser(url);
  const none = await gql(url, READINESS, { c: c.identity }, { token: walletless.token });
  expect(none.data!.chargingReadiness).toMatchObject({ allowed: false, reason: 'NO_WALLET', hold: '30.00' });
});

it('holds keep sessions started at once from counting the same escrow; a stopped session’s hold becomes its cost', async () => {
  await aPayingDriver(12, 'PAYCARD12', 50, 100);
  const [a, b] = [await aUsdCharger(), await aUsdCharger()];
  const [cpA, cpB] = await Promise.all(
    [a, b].map((c) => connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6')),
  );
  const begin = (cp: typeof cpA) =>
    cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'PAYCARD12',
      meterStart: 0,
      timestamp: new Date(Date.now() - 3_600_000).toISOString(),
    }) as Promise<any>;
  // 50 USD cover one 30 USD hold, not two: whichever start comes second is refused.
  const answers = await Promise.all([begin(cpA), begin(cpB)]);
  expect(answers.map((x) => x.idTagInfo.status).sort()).toEqual(['Accepted', 'Blocked']);
  const accepted = answers.findIndex((x) => x.idTagInfo.status === 'Accepted');
  const [cpOn, cpOff] = accepted === 0 ? [cpA, cpB] : [cpB, cpA];
  // The first session stops at 10 kWh (4.00 USD): its hold is released and its cost counts until paid,
  // so the other charger now has 46 USD to count on.
  await cpOn.call('StopTransaction', {
    transactionId: answers[accepted].transactionId,
    meterStop: 10_000,
    timestamp: new Date().toISOString(),
  });
  const again = await eventually(
    () => cpOff.call('Authorize', { idTag: 'PAYCARD12' }) as Promise<any>,
    (x) => x.idTagInfo.status === 'Accepted',
  );
  expect(again).toEqual({ idTagInfo: { status: 'Accepted' } });
  await Promise.all([cpA.close(), cpB.close()]);
});

it('monthly invoices: the driver’s lists every session of the month with its transaction, as a PDF that parses; numbers have no gaps', async () => {
  const { driver } = await aPayingDriver(13, 'PAYCARD13', 100, 100);
  const chargers = [await chargeOnce('PAYCARD13', 5_000), await chargeOnce('PAYCARD13', 7_500)];
  const sessions = [];
  for (const c of chargers) {
    const r = await eventually(
      () => gql(url, SETTLED, { c: c.chargerId }, { token: operator.token }),
      (x: any) => x.data?.sessions.edges[0]?.node.settlement?.status === 'CONFIRMED',
      30_000,
    );
    sessions.push((r as any).data.sessions.edges[0].node);
  }
  // The stations are in Europe/Berlin: the month is the one the sessions started in there.
  const period = localDate(new Date(sessions[0].startedAt).getTime(), 'Europe/Berlin').slice(0, 7);
  const admin = await loginAdmin(url);
  const ISSUE = 'mutation($p: String!) { issueInvoices(period: $p) }';
  expect(
    (await gql(url, ISSUE, { p: period }, { token: admin.token })).data!.issueInvoices,
  ).toBeGreaterThanOrEqual(2);
  // Issued once: a second run issues nothing.
  expect((await gql(url, ISSUE, { p: period }, { token: admin.token })).data!.issueInvoices).toBe(0);
  expect(codeOf(await gql(url, ISSUE, { p: '2026-13' }, { token: admin.token }))).toBe('BAD_USER_INPUT');

  const INVOICES = `{ invoices(first: 100) { edges { node { id number kind period issuerId recipientId currency total
    lines { sessionId amount txHash } } } } }`;
  const mine = (await gql(url, INVOICES, {}, { token: driver.token })).data!.invoices.edges.map(
    (e: any) => e.node,
  );
  expect(mine).toHaveLength(1);
  const invoice = mine[0];
  expect(invoice).toMatchObject({
    kind: 'CHARGING',
    period,
    issuerId: operator.userId,
    recipientId: driver.userId,
    currency: 'USD',
    total: '5.00',
  });
  expect(invoice.lines).toEqual(
    sessions.map((s) => ({ sessionId: s.id, amount: s.cost, txHash: s.settlement.txHash })),
  );

  // The PDF, through a short-lived gateway link, lists every session with its transaction hash.
  const text = await invoicePdfText(url, invoice.id, driver.token);
  expect(text).toContain(`Invoice ${invoice.number}`);
  expect(text).toContain('Total: 5.00 USD');
  for (const s of sessions) {
    expect(text).toContain(s.id);
    expect(text).toContain(s.settlement.txHash);
  }
  // Nobody else gets it.
  const stranger = await registerUser(url);
  expect(
    codeOf(
      await gql(
        url,
        'mutation($id: ID!) { downloadInvoice(id: $id) { url } }',
        { id: invoice.id },
        { token: stranger.token },
      ),
    ),
  ).toBe('NOT_FOUND');

  // The operator: the charging invoices it issued number 1…n in its series for the year, without a
  // gap; the platform's invoice to it lists the fee on each confirmed session.
  const theirs = (await gql(url, INVOICES, {}, { token: operator.token })).data!.invoices.edges.map(
    (e: any) => e.node,
  );
  const issued = theirs.filter((i: any) => i.issuerId === operator.userId);
  const seq = issued
    .map((i: any) => Number(i.number.split('-').at(-1)))
    .sort((a: number, b: number) => a - b);
  expect(seq).toEqual(seq.map((_: number, k: number) => k + 1));
  expect(
    issued.every((i: any) => i.number.startsWith(`OP-${operator.userId.slice(0, 8).toUpperCase()}-`)),
  ).toBe(true);
  const fees = theirs.find((i: any) => i.kind === 'PLATFORM_FEES' && i.period === period);
  expect(fees.number).toMatch(/^GL-\d{4}-\d{6}$/);
  for (const s of sessions)
    expect(fees.lines).toContainEqual({
      sessionId: s.id,
      amount: s.settlement.fee,
      txHash: s.settlement.txHash,
    });
});
