/**
 * Deploys the payment contracts and writes `deployments/<network>.json`, which the services read.
 *
 *   npm run deploy -- --network localhost|polygonAmoy|polygon
 *
 * localhost: Hardhat's development accounts (0 deploys and administers, 1 settles) and a fresh
 * TestStablecoin, with test funds minted to accounts 2–9. polygonAmoy / polygon: RPC URL from
 * POLYGON_AMOY_RPC_URL / POLYGON_RPC_URL, deployer key from DEPLOYER_PRIVATE_KEY, settler address
 * from SETTLER_ADDRESS; the stablecoin from STABLECOIN_ADDRESS (required on polygon; on Amoy a
 * TestStablecoin is deployed when it is unset).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Contract, JsonRpcProvider, Network, Wallet } from 'ethers';
import { artifact, deploymentPath, deployPayments, type Deployment } from '../lib/chain/contracts.js';
import { devWallet } from '../lib/chain/hardhat-node.js';

const NETWORKS = {
  localhost: { chainId: 31337, rpc: () => process.env.LOCAL_RPC_URL ?? 'http://127.0.0.1:8545' },
  polygonAmoy: { chainId: 80002, rpc: () => required('POLYGON_AMOY_RPC_URL') },
  polygon: { chainId: 137, rpc: () => required('POLYGON_RPC_URL') },
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set to deploy to this network`);
  return value;
}

/** Deploys to a network and records the deployment; returns what was written. */
export async function deploy(network: keyof typeof NETWORKS): Promise<Deployment> {
  const target = NETWORKS[network];
  const provider = new JsonRpcProvider(target.rpc(), Network.from(target.chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  const local = network === 'localhost';
  const deployer = local ? devWallet(0, provider) : new Wallet(required('DEPLOYER_PRIVATE_KEY'), provider);
  const settler = local ? devWallet(1).address : required('SETTLER_ADDRESS');
  const token =
    process.env.STABLECOIN_ADDRESS ?? (network === 'polygon' ? required('STABLECOIN_ADDRESS') : undefined);
  const result = await deployPayments({ deployer, settler, token });
  const stable = new Contract(result.token, (await artifact('TestStablecoin')).abi, deployer);
  if (local) {
    // Test funds for the development accounts that play drivers and prosumers.
    for (let i = 2; i < 10; i++) await (await stable.mint(devWallet(i).address, 1_000_000_000n)).wait();
  }
  const deployment: Deployment = {
    network,
    chainId: target.chainId,
    paymentsContract: result.paymentsContract,
    token: result.token,
    tokenDecimals: Number(await stable.decimals()),
    deployedAt: new Date().toISOString(),
    blockNumber: result.blockNumber,
  };
  await mkdir(dirname(deploymentPath(network)), { recursive: true });
  await writeFile(deploymentPath(network), `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

if (process.argv[1]?.endsWith('deploy.js')) {
  const { values } = parseArgs({ options: { network: { type: 'string', default: 'localhost' } } });
  const network = values.network as keyof typeof NETWORKS;
  if (!(network in NETWORKS)) {
    console.error(`unknown network ${network}; one of ${Object.keys(NETWORKS).join(', ')}`);
    process.exit(2);
  }
  const d = await deploy(network);
  console.log(
    `deployed to ${network} (chain ${d.chainId}): ChargingPayments ${d.paymentsContract}, token ${d.token}`,
  );
  console.log(`wrote ${deploymentPath(network)}`);
}
