/**
 * `npm run env:production`: writes the untracked env files that docker-compose.yml runs the platform
 * with, in production mode, every secret new and random:
 * - `deploy/env/shared.env`: what every process reads (public signing keys, where Postgres, Redis,
 *   the subgraphs and the chain are);
 * - `deploy/env/<process>.env`: what one process alone holds (its own signing key; the user
 *   subgraph the admin password, the settlement worker the settler's chain key);
 * - `deploy/env/postgres.env`: the database password, for the Postgres container.
 * So a compromised process holds its own key only and can sign nothing in another's name.
 *
 * Options: --chain-rpc-url URL, --chain-id N, --network NAME (default Polygon Amoy) and --force
 * (overwrite files that exist; without it an existing set is never replaced).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runIfMain } from '../lib/main.js';
import { generateSigningEnv, privateKeyVariable, SIGNERS, type SignerName } from '../lib/signing.js';

/** The compose service of each signing process, with its port. */
export const PROCESSES: Record<SignerName, { service: string; port: number }> = {
  gateway: { service: 'gateway', port: 4000 },
  'user-subgraph': { service: 'user', port: 4001 },
  'station-subgraph': { service: 'station', port: 4002 },
  'session-subgraph': { service: 'session', port: 4003 },
  'energy-subgraph': { service: 'energy-trading', port: 4006 },
  'ocpp-bridge': { service: 'ocpp-bridge', port: 9000 },
  'settlement-worker': { service: 'settlement-worker', port: 4005 },
};

export interface ChainChoice {
  rpcUrl: string;
  chainId: number;
  network: string;
}

/** Polygon's public test network: a production-mode platform settles on a real chain, never a local one. */
export const DEFAULT_CHAIN: ChainChoice = {
  rpcUrl: 'https://rpc-amoy.polygon.technology',
  chainId: 80002,
  network: 'amoy',
};

const envText = (title: string, vars: Record<string, string>) =>
  `# ${title}\n# Written by \`npm run env:production\`; secret, untracked, never commit it.\n` +
  Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') +
  '\n';

/** The env files (name → text) of a new production set. */
export function productionEnvFiles(
  chain: ChainChoice = DEFAULT_CHAIN,
  smtpUrl = 'smtps://USER:PASSWORD@smtp.example.org',
): Record<string, string> {
  const secret = () => randomBytes(24).toString('base64url');
  const dbPassword = secret();
  // Every signer's key: the private ones are dealt out to their processes' files below.
  const signing = generateSigningEnv();
  const url = (s: SignerName) => `http://${PROCESSES[s].service}:${PROCESSES[s].port}/graphql`;
  const files: Record<string, string> = {
    'postgres.env': envText('The Postgres container', {
      POSTGRES_PASSWORD: dbPassword,
      POSTGRES_DB: 'gridledger',
    }),
    'shared.env': envText('Every GridLedger process', {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      DATABASE_URL: `postgresql://postgres:${dbPassword}@postgres:5432/gridledger`,
      REDIS_URL: 'redis://redis:6379',
      USER_SUBGRAPH_URL: url('user-subgraph'),
      STATION_SUBGRAPH_URL: url('station-subgraph'),
      SESSION_SUBGRAPH_URL: url('session-subgraph'),
      ENERGY_SUBGRAPH_URL: url('energy-subgraph'),
      MQTT_URL: 'mqtt://mosquitto:1883',
      SIGNING_PUBLIC_KEYS: signing.SIGNING_PUBLIC_KEYS!,
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_ID: String(chain.chainId),
      SETTLEMENT_NETWORK: chain.network,
      // /metrics on a listener of each process's own (METRICS_PORT + offset), not on the public ports.
      METRICS_PORT: '9400',
    }),
  };
  for (const signer of SIGNERS) {
    const own: Record<string, string> = {
      [privateKeyVariable(signer)]: signing[privateKeyVariable(signer)]!,
    };
    if (signer === 'user-subgraph') {
      own.GRIDLEDGER_ADMIN_PASSWORD = secret();
      // Account mail (verification, password reset): the user subgraph refuses to start without it.
      own.SMTP_URL = smtpUrl;
    }
    // A fresh account: fund it with gas and deploy with it as SETTLER_ADDRESS (active at once), or have the admin grant it SETTLER_ROLE (active SETTLER_DELAY, 2 days, later).
    if (signer === 'settlement-worker') own.SETTLER_PRIVATE_KEY = `0x${randomBytes(32).toString('hex')}`;
    files[`${PROCESSES[signer].service}.env`] = envText(`The ${signer} process only`, own);
  }
  return files;
}

await runIfMain(import.meta.url, async () => {
  const { values } = parseArgs({
    options: {
      'chain-rpc-url': { type: 'string' },
      'chain-id': { type: 'string' },
      network: { type: 'string' },
      'smtp-url': { type: 'string' },
      dir: { type: 'string', default: 'deploy/env' },
      force: { type: 'boolean', default: false },
    },
  });
  const chain: ChainChoice = {
    rpcUrl: values['chain-rpc-url'] ?? DEFAULT_CHAIN.rpcUrl,
    chainId: values['chain-id'] ? Number(values['chain-id']) : DEFAULT_CHAIN.chainId,
    network: values.network ?? DEFAULT_CHAIN.network,
  };
  const dir = values.dir!;
  const files = productionEnvFiles(chain, values['smtp-url']);
  const existing = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (existing.length && !values.force) {
    console.error(`${dir} already holds ${existing.join(', ')}; pass --force to replace every secret in it`);
    process.exit(1);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: 0o600 });
  console.log(
    `Wrote ${Object.keys(files).length} env files to ${dir}/ (mode 600). Before \`docker compose up\`:\n` +
      `  - deploy the contracts to ${chain.network} (deployments/${chain.network}.json),\n` +
      `  - set SMTP_URL in ${dir}/user.env to your mail server (--smtp-url), if you did not pass it,\n` +
      `  - fund the settler (SETTLER_PRIVATE_KEY in ${dir}/settlement-worker.env) and make it the settler: SETTLER_ADDRESS at deployment (active at once) or a SETTLER_ROLE grant (active 2 days later).\n` +
      `The admin is admin@gridledger.local with the password in ${dir}/user.env.`,
  );
  return { close: async () => {} };
});
