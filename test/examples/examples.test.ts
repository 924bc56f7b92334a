/**
 * The client examples (examples/js, examples/python) run as a user would run them, against a platform
 * and chain started here and a simulated OCPP 1.6 charger that answers a remote start by charging
 * for a few seconds; each example must exit 0 and print what it did.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aUserWithRoles, loginAdmin } from '../support/builders.js';
import {
  deployFixture,
  linkWallet,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { connectCharger, registeredCharger } from '../support/chargers.js';
import { aCommunity, aMeteredSite } from '../support/market.js';
import { gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { payingDriver } from '../support/paying.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Debian's Python, which has python3-websockets (another python3 on PATH may not). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
let account: Awaited<ReturnType<typeof aUserWithRoles>>;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    SETTLEMENT_BATCH_WINDOW_MS: '100',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  // An operator that is also a prosumer (the Python example sells from its own site).
  account = await aUserWithRoles(p.gatewayUrl, await loginAdmin(p.gatewayUrl), ['OPERATOR', 'HOST']);
  await linkWallet(p.gatewayUrl, account, chain.wallet(3));
  await payingDriver(
    { url: p.gatewayUrl, operator: account, f, chain, ocppPort: p.config.ports.ocpp },
    2,
    'EXAMPLECARD',
    100,
    50,
  );
}, 120_000);

afterAll(async () => {
  for (const close of closers) await close();
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

/**
 * A charger at a station of its own at `location` (0.40 USD/kWh), connected over OCPP 1.6 with both
 * EVSEs Available; a remote start makes it charge 4 kWh over a few seconds and stop.
 */
async function simulatedCharger(location: { lat: number; lng: number }) {
  const c = await registeredCharger(p.gatewayUrl, account, {}, { location });
  await gql(
    p.gatewayUrl,
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    { i: { stationId: c.stationId, name: 'USD', currency: 'USD', pricePerKwh: '0.40' } },
    { token: account.token },
  );
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  closers.push(() => cp.close());
  const status = (connectorId: number, s: string) =>
    cp.call('StatusNotification', {
      connectorId,
      status: s,
      errorCode: 'NoError',
      timestamp: new Date().toISOString(),
    });
  await status(1, 'Available');
  await status(2, 'Available');
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  cp.handle('RemoteStartTransaction', async ({ params }) => {
    const { connectorId, idTag } = params as { connectorId: number; idTag: string };
    setTimeout(async () => {
      const started = Date.now() - 20 * 60_000;
      const { transactionId } = (await cp.call('StartTransaction', {
        connectorId,
        idTag,
        meterStart: 0,
        timestamp: new Date(started).toISOString(),
      })) as { transactionId: number };
      await status(connectorId, 'Charging');
      for (const wh of [1_500, 3_000]) {
        // Time for the example to find the session and follow it.
        await pause(1_500);
        await cp.call('MeterValues', {
          connectorId,
          transactionId,
          meterValue: [
            {
              timestamp: new Date().toISOString(),
              sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
            },
          ],
        });
      }
      await pause(1_000);
      await cp.call('StopTransaction', {
        transactionId,
        meterStop: 4_000,
        timestamp: new Date().toISOString(),
      });
      await status(connectorId, 'Available');
    }, 200);
    return { status: 'Accepted' };
  });
  return c;
}

/** Runs an example program; its exit status and what it printed. */
function run(file: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      file,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const common = () => ({
  GRIDLEDGER_API: p.gatewayUrl,
  GRIDLEDGER_EMAIL: account.input.email,
  GRIDLEDGER_PASSWORD: account.input.password,
  GRIDLEDGER_ID_TOKEN: 'EXAMPLECARD',
  GRIDLEDGER_RADIUS_KM: '1',
});

it('examples/js: signs in, finds the station, starts and follows a session live until it is paid, checks the proof', async () => {
  const c = await simulatedCharger({ lat: 48.137, lng: 11.575 });
  const r = await run(process.execPath, ['dist/examples/js/main.js'], {
    ...common(),
    GRIDLEDGER_NEAR: '48.137,11.575',
  });
  expect([r.code, r.stderr]).toEqual([0, '']);
  const out = r.stdout;
  expect(out).toMatch(/^signed in as .* \(OPERATOR, HOST\)$/m);
  expect(out).toContain('1 station(s) within reach of 48.137,11.575');
  expect(out).toContain(`free EVSE 1 on ${c.identity}`);
  expect(out).toContain('the charger answered the start: Accepted');
  expect(out).toMatch(/^live METER_VALUES: ACTIVE, 3\.000 kWh/m);
  expect(out).toMatch(/^live (STOPPED|SETTLEMENT): COMPLETED, 4\.000 kWh, 1\.60 USD/m);
  expect(out).toMatch(/^settlement record \d+: tx 0x[0-9a-f]{64}, block \d+, log \d+$/m);
  expect(out).toMatch(/^record hash 0x[0-9a-f]{64} matches the typed data$/m);
}, 120_000);

it('examples/python: the same session steps, then meter readings and a sell order in the market', async () => {
  const community = await aCommunity(p.gatewayUrl, account);
  const meter = await aMeteredSite(p.gatewayUrl, account, community, 'PRODUCTION');
  const c = await simulatedCharger({ lat: 50.94, lng: 6.96 });
  const r = await run(PYTHON, ['examples/python/gridledger_example.py'], {
    ...common(),
    GRIDLEDGER_NEAR: '50.94,6.96',
    GRIDLEDGER_METER_ID: meter.meterId,
    GRIDLEDGER_METER_KEY: meter.deviceKey,
  });
  expect([r.code, r.stderr]).toEqual([0, '']);
  const out = r.stdout;
  expect(out).toMatch(/^signed in as .* \(OPERATOR, HOST\)$/m);
  expect(out).toContain(`free EVSE 1 on ${c.identity}`);
  expect(out).toContain('the charger answered the start: Accepted');
  expect(out).toMatch(/^live \w+: COMPLETED, 4\.000 kWh, 1\.60 USD, settlement CONFIRMED$/m);
  expect(out).toMatch(/^settlement record \d+: ChargingSession hash 0x[0-9a-f]{64}, tx 0x[0-9a-f]{64}/m);
  expect(out).toContain('meter readings: 3 accepted, 0 duplicate, 0 rejected');
  expect(out).toMatch(/^order placed in Solar street \d+: SELL 500 Wh at 100\/kWh for \S+, OPEN$/m);
}, 120_000);
