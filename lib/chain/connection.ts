import { JsonRpcProvider, Network } from 'ethers';
import { connectContracts, readDeployment, type Deployment } from './contracts.js';

/**
 * The one way to reach the settlement chain: the deployment file of `network` (deployments/), a
 * JSON-RPC provider pinned to its chain id, and the contracts on it (read-only until connected to a
 * signer). Used by the settlement worker, the session subgraph and the tests.
 *
 * Provider settings: the network is static (no chain-id query per call); requests are not batched
 * (a batch that fails takes every call in it along) and results are not cached (a settlement reads
 * the chain's state as it is now).
 */
export async function connectChain(opts: { rpcUrl: string; network: string | Deployment }) {
  const deployment = typeof opts.network === 'string' ? await readDeployment(opts.network) : opts.network;
  const provider = new JsonRpcProvider(opts.rpcUrl, Network.from(deployment.chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  const { payments, token } = await connectContracts(deployment, provider);
  return { deployment, provider, payments, token };
}

export type ChainConnection = Awaited<ReturnType<typeof connectChain>>;
