/**
 * The web console in a real browser (Debian's Chromium, driven by playwright-core) against a platform
 * and chain started here: an operator signs in; a charger's StatusNotification turns its marker from
 * Available to Charging within a second, without a reload; a remote stop shows the charger's answer;
 * the finished session shows its settlement transaction; a prosumer sees a clearing appear after gate
 * closure. Screenshots of each view go to test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { aUserWithRoles, loginAdmin } from '../support/builders.js';
import { aCommunity, aMeteredSite, submitReadings } from '../support/market.js';
import {
  aFundedPayer,
  deployFixture,
  linkWallet,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { connectCharger } from '../support/chargers.js';
import { gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { payingDriver, usdCharger, type PayingWorld } from '../support/paying.js';

const SHOTS = new URL('../../test-output/console/', import.meta.url).pathname;

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
let browser: Browser;
let page: Page;
let operator: Awaited<ReturnType<typeof aUserWithRoles>>;
let origin: string;
/** The paying driver of the operator's test, who signs in next. */
let driverLogin: { email: string; password: string };
/** The record number of that driver's settled session. */
let settledRecord: string;

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    SETTLEMENT_BATCH_WINDOW_MS: '100',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    // Reports read rollups: roll up every half second; maintenance windows start on time.
    REPORT_ROLLUP_MS: '500',
    MAINTENANCE_POLL_MS: '200',
    // A trade's delivery is checked 2 s after its interval ends (not half an hour).
    MARKET_DELIVERY_GRACE_SECONDS: '2',
  });
  origin = new URL(p.gatewayUrl).origin;
  operator = await aUserWithRoles(p.gatewayUrl, await loginAdmin(p.gatewayUrl), ['OPERATOR']);
  await linkWallet(p.gatewayUrl, operator, chain.wallet(3));
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

it('serves the console under a Content-Security-Policy of its own origin, with nothing from elsewhere', async () => {
  const res = await fetch(`${origin}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('content-security-policy')).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
  const html = await res.text();
  expect(html).not.toMatch(/https?:\/\//);
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await fetch(`${origin}${asset}`);
  expect(js.headers.get('content-type')).toContain('text/javascript');
  expect((await fetch(`${origin}/assets/..%2Fpackage.json`)).status).toBe(404);
});

it('an operator signs in and follows a charger live: status, remote stop and its answer, the settlement transaction', async () => {
  const w: PayingWorld = { url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp };
  const { driver } = await payingDriver(w, 2, 'CONSOLECARD1', 100, 50);
  driverLogin = (driver as typeof driver & { input: { email: string; password: string } }).input;
  const c = await usdCharger(w);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const remoteStops: unknown[] = [];
  cp.handle('RemoteStopTransaction', async ({ params }) => {
    remoteStops.push(params);
    return { status: 'Accepted' };
  });
  const status = (s: string) =>
    cp.call('StatusNotification', {
      connectorId: 1,
      status: s,
      errorCode: 'NoError',
      timestamp: new Date().toISOString(),
    });
  await status('Available');

  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`);
  await page.screenshot({ path: `${SHOTS}sign-in.png` });
  await page.fill('input[name=email]', operator.input.email);
  await page.fill('input[name=password]', 'wrong password');
  await page.click('button[type=submit]');
  await page.waitForSelector('[role=alert]');
  await page.fill('input[name=password]', operator.input.password);
  await page.click('button[type=submit]');
  const marker = `[data-testid="marker-${c.identity}"]`;
  await page.waitForSelector(`${marker}[data-status="AVAILABLE"]`);
  await page.waitForSelector('text=● live');
  await page.screenshot({ path: `${SHOTS}stations.png` });

  // Charging: the marker turns within a second, without a reload.
  const { transactionId } = (await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: 'CONSOLECARD1',
    meterStart: 0,
    timestamp: new Date(Date.now() - 30 * 60_000).toISOString(),
  })) as { transactionId: number };
  const sent = Date.now();
  await status('Charging');
  await page.waitForSelector(`${marker}[data-status="CHARGING"]`, { timeout: 1000 });
  const turnedMs = Date.now() - sent;
  expect(turnedMs).toBeLessThan(1000);
  await page.waitForSelector('tr[data-status="ACTIVE"] button:has-text("Stop")');
  // Energy and cost so far follow the meter live: 2.5 kWh × 0.40.
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [
      {
        timestamp: new Date().toISOString(),
        sampledValue: [{ value: '2500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      },
    ],
  });
  await page.waitForSelector(
    'tr[data-status="ACTIVE"]:has-text("2.50 kWh") td.cost:has-text("1.00 USD so far")',
  );
  await page.screenshot({ path: `${SHOTS}charging.png` });

  // A remote stop: the charger's answer shows; then the charger ends the transaction.
  await page.click('tr[data-status="ACTIVE"] button:has-text("Stop")');
  await page.waitForSelector(`[data-testid="command-answer"]:has-text("${c.identity} accepted the stop")`);
  expect(remoteStops).toEqual([{ transactionId }]);
  await page.screenshot({ path: `${SHOTS}remote-stop.png` });
  await cp.call('StopTransaction', { transactionId, meterStop: 5_000, timestamp: new Date().toISOString() });
  await status('Available');
  // 5 kWh × 0.40 = 2.00 USD, paid on chain: the row shows the transaction.
  const tx = await page.waitForSelector('tr[data-status="COMPLETED"] td.tx code', { timeout: 30_000 });
  expect(await tx.textContent()).toMatch(/^0x[0-9a-f]{64}$/);
  expect(await page.textContent('tr[data-status="COMPLETED"]')).toContain('2.00 USD');
  const sessions = await gql(
    p.gatewayUrl,
    'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { settlement { recordId } } } } }',
    { c: c.chargerId },
    { token: operator.token },
  );
  settledRecord = sessions.data!.sessions.edges[0].node.settlement.recordId;
  await page.screenshot({ path: `${SHOTS}settled.png`, fullPage: true });

  // At phone width everything is still there.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}phone.png`, fullPage: true });
  expect(await page.isVisible(marker)).toBe(true);
  // No console errors: no script or connection refused by the policy, nothing failed to load.
  expect(errors.filter((e) => !e.includes('401') && !/status of 4\d\d/.test(e))).toEqual([]);
  await cp.close();
}, 90_000);

it('a browser’s GET /graphql shows the bundled GraphiQL, which runs a query against the API', async () => {
  const ide = await browser.newPage();
  const errors: string[] = [];
  ide.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  ide.on('pageerror', (e) => errors.push(e.message));
  const requested: string[] = [];
  ide.on('request', (r) => requested.push(r.url()));
  // The query as GraphiQL keeps the last one (its editor closes braces itself when typed into).
  await ide.addInitScript(() =>
    (globalThis as any).localStorage.setItem('graphiql:query', '{ settlementConfig { chainId } }'),
  );
  await ide.goto(`${origin}/graphql`);
  await ide.waitForSelector('.graphiql-container');
  // The schema loads (introspection) and the editor takes a query.
  await ide.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 20_000 });
  await ide.click('.graphiql-execute-button');
  // The response pane shows the chain id (Monaco renders its spaces as no-break spaces).
  await ide.waitForFunction(
    () => /"chainId":\s*31337/.test((globalThis as any).document.body.innerText),
    null,
    {
      timeout: 10_000,
    },
  );
  await ide.screenshot({ path: `${SHOTS}graphiql.png` });
  // Nothing from another origin.
  expect(
    requested.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')),
  ).toEqual([]);
  expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  await ide.close();
  // An API client's GET /graphql is still the API.
  const api = await fetch(`${origin}/graphql?query=%7B__typename%7D`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  expect(await api.json()).toMatchObject({ data: { __typename: 'Query' } });
}, 60_000);

it('GraphiQL runs a subscription over graphql-ws, signed in with the headers editor’s token', async () => {
  const w: PayingWorld = { url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp };
  const c = await usdCharger(w);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const ide = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  ide.on('pageerror', (e) => errors.push(e.message));
  // What GraphiQL restores on load: the operation, its variables and the headers (the editors' state).
  await ide.addInitScript(
    ([stationId, token]) => {
      const storage = (globalThis as any).localStorage;
      storage.setItem(
        'graphiql:query',
        'subscription($s: ID!) { chargerStatusChanged(stationId: $s) { evseId status } }',
      );
      storage.setItem('graphiql:variables', JSON.stringify({ s: stationId }));
      storage.setItem('graphiql:headers', JSON.stringify({ authorization: `Bearer ${token}` }));
    },
    [c.stationId, operator.token],
  );
  // The subscription's graphql-ws frames: the socket signs in, then subscribes.
  const frames: string[] = [];
  ide.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(`> ${String(f.payload)}`));
    ws.on('framereceived', (f) => frames.push(`< ${String(f.payload)}`));
  });
  await ide.goto(`${origin}/graphql`);
  await ide.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 20_000 });
  await ide.click('.graphiql-execute-button');
  for (
    const deadline = Date.now() + 10_000;
    !frames.some((x) => x.startsWith('> ') && x.includes('"subscribe"'));
  ) {
    if (Date.now() > deadline) throw new Error(`no subscribe frame: ${frames.join('\n')}`);
    await ide.waitForTimeout(50);
  }
  expect(frames.find((x) => x.includes('connection_init'))).toContain(`Bearer ${operator.token}`);
  expect(frames.some((x) => x.includes('connection_ack'))).toBe(true);
  // The server registers the subscription a moment after the frame: send until the event shows.
  const shown = () =>
    ide.evaluate(() => /"status":\s*"CHARGING"/.test((globalThis as any).document.body.innerText));
  for (const deadline = Date.now() + 10_000; !(await shown());) {
    if (Date.now() > deadline) throw new Error(`no event shown: ${frames.join('\n')}`);
    for (const status of ['Available', 'Charging'])
      await cp.call('StatusNotification', {
        connectorId: 1,
        status,
        errorCode: 'NoError',
        timestamp: new Date().toISOString(),
      });
    await ide.waitForTimeout(300);
  }
  expect(frames.some((x) => x.startsWith('< ') && x.includes('"next"') && x.includes('CHARGING'))).toBe(true);
  await ide.screenshot({ path: `${SHOTS}graphiql-subscription.png` });
  expect(errors).toEqual([]);
  await ide.close();
  await cp.close();
}, 60_000);

it('a prosumer sees the clearing appear after gate closure, then its trade delivered and settled on chain, without a reload', async () => {
  const MINUTE = 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const admin = await loginAdmin(p.gatewayUrl);
  const host = await aUserWithRoles(p.gatewayUrl, admin, ['HOST']);
  const buyer = await aUserWithRoles(p.gatewayUrl, admin, ['BUYER']);
  // 1-minute intervals (allowed outside production), gate closure at the interval's start.
  const community = await aCommunity(p.gatewayUrl, operator, { intervalMinutes: 1, gateClosureMinutes: 0 });
  const site = await aMeteredSite(p.gatewayUrl, host, community, 'PRODUCTION');
  const consumer = await aMeteredSite(p.gatewayUrl, buyer, community, 'CONSUMPTION');
  // The seller is paid to its wallet; the buyer pays from escrow (1 token, within its limits).
  await linkWallet(p.gatewayUrl, host, chain.wallet(7));
  await linkWallet(p.gatewayUrl, buyer, chain.wallet(6));
  await aFundedPayer(f, chain.wallet(6), 1_000_000n, 1_000_000n);
  // The next interval whose gate is more than 25 s away (the console's form offers those more than
  // 10 s away when it opens).
  let start = Math.ceil((Date.now() + 25_000) / MINUTE) * MINUTE;
  if (start - Date.now() < 25_000) start += MINUTE;
  // Registers at the last three interval boundaries (300 and 250 Wh produced in two intervals), and
  // both meters across the order's interval: 500 Wh out of the site, 500 Wh into the buyer's.
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
  const submitted = await submitReadings(p.gatewayUrl, site.meterId, site.deviceKey, [
    { timestamp: iso(t0), importWh: 0, exportWh: 10_000 },
    { timestamp: iso(t0 + MINUTE), importWh: 0, exportWh: 10_300 },
    { timestamp: iso(t0 + 2 * MINUTE), importWh: 0, exportWh: 10_550 },
    { timestamp: iso(start), importWh: 0, exportWh: 10_600 },
    { timestamp: iso(start + MINUTE), importWh: 0, exportWh: 11_100 },
  ]);
  expect(submitted.data!.submitMeterReadings.accepted).toBe(5);
  await submitReadings(p.gatewayUrl, consumer.meterId, consumer.deviceKey, [
    { timestamp: iso(start), importWh: 5_000, exportWh: 0 },
    { timestamp: iso(start + MINUTE), importWh: 5_500, exportWh: 0 },
  ]);
  const place = (who: typeof host, side: 'SELL' | 'BUY', limitPricePerKwh: number) =>
    gql(
      p.gatewayUrl,
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }',
      { i: { communityId: community.id, intervalStart: iso(start), side, energyWh: 500, limitPricePerKwh } },
      { token: who.token },
    );
  expect((await place(buyer, 'BUY', 1000)).errors).toBeUndefined();

  const prosumer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  prosumer.on('pageerror', (e) => errors.push(e.message));
  prosumer.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await prosumer.goto(`${origin}/`);
  await prosumer.fill('input[name=email]', host.input.email);
  await prosumer.fill('input[name=password]', host.input.password);
  await prosumer.click('button[type=submit]');
  await prosumer.waitForSelector(`[data-testid="readings-${site.meterId}"]`);
  // The host sells through the console's form: first a bid by mistake, refused (no escrow) with the
  // reason; then an ask for the next interval, cancelled; then the ask that trades.
  const form = '[data-testid="place-order"]';
  const orders = '[data-testid^="order-"]';
  await prosumer.selectOption(`${form} select[name=intervalStart]`, String(start));
  await prosumer.selectOption(`${form} select[name=side]`, 'BUY');
  await prosumer.fill(`${form} input[name=energyWh]`, '500');
  await prosumer.fill(`${form} input[name=limit]`, '100');
  await prosumer.click(`${form} button[type=submit]`);
  await prosumer.waitForSelector(`${form} [role=alert]`);
  expect(await prosumer.$$(orders)).toHaveLength(0);
  await prosumer.selectOption(`${form} select[name=side]`, 'SELL');
  await prosumer.selectOption(`${form} select[name=intervalStart]`, String(start + MINUTE));
  await prosumer.fill(`${form} input[name=energyWh]`, '200');
  await prosumer.click(`${form} button[type=submit]`);
  await prosumer.click(`${orders}[data-status="OPEN"] button:has-text("cancel")`);
  await prosumer.waitForSelector(`${orders}[data-status="CANCELLED"]`);
  await prosumer.selectOption(`${form} select[name=intervalStart]`, String(start));
  await prosumer.fill(`${form} input[name=energyWh]`, '500');
  await prosumer.click(`${form} button[type=submit]`);
  const open = await prosumer.waitForSelector(`${orders}[data-status="OPEN"]`);
  const order = `[data-testid="${await open.getAttribute('data-testid')}"]`;
  expect(await open.textContent()).toContain('sell 500 Wh at 100/kWh');
  // The interval of the order is not cleared yet (earlier, empty intervals of the new community may be).
  const row = `[data-testid="clearing-${iso(start)}"]`;
  expect(await prosumer.$(row)).toBeNull();
  await prosumer.screenshot({ path: `${SHOTS}market-before.png`, fullPage: true });
  // Gate closure: the clearing is published and appears, in the table and the chart, and the order
  // is filled by a trade.
  await prosumer.waitForSelector(row, { timeout: start - Date.now() + 20_000 });
  await prosumer.waitForSelector('[data-testid="clearing-chart"]');
  expect(await prosumer.textContent(row)).toContain('500 Wh');
  await prosumer.waitForSelector(`${order}[data-status="FILLED"]`);
  const trade = `[data-testid="trade"][data-interval="${iso(start)}"]`;
  await prosumer.waitForSelector(`${trade}[data-status="MATCHED"]`);
  await prosumer.screenshot({ path: `${SHOTS}market-cleared.png`, fullPage: true });
  // The interval ends, the meters are checked, and the buyer's escrow pays the seller on chain: the
  // trade shows each step as it happens.
  const settled = await prosumer.waitForSelector(
    `${trade}[data-status="DELIVERED"][data-settlement="CONFIRMED"]`,
    {
      timeout: start + MINUTE - Date.now() + 40_000,
    },
  );
  expect(await settled.textContent()).toContain('500 Wh delivered');
  expect(await settled.textContent()).toMatch(/settlement confirmed 0x[0-9a-f]{64}/);
  // A new reading of the site's meter redraws its chart without a reload: the intervals the page
  // could not show when it loaded (they had not begun) are there now.
  const chart = `[data-testid="readings-${site.meterId}"]`;
  const before = Number(await prosumer.getAttribute(chart, 'data-points'));
  await submitReadings(p.gatewayUrl, site.meterId, site.deviceKey, [
    { timestamp: iso(start + 2 * MINUTE), importWh: 0, exportWh: 11_400 },
  ]);
  await prosumer.waitForSelector(`${chart}:not([data-points="${before}"])`);
  expect(Number(await prosumer.getAttribute(chart, 'data-points'))).toBeGreaterThan(before);
  await prosumer.screenshot({ path: `${SHOTS}market-settled.png`, fullPage: true });
  expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  await prosumer.close();
}, 200_000);

it('a driver sees the session’s receipt and the wallet’s escrow; an auditor the ledger and the session’s proof', async () => {
  const driver = await signedIn(driverLogin);
  await driver.waitForSelector('[data-testid="escrow"] code');
  // 100 deposited, 2.00 paid for the session.
  expect(await driver.textContent('[data-testid="escrow"]')).toContain('98.00');
  await driver.click('li[data-status="COMPLETED"] button.link');
  const receipt = await driver.waitForSelector('[data-testid="receipt"]');
  expect(await receipt.textContent()).toContain('Energy delivered');
  expect(await receipt.textContent()).toContain('2.00 USD');
  expect(await driver.textContent('li[data-status="COMPLETED"] .tx')).toMatch(/0x[0-9a-f]{64}/);
  await driver.screenshot({ path: `${SHOTS}driver.png`, fullPage: true });
  await driver.close();

  const admin = await loginAdmin(p.gatewayUrl);
  const auditorAccount = await aUserWithRoles(p.gatewayUrl, admin, ['AUDITOR']);
  const auditor = await signedIn(auditorAccount.input);
  const summary = await auditor.waitForSelector('[data-testid="ledger-summary"]');
  expect(await summary.textContent()).toContain('charging sessions');
  await auditor.fill('input[name=recordId]', settledRecord);
  await auditor.click('form.inline button[type=submit]');
  const proof = await auditor.waitForSelector('[data-testid="proof"]');
  expect(await proof.textContent()).toContain('CONFIRMED');
  expect(await proof.textContent()).toContain('"primaryType": "ChargingSession"');
  await auditor.screenshot({ path: `${SHOTS}auditor.png`, fullPage: true });
  await auditor.close();
}, 60_000);

it('an operator’s reports chart the day’s session, and its invoice downloads as a PDF', async () => {
  const admin = await loginAdmin(p.gatewayUrl);
  // The session's local month (Europe/Berlin): this UTC month, but for a run at midnight.
  const period = new Date().toISOString().slice(0, 7);
  await gql(
    p.gatewayUrl,
    'mutation($p: String!) { issueInvoices(period: $p) }',
    { p: period },
    { token: admin.token },
  );
  const tab = await signedIn(operator.input);
  // The rollup of the settled session (one, 5 kWh): the report reads rollups, which run every
  // half second here; a page loaded before the pass shows it after a reload.
  let total = '';
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    await tab.waitForSelector('[data-testid="report-activity"]');
    total = (await tab.textContent('[data-testid="report-total"]')) ?? '';
    // The sessions' rollup and the stations' status rollup run on their own: both in.
    if (total === '1 session(s), 5.0 kWh' && (await tab.$('[data-testid="report"] tbody button.link'))) break;
    await tab.waitForTimeout(500);
    await tab.reload();
  }
  expect(total).toBe('1 session(s), 5.0 kWh');
  const invoice = await tab.waitForSelector('li[data-testid^="invoice-OP-"] button');
  await invoice.click();
  const link = await tab.waitForSelector('[data-testid="invoice-link"]');
  const pdf = await fetch(`${origin}${await link.getAttribute('href')}`);
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  expect(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
  // A station's own report: its ports (the settled session's connector among them) and faults.
  await tab.click('[data-testid="report"] tbody button.link');
  const ports = await tab.waitForSelector('[data-testid="station-report"] [data-testid="port"]');
  expect(await ports.textContent()).toMatch(/^CP-\S+ EVSE \d\/\d/);
  expect(await tab.textContent('[data-testid="station-faults"]')).toBe('Faults: none reported');
  await tab.screenshot({ path: `${SHOTS}reports.png`, fullPage: true });
  await tab.close();
}, 60_000);

it('an operator schedules maintenance of a charger: it is told Inoperative, then Operative when ended, and the answers show', async () => {
  const w: PayingWorld = { url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp };
  const c = await usdCharger(w);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const told: unknown[] = [];
  cp.handle('ChangeAvailability', async ({ params }) => {
    told.push(params);
    return { status: 'Accepted' };
  });
  const tab = await signedIn(operator.input);
  await tab.click(`[data-testid="charger-${c.identity}"] button:has-text("maintenance")`);
  const panel = `[data-testid="maintenance-${c.identity}"]`;
  await tab.waitForSelector(`${panel} >> text=No maintenance windows.`);
  // From now (the form's default) for an hour.
  await tab.fill(`${panel} input[name=reason]`, 'Cable replacement');
  await tab.click(`${panel} button[type=submit]`);
  await tab.waitForSelector(
    `${panel} [data-testid="maintenance-window"][data-status="ACTIVE"]:has-text("Inoperative: Accepted")`,
    {
      timeout: 15_000,
    },
  );
  expect(told).toEqual([{ connectorId: 0, type: 'Inoperative' }]);
  await tab.screenshot({ path: `${SHOTS}maintenance.png`, fullPage: true });
  await tab.click(`${panel} button:has-text("End now")`);
  await tab.waitForSelector(`${panel} [data-testid="maintenance-window"]:has-text("; Operative: Accepted")`, {
    timeout: 15_000,
  });
  expect(told).toEqual([
    { connectorId: 0, type: 'Inoperative' },
    { connectorId: 0, type: 'Operative' },
  ]);
  await tab.close();
  await cp.close();
}, 60_000);

/** A new tab with `who` signed in. */
async function signedIn(who: { email: string; password: string }) {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await tab.goto(`${origin}/`);
  await tab.fill('input[name=email]', who.email);
  await tab.fill('input[name=password]', who.password);
  await tab.click('button[type=submit]');
  return tab;
}

it('an operator sends remote commands — start, unlock, availability, reset — and sees each answer of the charger', async () => {
  const w: PayingWorld = { url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp };
  const c = await usdCharger(w);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const received: [string, unknown][] = [];
  const answer =
    (action: string, status: string) =>
    async ({ params }: { params?: unknown }) => {
      received.push([action, params]);
      return { status };
    };
  cp.handle('RemoteStartTransaction', answer('RemoteStartTransaction', 'Accepted'));
  cp.handle('UnlockConnector', answer('UnlockConnector', 'UnlockFailed'));
  cp.handle('ChangeAvailability', answer('ChangeAvailability', 'Scheduled'));
  cp.handle('Reset', answer('Reset', 'Accepted'));
  const tab = await signedIn(operator.input);
  await tab.click(`[data-testid="charger-${c.identity}"] button:has-text("commands")`);
  const panel = `[data-testid="commands-${c.identity}"]`;
  const latest = `${panel} [data-testid="charger-answer"]:first-child`;
  // An unknown id token: refused by the platform, nothing sent to the charger.
  await tab.fill(`${panel} input[name=idToken]`, 'NOSUCHCARD');
  await tab.click(`${panel} button:has-text("Start")`);
  await tab.waitForSelector(`${latest}:has-text("Start on EVSE 1 — not done")`);
  expect(received).toEqual([]);
  await tab.fill(`${panel} input[name=idToken]`, 'CONSOLECARD1');
  await tab.click(`${panel} button:has-text("Start")`);
  await tab.waitForSelector(`${latest}:has-text("Start on EVSE 1 — ${c.identity}: Accepted")`);
  // EVSE 2 for the rest.
  await tab.selectOption(`${panel} select[name=evse]`, '2');
  await tab.click(`${panel} button:has-text("Unlock")`);
  await tab.waitForSelector(`${latest}:has-text("Unlock EVSE 2 — ${c.identity}: UnlockFailed")`);
  await tab.click(`${panel} button:has-text("EVSE out of service")`);
  await tab.waitForSelector(`${latest}:has-text("EVSE 2 inoperative — ${c.identity}: Scheduled")`);
  await tab.click(`${panel} button:has-text("Soft reset")`);
  await tab.waitForSelector(`${latest}:has-text("Soft reset — ${c.identity}: Accepted")`);
  expect(received).toEqual([
    ['RemoteStartTransaction', expect.objectContaining({ connectorId: 1, idTag: 'CONSOLECARD1' })],
    ['UnlockConnector', { connectorId: 2 }],
    ['ChangeAvailability', { connectorId: 2, type: 'Inoperative' }],
    ['Reset', { type: 'Soft' }],
  ]);
  expect(await tab.$$(`${panel} [data-testid="charger-answer"]`)).toHaveLength(5);
  await tab.screenshot({ path: `${SHOTS}commands.png`, fullPage: true });
  // A charger that is gone: the answer says so.
  await cp.close();
  await tab.click(`${panel} button:has-text("Soft reset")`);
  await tab.waitForSelector(`${latest}.failed:has-text("Soft reset — not done")`);
  await tab.close();
}, 60_000);

it('an operator sees a fault and an alert arrive live, acknowledges the alert, and writes off a disputed session', async () => {
  const w: PayingWorld = { url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp };
  await payingDriver(w, 4, 'CONSOLECARD2', 100, 50);
  const c = await usdCharger(w);
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const status = (connectorId: number, s: string, errorCode = 'NoError') =>
    cp.call('StatusNotification', { connectorId, status: s, errorCode, timestamp: new Date().toISOString() });
  await status(1, 'Available');
  const tab = await signedIn(operator.input);
  await tab.waitForSelector(`[data-testid="marker-${c.identity}"][data-status="AVAILABLE"]`);
  await tab.waitForSelector('[data-testid="alerts"] h2 small');
  const fault = `[data-testid="fault"]:has-text("${c.identity} EVSE 1")`;
  const alert = `[data-testid="charger-alert"]:has-text("${c.identity}")`;
  expect(await tab.$(fault)).toBeNull();
  expect(await tab.$(alert)).toBeNull();
  // A fault on connector 1, and a status for a connector the charger is not registered with.
  await status(1, 'Faulted', 'GroundFailure');
  await tab.waitForSelector(fault);
  await status(7, 'Faulted', 'HighTemperature');
  await tab.waitForSelector(`${alert}[data-kind="UNKNOWN_CONNECTOR"]:has-text("HighTemperature")`);
  await tab.screenshot({ path: `${SHOTS}alerts.png`, fullPage: true });
  await tab.click(`${alert} button:has-text("acknowledge")`);
  await tab.waitForSelector(alert, { state: 'detached' });
  await status(1, 'Available');
  await tab.waitForSelector(fault, { state: 'detached' });

  // 100 kWh in 2 minutes on a 150 kW EVSE (5 kWh possible): DISPUTED when it stops. This charger
  // says Charging before it sends StartTransaction: the list, read on the status change, has no
  // session yet, and reads again until it has one.
  await status(1, 'Charging');
  await tab.waitForSelector(`[data-testid="marker-${c.identity}"][data-status="CHARGING"]`);
  const { transactionId } = (await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: 'CONSOLECARD2',
    meterStart: 0,
    timestamp: new Date(Date.now() - 2 * 60_000).toISOString(),
  })) as { transactionId: number };
  await tab.waitForSelector(`tr[data-status="ACTIVE"]:has-text("${c.identity}")`, { timeout: 10_000 });
  await cp.call('StopTransaction', {
    transactionId,
    meterStop: 100_000,
    timestamp: new Date().toISOString(),
  });
  const disputed = await tab.waitForSelector(`[data-testid^="disputed-"]:has-text("${c.identity}")`, {
    timeout: 15_000,
  });
  expect(await disputed.textContent()).toContain('100.00 kWh');
  const sessionId = (await disputed.getAttribute('data-testid'))!.slice('disputed-'.length);
  await tab.screenshot({ path: `${SHOTS}disputed.png`, fullPage: true });
  await tab.click(`[data-testid="disputed-${sessionId}"] button:has-text("Write off")`);
  await tab.waitForSelector(`[data-testid="disputed-${sessionId}"]`, { state: 'detached' });
  const after = await gql(
    p.gatewayUrl,
    'query($id: ID!) { session(id: $id) { status disputeResolution settlement { status } } }',
    { id: sessionId },
    { token: operator.token },
  );
  expect(after.data!.session).toMatchObject({ settlement: null });
  expect(after.data!.session.disputeResolution).toBeTruthy();
  await tab.close();
  await cp.close();
}, 60_000);

it('a driver adds and blocks an id token, adds and removes a vehicle, and links a wallet by pasting its signature', async () => {
  const admin = await loginAdmin(p.gatewayUrl);
  const driver = await aUserWithRoles(p.gatewayUrl, admin, ['DRIVER']);
  const tab = await signedIn(driver.input);
  tab.on('dialog', (d) => void d.accept());
  await tab.waitForSelector('[data-testid="driver-account"]');
  expect(await tab.textContent('[data-testid="escrow"]')).toContain('No wallet linked');

  await tab.fill('[data-testid="add-id-token"] input[name=token]', 'bad token!');
  await tab.click('[data-testid="add-id-token"] button[type=submit]');
  await tab.waitForSelector('[data-testid="driver-account"] [role=alert]:has-text("token must be")');
  await tab.fill('[data-testid="add-id-token"] input[name=token]', 'CONSOLE-TAG-7');
  await tab.click('[data-testid="add-id-token"] button[type=submit]');
  const token = '[data-testid="id-token-CONSOLE-TAG-7"]';
  await tab.waitForSelector(`${token}[data-status="ACCEPTED"]`);
  await tab.click(`${token} button:has-text("block")`);
  await tab.waitForSelector(`${token}[data-status="BLOCKED"]`);

  await tab.fill('[data-testid="add-vehicle"] input[name=make]', 'Renault');
  await tab.fill('[data-testid="add-vehicle"] input[name=model]', 'Zoe');
  await tab.fill('[data-testid="add-vehicle"] input[name=batteryKwh]', '52');
  await tab.click('[data-testid="add-vehicle"] button[type=submit]');
  const vehicle = '[data-testid="vehicle-Renault Zoe"]';
  expect(await (await tab.waitForSelector(vehicle)).textContent()).toContain('52 kWh, TYPE2');

  const wallet = chain.wallet(5);
  await tab.fill('[data-testid="link-wallet"] input[name=address]', wallet.address);
  await tab.click('[data-testid="link-wallet"] button[type=submit]');
  const challenge = await tab.waitForSelector('[data-testid="link-wallet"] textarea[name=challenge]');
  const message = await challenge.inputValue();
  expect(message).toContain(wallet.address);
  await tab.fill('[data-testid="link-wallet"] input[name=signature]', await wallet.signMessage(message));
  await tab.click('[data-testid="link-wallet"] button:has-text("Link")');
  await tab.waitForSelector(`[data-testid="escrow"] code:has-text("${wallet.address}")`);
  await tab.screenshot({ path: `${SHOTS}driver-account.png`, fullPage: true });

  await tab.click(`${vehicle} button:has-text("remove")`);
  await tab.waitForSelector(vehicle, { state: 'detached' });
  const me = await gql(
    p.gatewayUrl,
    '{ me { idTokens { token status } vehicles { id } wallets { address } } }',
    {},
    { token: driver.token },
  );
  expect(me.data!.me).toMatchObject({
    idTokens: [{ token: 'CONSOLE-TAG-7', status: 'BLOCKED' }],
    vehicles: [],
  });
  expect(me.data!.me.wallets.map((x: { address: string }) => x.address.toLowerCase())).toEqual([
    wallet.address.toLowerCase(),
  ]);
  await tab.close();
}, 60_000);
