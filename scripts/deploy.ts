/**
 * Deploys the payment contracts and writes `deployments/<network>.json`, which the services read.
 *
 *   npm run deploy -- --network localhost|polygonAmoy|polygon
 *
 * That is `hardhat run scripts/deploy.ts --network <name>`: Hardhat builds the contracts, connects to
 * the network as configured in hardhat.config.ts (RPC URL and deployer key from the configuration
 * variables POLYGON_AMOY_RPC_URL / POLYGON_RPC_URL and DEPLOYER_PRIVATE_KEY) and runs this file.
 *
 * - localhost (a `hardhat node` on 127.0.0.1:8545): development account 0 deploys and administers,
 *   account 1 settles, a fresh TestStablecoin is deployed and 1,000 test USD minted to accounts 2–9.
 * - polygonAmoy / polygon: the settler is SETTLER_ADDRESS; the stablecoin is STABLECOIN_ADDRESS
 *   (required on polygon; on Amoy a TestStablecoin is deployed when it is unset, for testing only).
 * - without --network (Hardhat's in-process chain): a dry run that deploys and writes nothing.
 *
 * `npm start` calls `deploy('localhost', undefined, { rpcUrl })` directly (no Hardhat runtime), on the
 * local node it started at CHAIN_PORT.
 */
import { BrowserProvider, Contract, JsonRpcProvider, Network, type Signer } from 'ethers';
import {
  artifact,
  deployPayments,
  writeDeployment,
  deploymentPath,
  type Deployment,
} from '../lib/chain/contracts.js';
import { devWallet } from '../lib/chain/hardhat-node.js';

export const NETWORKS = {
  localhost: { chainId: 31337, local: true },
  polygonAmoy: { chainId: 80002, local: false },
  polygon: { chainId: 137, local: false },
} as const;

export type DeployNetwork = keyof typeof NETWORKS;

/** Test USD minted to each development account on local chains (6 decimals). */
const DEV_FUNDS = 1_000_000_000n;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set to deploy to this network`);
  return value;
}

/**
 * Deploys to `network` and records the deployment; returns what was written.
 * @param deployer Signs the deployment (Hardhat's configured account under `hardhat run`); without
 *   it, development account 0 at `options.rpcUrl` (localhost only).
 * @param options.write Write `deployments/<name>.json` (default true).
 * @param options.rpcUrl The local node to deploy to when no deployer is given (required then).
 * @param options.name The deployment's name, i.e. its file (default: the network's name).
 */
export async function deploy(
  network: DeployNetwork,
  deployer?: Signer,
  options: { write?: boolean; rpcUrl?: string; name?: string } = {},
): Promise<Deployment> {
  const target = NETWORKS[network];
  if (!deployer) {
    if (!target.local) throw new Error(`deploying to ${network} needs a signer: use npm run deploy`);
    if (!options.rpcUrl) throw new Error("deploy() without a deployer needs the local node's rpcUrl");
    const provider = new JsonRpcProvider(
      options.rpcUrl,
      Network.from(target.chainId),
      // Local-node settings (STACK-NOTES): no batching delay, no stale cached nonces.
      { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 },
    );
    deployer = devWallet(0, provider);
  }
  const provider = deployer.provider!;
  const chainId = Number((await provider.getNetwork()).chainId);
  if (chainId !== target.chainId)
    throw new Error(`${network} should be chain ${target.chainId}, but the RPC endpoint is chain ${chainId}`);

  const settler = target.local ? devWallet(1).address : required('SETTLER_ADDRESS');
  const token = target.local
    ? undefined
    : network === 'polygon'
      ? required('STABLECOIN_ADDRESS')
      : process.env.STABLECOIN_ADDRESS || undefined;
  // The admin (and pauser) should be a multisig on a real network: ADMIN_ADDRESS; else the deployer.
  const admin = (!target.local && process.env.ADMIN_ADDRESS) || (await deployer.getAddress());
  const result = await deployPayments({ deployer, settler, token, admin });
  const stable = new Contract(result.token, (await artifact('TestStablecoin')).abi, deployer);
  if (!token) {
    // Test funds for the development accounts that play drivers and prosumers.
    for (let i = 2; i < 10; i++)
      await (await stable.getFunction('mint')(devWallet(i).address, DEV_FUNDS)).wait();
  }
  const deployment: Deployment = {
    network: options.name ?? network,
    chainId,
    paymentsContract: result.paymentsContract,
    token: result.token,
    tokenDecimals: Number(await stable.getFunction('decimals')()),
    testStablecoin: !token,
    admin,
    settler,
    deployedAt: new Date().toISOString(),
    blockNumber: result.blockNumber,
  };
  if (options.write ?? true) await writeDeployment(deployment);
  return deployment;
}

/** `hardhat run scripts/deploy.ts [--network <name>]`. */
async function main() {
  const { network } = await import('hardhat');
  const connection = await network.getOrCreate();
  const name = connection.networkName;
  const dryRun = name === 'default';
  if (!dryRun && !(name in NETWORKS)) {
    throw new Error(`unknown network ${name}; one of ${Object.keys(NETWORKS).join(', ')}`);
  }
  const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
  const deployer = await provider.getSigner(0);
  const d = await deploy(dryRun ? 'localhost' : (name as DeployNetwork), deployer, { write: !dryRun });
  console.log(
    `deployed to ${name} (chain ${d.chainId}): PaymentLedger ${d.paymentsContract}, ` +
      `${d.testStablecoin ? 'TestStablecoin' : 'token'} ${d.token} (${d.tokenDecimals} decimals), settler ${d.settler}`,
  );
  console.log(dryRun ? 'in-process chain: dry run, nothing written' : `wrote ${deploymentPath(name)}`);
  await connection.close();
}

// Run by `hardhat run` (which imports this file); `npm start` imports it for deploy() only.
if (process.argv.includes('run') && process.argv.some((a) => a.endsWith('scripts/deploy.ts'))) {
  await main();
}
