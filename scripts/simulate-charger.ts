/** One simulated charger's life over OCPP (used by scripts/simulate.ts). */
import ocpp from 'ocpp-rpc';

export type Protocol = 'ocpp1.6' | 'ocpp2.0.1';
export interface Credential {
  identity: string;
  password: string;
  protocol: Protocol;
}

/** What every charger of a run shares: where to connect, whether to charge, the card, the counters. */
export interface ChargerRun {
  ocppUrl: string;
  sessions: boolean;
  card: string;
  stats: { sessions: number; messages: number; errors: number };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString();

/** One charger's life: boot, status, then sessions until the deadline. */
export async function runCharger(c: Credential, deadline: number, run: ChargerRun) {
  const { ocppUrl, sessions, card, stats } = run;
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
  while (sessions && Date.now() < deadline) {
    await sleep(1000 + Math.random() * 4000);
    const idTag = card;
    await status(1, 'Charging', 'Occupied');
    const energy = (wh: number) => ({
      value: wh,
      measurand: 'Energy.Active.Import.Register',
      unitOfMeasure: { unit: 'Wh' },
    });
    let txId: string;
    // The charger's clock for this session: it began four minutes ago and reports a minute per step,
    // so that its energy (0.5–2 kWh a minute) fits its 150 kW EVSE; the platform disputes energy an
    // EVSE cannot deliver in the time the timestamps give.
    const began = Date.now() - 4 * 60_000;
    const at = (minute: number) => new Date(began + minute * 60_000).toISOString();
    if (v16) {
      const r = await call('StartTransaction', {
        connectorId: 1,
        idTag,
        meterStart: meter,
        timestamp: at(0),
      });
      txId = String(r.transactionId);
    } else {
      txId = `SIM-${c.identity}-${Date.now()}`;
      await call('TransactionEvent', {
        eventType: 'Started',
        timestamp: at(0),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId: txId },
        evse: { id: 1, connectorId: 1 },
        idToken: { idToken: idTag, type: 'ISO14443' },
        meterValue: [{ timestamp: at(0), sampledValue: [energy(meter)] }],
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
              timestamp: at(seq),
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
          timestamp: at(seq),
          triggerReason: 'MeterValuePeriodic',
          seqNo: seq,
          transactionInfo: { transactionId: txId },
          meterValue: [{ timestamp: at(seq), sampledValue: [energy(meter)] }],
        });
      }
    }
    if (v16)
      await call('StopTransaction', {
        transactionId: Number(txId),
        meterStop: meter,
        timestamp: at(4),
        reason: 'Local',
      });
    else {
      await call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: at(4),
        triggerReason: 'StopAuthorized',
        seqNo: 4,
        transactionInfo: { transactionId: txId, stoppedReason: 'Local' },
        meterValue: [{ timestamp: at(4), sampledValue: [energy(meter)] }],
      });
    }
    await status(1, 'Available', 'Available');
    stats.sessions++;
  }
  if (!sessions) while (Date.now() < deadline) await sleep(10_000).then(() => call('Heartbeat', {}));
  await client.close();
}
