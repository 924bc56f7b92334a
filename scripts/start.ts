/**
 * `npm start`: builds (incrementally), then starts and supervises the whole platform (see launch.ts),
 * prints where everything is, and shuts it all down on Ctrl-C. A start that cannot go on says why in
 * one line and exits with status 1, leaving nothing running.
 */
import { ConfigError, loadConfig } from '../lib/config.js';
import { devWallet } from '../lib/chain/hardhat-node.js';
import { ensureDemoCommunity, type DemoCommunity } from './demo-market.js';
import { launchPlatform, LaunchError, type LaunchedPlatform } from './launch.js';
import { apiClient } from './sim-support.js';

let launched: LaunchedPlatform;
try {
  const config = loadConfig();
  launched = await launchPlatform(config, process.env);
  const { deployment, postgres, redis, dataDir } = launched;
  // Development: a demo community market, run by the development admin, clearing every minute.
  let demo: DemoCommunity | null = null;
  if (config.env === 'development' && config.admin.password) {
    const api = apiClient(`http://${config.host}:${config.ports.gateway}/graphql`);
    const password = config.admin.password;
    demo = await api
      .login(config.admin.email, password)
      .then((token) => ensureDemoCommunity(api.gql, token, config))
      .catch((err: Error) => {
        console.log(`[platform] the demo energy market was not created: ${err.message}`);
        return null;
      });
  }
  const dbUrl = new URL(config.databaseUrl);
  const psql = `psql -h ${dbUrl.hostname} -p ${dbUrl.port || 5432} -U ${decodeURIComponent(dbUrl.username) || 'postgres'} ${dbUrl.pathname.slice(1)}`;
  console.log(`
GridLedger is up.
  GraphQL (HTTP)              http://${config.host}:${config.ports.gateway}/graphql
  GraphQL (graphql-ws)        ws://${config.host}:${config.ports.gateway}/graphql
  user subgraph               ${config.subgraphUrls.user}   (internal: needs the gateway's token)
  station subgraph            ${config.subgraphUrls.station}   (internal: needs the gateway's token)
  session subgraph            ${config.subgraphUrls.session}   (internal: needs the gateway's token)
  energy-trading subgraph     ${config.subgraphUrls.energy}   (internal: needs the gateway's token)
  OCPP bridge (chargers)      ws://${config.host}:${config.ports.ocpp}/ocpp/{identity}   (ocpp1.6, ocpp2.0.1; Basic auth)
  health / readiness          http://${config.host}:${config.ports.gateway}/health  /ready
  metrics (Prometheus)        ${
    config.metrics.basePort === null
      ? `/metrics on each process's port (gateway http://${config.host}:${config.ports.gateway}/metrics)`
      : `http://${config.metrics.host}:${config.metrics.basePort}/metrics … +5 (one port per process)`
  }
  database                    ${
    postgres
      ? `embedded PostgreSQL, data in ${postgres.dir}${postgres.reused ? ' (already running)' : ''}
                              connect: PGPASSWORD=${decodeURIComponent(dbUrl.password)} ${psql}`
      : `${dbUrl.hostname}:${dbUrl.port || 5432}${dbUrl.pathname} (DATABASE_URL)   connect: ${psql}`
  }
  redis                       ${config.redisUrl.replace(/\/\/[^@]*@/, '//…@')}${
    redis ? `   started here, append-only file in ${redis.dir}` : ''
  }
  chain (JSON-RPC)            ${config.chain.rpcUrl}${
    deployment
      ? `   local Hardhat node, chain ${deployment.chainId}
  contracts                   PaymentLedger ${deployment.paymentsContract}, test stablecoin ${deployment.token}
  development accounts        ${devWallet(2).address} … account 9 of the Hardhat mnemonic hold 1,000 test USD each`
      : ''
  }
  local state                 ${dataDir}${
    demo
      ? `
  demo energy market          "${demo.name}" (${demo.id}), ${demo.intervalMinutes}-minute intervals, invite code ${demo.inviteCode}`
      : ''
  }
${
  config.admin.passwordIsDevelopmentDefault
    ? `  development admin           ${config.admin.email} / ${config.admin.password}  (development only)\n`
    : ''
}Try it: npm run simulate -- --chargers 5 --sessions --minutes 1
        npm run simulate -- --market --sites 6 --minutes 3              Press Ctrl-C to stop.`);
} catch (err) {
  const known = err instanceof LaunchError || err instanceof ConfigError;
  console.error(`[platform] could not start: ${known ? err.message : (err as Error).message}`);
  process.exit(1);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n[platform] ${signal}: stopping…`);
  await launched.stop();
  console.log('[platform] stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
