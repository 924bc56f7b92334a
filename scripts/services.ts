import type { Config } from '../lib/config.js';
import { fileURLToPath } from 'node:url';
import { rpcChainId } from '../lib/chain/hardhat-node.js';
import type { ServiceSpec } from './platform.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/dist\/$/, '/');

/** The platform's processes in start order (subgraphs before the gateway that plans over them). */
export function platformServices(config: Config): ServiceSpec[] {
  const health = (port: number) => `http://${config.host}:${port}/health`;
  return [
    { name: 'user', entry: 'subgraphs/user/index.js', healthUrl: health(config.ports.user) },
    { name: 'station', entry: 'subgraphs/station/index.js', healthUrl: health(config.ports.station) },
    { name: 'session', entry: 'subgraphs/session/index.js', healthUrl: health(config.ports.session) },
    { name: 'energy', entry: 'subgraphs/energy-trading/index.js', healthUrl: health(config.ports.energy) },
    { name: 'gateway', entry: 'gateway/index.js', healthUrl: health(config.ports.gateway) },
    {
      name: 'ocpp-bridge',
      entry: 'ocpp-bridge/index.js',
      // Profiles 2 and 3: the bridge's port speaks TLS only.
      healthUrl:
        config.ocppSecurityProfile > 1
          ? `https://${config.host}:${config.ports.ocpp}/health`
          : health(config.ports.ocpp),
    },
    {
      name: 'settlement-worker',
      entry: 'workers/settlement/index.js',
      healthUrl: health(config.ports.settlementWorker),
    },
  ];
}

/** A local Hardhat node (JSON-RPC on CHAIN_PORT), for `npm start` when no CHAIN_RPC_URL is set. */
export function localChainService(config: Config): ServiceSpec {
  return {
    name: 'chain',
    entry: `${ROOT}node_modules/hardhat/dist/src/cli.js`,
    args: ['node', '--hostname', '127.0.0.1', '--port', String(config.chain.port)],
    healthUrl: config.chain.rpcUrl,
    ready: async () => (await rpcChainId(config.chain.rpcUrl)) !== null,
  };
}
