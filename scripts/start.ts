/**
 * `npm start`: builds (incrementally), then starts and supervises the whole platform, prints where
 * everything is, and shuts it all down on Ctrl-C.
 */
import { loadConfig } from '../lib/config.js';
import type { Deployment } from '../lib/chain/contracts.js';
import { devWallet } from '../lib/chain/hardhat-node.js';
import { deploy } from './deploy.js';
import { localChainService, platformServices } from './services.js';
import { startPlatform } from './platform.js';

const config = loadConfig();
const services = platformServices(config);

// The local chain comes first: contracts are deployed before the services that will settle on it.
let chain: Awaited<ReturnType<typeof startPlatform>> | null = null;
let deployment: Deployment | null = null;
if (config.chain.local) {
  console.log(
    `[platform] starting a local Hardhat node on ${config.chain.rpcUrl} and deploying the contracts`,
  );
  chain = await startPlatform({ env: process.env, services: [localChainService(config)], stdio: 'ignore' });
  deployment = await deploy('localhost');
}
console.log(`[platform] starting ${services.map((s) => s.name).join(', ')} (${config.env})`);
const platform = await startPlatform({ env: process.env, services });

console.log(`
GridLedger is up.
  GraphQL (HTTP)              http://${config.host}:${config.ports.gateway}/graphql
  GraphQL (graphql-ws)        ws://${config.host}:${config.ports.gateway}/graphql
  user subgraph               ${config.subgraphUrls.user}   (internal: needs the gateway's token)
  station subgraph            ${config.subgraphUrls.station}   (internal: needs the gateway's token)
  session subgraph            ${config.subgraphUrls.session}   (internal: needs the gateway's token)
  OCPP bridge (chargers)      ws://${config.host}:${config.ports.ocpp}/ocpp/{identity}   (ocpp1.6, ocpp2.0.1; Basic auth)
  health / readiness          http://${config.host}:${config.ports.gateway}/health  /ready
  chain (JSON-RPC)            ${config.chain.rpcUrl}${
    deployment
      ? `   local Hardhat node, chain ${deployment.chainId}
  contracts                   ChargingPayments ${deployment.paymentsContract}, test stablecoin ${deployment.token}
  development accounts        ${devWallet(2).address} … account 9 of the Hardhat mnemonic hold 1,000 test USD each`
      : ''
  }
${
  config.admin.passwordIsDevelopmentDefault
    ? `  development admin           ${config.admin.email} / ${config.admin.password}  (development only)\n`
    : ''
}Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n[platform] ${signal}: stopping…`);
  // Together: Ctrl-C in a terminal reaches the chain too, and its supervisor must not restart it.
  await Promise.all([platform.stop(), chain?.stop()]);
  console.log('[platform] stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
