import { RPCClient } from 'ocpp-rpc';
import { aCharger, createStation, type Session } from './builders.js';
import { gql } from './platform.js';

export type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

/** Registers a charger on a new station of the operator; returns its identity and OCPP password. */
export async function registeredCharger(
  url: string,
  operator: Session,
  overrides: Record<string, unknown> = {},
  /** The station's fields (its time zone, say). */
  stationOverrides: Record<string, unknown> = {},
) {
  const station = await createStation(url, operator.token, stationOverrides);
  const r = await gql(
    url,
    'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { password charger { id identity } } }',
    {
      s: station.id,
      i: aCharger({
        connectors: [
          { evseId: 1, type: 'CCS2', maxPowerKw: 150 },
          { evseId: 2, type: 'TYPE2', maxPowerKw: 22 },
        ],
        ...overrides,
      }),
    },
    { token: operator.token },
  );
  if (!r.data?.registerCharger) throw new Error(JSON.stringify(r.errors));
  const { password, charger } = r.data.registerCharger;
  return {
    stationId: station.id,
    chargerId: charger.id as string,
    identity: charger.identity as string,
    password: password as string,
  };
}

/** A real OCPP-J client (ocpp-rpc) connected to the bridge. */
export async function connectCharger(
  ocppPort: number,
  identity: string,
  password: string | undefined,
  protocol: Protocol,
  opts: {
    strictMode?: boolean;
    reconnect?: boolean;
    /** wss:// (security profiles 2 and 3) with these TLS options (ca, and a client cert and key). */
    tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  } = {},
) {
  // ocpp-rpc's typings mark every option required; the library itself defaults them.
  type Options = ConstructorParameters<typeof RPCClient>[0];
  const options: Partial<Options> = {
    endpoint: `${opts.tls ? 'wss' : 'ws'}://127.0.0.1:${ocppPort}/ocpp`,
    ...(opts.tls ? { wsOpts: opts.tls } : {}),
    identity,
    password: password ?? null,
    protocols: [protocol],
    strictMode: opts.strictMode ?? true,
    reconnect: opts.reconnect ?? false,
    callTimeoutMs: 10_000,
  };
  const client = new RPCClient(options as Options);
  await client.connect();
  return client;
}

/** Polls a GraphQL query until `done` says yes (or fails after the timeout). */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await probe();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

/** The station's tariff: 0.40 EUR per kWh and a 0.50 EUR session fee. */
export async function setTariff(url: string, operator: Session, stationId: string) {
  const r = await gql(
    url,
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    { i: { stationId, name: 'Standard', currency: 'EUR', pricePerKwh: '0.40', sessionFee: '0.50' } },
    { token: operator.token },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
}

/** Records what the platform asked the charger, and answers like a cooperative charger. */
export function answerCommands(client: RPCClient, answers: Record<string, unknown>) {
  const received: { method: string; params: any }[] = [];
  for (const [method, answer] of Object.entries(answers)) {
    const handler = async ({ params }: { params?: unknown }) => {
      received.push({ method, params });
      return answer as Record<string, unknown>;
    };
    client.handle(method, handler);
  }
  return received;
}
