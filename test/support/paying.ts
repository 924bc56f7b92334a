/**
 * Settlement-test builders over a running platform and its chain: paying drivers, chargers at
 * stations paid on chain, and one session charged end to end over OCPP 1.6.
 */
import type { Session } from './builders.js';
import { registerUser } from './builders.js';
import { aFundedPayer, linkWallet, type Chain, type Fixture } from './chain.js';
import { connectCharger, eventually, registeredCharger } from './chargers.js';
import { gql } from './platform.js';

/** Where the builders work: the gateway, an operator with a linked wallet, the chain and its fixture. */
export interface PayingWorld {
  url: string;
  operator: Session;
  f: Fixture;
  chain: Chain;
  ocppPort: number;
}

const USD = (n: number) => BigInt(Math.round(n * 1e6));

/** A driver with a card and a wallet that deposited `deposit` and set limits of `cap` per record and per day. */
export async function payingDriver(
  w: PayingWorld,
  walletIndex: number,
  card: string,
  deposit: number,
  cap: number,
) {
  const { url, chain, f } = w;
  const driver = await registerUser(url);
  await gql(
    url,
    'mutation($t: String!) { addIdToken(token: $t) { id } }',
    { t: card },
    { token: driver.token },
  );
  const wallet = chain.wallet(walletIndex);
  await linkWallet(url, driver, wallet);
  await aFundedPayer(f, wallet, USD(deposit), USD(cap));
  return { driver, wallet };
}

/**
 * A charger (EVSE 1: 150 kW, EVSE 2: 22 kW) at a station whose tariff, 0.40 USD/kWh, is in the
 * settlement currency: its sessions are paid on chain, and the hold before charging there is 30 min at
 * the EVSE's power: 30.00 USD on EVSE 1, 4.40 USD on EVSE 2.
 */
export async function usdCharger(w: PayingWorld) {
  const { url, operator } = w;
  const c = await registeredCharger(url, operator);
  await gql(
    url,
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    { i: { stationId: c.stationId, name: 'USD', currency: 'USD', pricePerKwh: '0.40' } },
    { token: operator.token },
  );
  return c;
}

/** One session from `card` at a new USD charger: started `minutes` ago (an hour by default), stopped now at `meterStop` Wh. */
export async function chargeFor(w: PayingWorld, card: string, meterStop: number, minutes = 60) {
  const c = await usdCharger(w);
  await sessionOn(w, c, card, meterStop, minutes);
  return c;
}

/** One session from `card` on charger `c` over OCPP 1.6: started `minutes` ago, stopped now at `meterStop` Wh. */
export async function sessionOn(
  w: PayingWorld,
  c: { chargerId: string; identity: string; password: string },
  card: string,
  meterStop: number,
  minutes = 60,
) {
  const { url, operator } = w;
  const cp = await connectCharger(w.ocppPort, c.identity, c.password, 'ocpp1.6');
  const start = (await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: card,
    meterStart: 0,
    timestamp: new Date(Date.now() - minutes * 60_000).toISOString(),
  })) as any;
  await eventually(
    () =>
      gql(
        url,
        'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id } } } }',
        { c: c.chargerId },
        { token: operator.token },
      ),
    (x: any) => x.data?.sessions.edges.length === 1,
  );
  await cp.call('StopTransaction', {
    transactionId: start.transactionId,
    meterStop,
    timestamp: new Date().toISOString(),
  });
  await cp.close();
}
