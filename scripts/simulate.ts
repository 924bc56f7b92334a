/**
 * Drives simulated chargers against a running platform:
 *
 *   npm run simulate -- --chargers 20 --protocol mix --sessions [--minutes 2]
 *
 * It signs in as the configured admin, creates a "Simulator" station with the chargers it needs (and
 * remembers their passwords in .gridledger/simulator.json), then every charger boots, reports its
 * connectors and, with --sessions, runs charging sessions with meter values every few seconds.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import ocpp from 'ocpp-rpc';
import { loadConfig } from '../lib/config.js';

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';
interface Credential {
  identity: string;
  password: string;
  protocol: Protocol;
}

const { values } = parseArgs({
  options: {
    chargers: { type: 'string', default: '10' },
    protocol: { type: 'string', default: 'mix' },
    sessions: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '2' },
    gateway: { type: 'string' },
    ocpp: { type: 'string' },
    'id-token': { type: 'string', default: 'SIMCARD01' },
  },
});
const config = loadConfig();
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

async function gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
  return body.data;
}

/** Existing simulator chargers, topped up through the API as the admin. */
async function provision(): Promise<Credential[]> {
  const known: Credential[] = await readFile(STORE, 'utf8').then(JSON.parse, () => []);
  const protocolFor = (i: number): Protocol =>
    mode === '1.6' ? 'ocpp1.6' : mode === '2.0.1' ? 'ocpp2.0.1' : i % 2 ? 'ocpp2.0.1' : 'ocpp1.6';
  if (known.length >= count) return known.slice(0, count).map((c, i) => ({ ...c, protocol: protocolFor(i) }));
  const { login } = await gql<{ login: { accessToken: string } }>(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: config.admin.email, p: config.admin.password },
  );
  const token = login.accessToken;
  await gql('mutation($t: String!) { addIdToken(token: $t) { id } }', { t: values['id-token'] }, token).catch(
    () => {},
  );
  const { createStation } = await gql<{ createStation: { id: string } }>(
    `mutation { createStation(input: { name: "Simulator ${Date.now()}", address: "Simulated street 1",
       location: { lat: 52.52, lng: 13.405 }, timezone: "Europe/Berlin" }) { id } }`,
    {},
    token,
  );
  const run = Date.now().toString(36);
  for (let i = known.length; i < count; i++) {
    const { registerCharger } = await gql<{
      registerCharger: { password: string; charger: { identity: string } };
    }>(
      `mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { identity } } }`,
      {
        s: createStation.id,
        i: {
          identity: `SIM-${run}-${i}`,
          connectors: [
            { evseId: 1, type: 'CCS2', maxPowerKw: 150 },
            { evseId: 2, type: 'TYPE2', maxPowerKw: 22 },
          ],
        },
      },
      token,
    );
    known.push({
      identity: registerCharger.charger.identity,
      password: registerCharger.password,
      protocol: 'ocpp1.6',
    });
  }
  await mkdir('.gridledger', { recursive: true });
  await writeFile(STORE, JSON.stringify(known, null, 2));
  return known.slice(0, count).map((c, i) => ({ ...c, protocol: protocolFor(i) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString();
const stats = { sessions: 0, messages: 0, errors: 0 };

/** One charger's life: boot, status, then sessions until the deadline. */
async function runCharger(c: Credential, deadline: number) {
  const client = new ocpp.RPCClient({
    endpoint: ocppUrl,
    identity: c.identity,
    password: c.password,
    protocols: [c.protocol],
    strictMode: true,
    reconnect: true,
  } as never);
  const call = async (method: string, params: unknown) => {
    stats.messages++;
    try {
      return (await client.call(method, params)) as { transactionId?: number };
    } catch (err) {
      stats.errors++;
      throw err;
    }
  };
  await client.connect();
  const v16 = c.protocol === 'ocpp1.6';
  await call(
    'BootNotification',
    v16
      ? { chargePointVendor: 'GridLedger', chargePointModel: 'Simulator' }
      : { reason: 'PowerUp', chargingStation: { vendorName: 'GridLedger', model: 'Simulator' } },
  );
  const status = (evse: number, s16: string, s201: string) =>
    call(
      'StatusNotification',
      v16
        ? { connectorId: evse, errorCode: 'NoError', status: s16, timestamp: now() }
        : { timestamp: now(), connectorStatus: s201, evseId: evse, connectorId: 1 },
    );
  // 1.6 chargers also report the charge point itself, as connector 0 (2.0.1 has no such status).
  if (v16) await status(0, 'Available', 'Available');
  await status(1, 'Available', 'Available');
  await status(2, 'Available', 'Available');
  let meter = Math.floor(Math.random() * 1_000_000);
  while (values.sessions && Date.now() < deadline) {
    await sleep(1000 + Math.random() * 4000);
    const idTag = values['id-token'];
    await status(1, 'Charging', 'Occupied');
    const energy = (wh: number) => ({
      value: wh,
      measurand: 'Energy.Active.Import.Register',
      unitOfMeasure: { unit: 'Wh' },
    });
    let txId: string;
    if (v16) {
      const r = await call('StartTransaction', {
        connectorId: 1,
        idTag,
        meterStart: meter,
        timestamp: now(),
      });
      txId = String(r.transactionId);
    } else {
      txId = `SIM-${c.identity}-${Date.now()}`;
      await call('TransactionEvent', {
        eventType: 'Started',
        timestamp: now(),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId: txId },
        evse: { id: 1, connectorId: 1 },
        idToken: { idToken: idTag, type: 'ISO14443' },
        meterValue: [{ timestamp: now(), sampledValue: [energy(meter)] }],
      });
    }
    for (let seq = 1; seq <= 3; seq++) {
      await sleep(2000);
      meter += 500 + Math.floor(Math.random() * 1500);
      if (v16) {
        await call('MeterValues', {
          connectorId: 1,
          transactionId: Number(txId),
          meterValue: [
            {
              timestamp: now(),
              sampledValue: [
                { value: String(meter), unit: 'Wh' },
                { value: '22000', measurand: 'Power.Active.Import', unit: 'W' },
              ],
            },
          ],
        });
      } else {
        await call('TransactionEvent', {
          eventType: 'Updated',
          timestamp: now(),
          triggerReason: 'MeterValuePeriodic',
          seqNo: seq,
          transactionInfo: { transactionId: txId },
          meterValue: [{ timestamp: now(), sampledValue: [energy(meter)] }],
        });
      }
    }
    if (v16)
      await call('StopTransaction', {
        transactionId: Number(txId),
        meterStop: meter,
        timestamp: now(),
        reason: 'Local',
      });
    else {
      await call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: now(),
        triggerReason: 'StopAuthorized',
        seqNo: 4,
        transactionInfo: { transactionId: txId, stoppedReason: 'Local' },
        meterValue: [{ timestamp: now(), sampledValue: [energy(meter)] }],
      });
    }
    await status(1, 'Available', 'Available');
    stats.sessions++;
  }
  if (!values.sessions) while (Date.now() < deadline) await sleep(10_000).then(() => call('Heartbeat', {}));
  await client.close();
}

const chargers = await provision();
const deadline = Date.now() + Number(values.minutes) * 60_000;
console.log(`simulating ${chargers.length} chargers (${mode}) against ${ocppUrl} for ${values.minutes} min…`);
const ticker = setInterval(
  () => console.log(`  messages ${stats.messages}, sessions ${stats.sessions}, errors ${stats.errors}`),
  10_000,
);
const results = await Promise.allSettled(chargers.map((c) => runCharger(c, deadline)));
clearInterval(ticker);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed.slice(0, 5))
  console.error('charger failed:', (f as PromiseRejectedResult).reason?.message);
console.log(
  `done: ${stats.messages} messages, ${stats.sessions} sessions completed, ${stats.errors} errors, ${failed.length} chargers failed`,
);
process.exit(failed.length ? 1 : 0);
