import {
  Contract,
  JsonRpcProvider,
  Network,
  type ContractTransactionResponse,
  type Interface,
  type Log,
} from 'ethers';
import { artifact, deployPayments } from '../../lib/chain/contracts.js';
import { devWallet, startHardhatNode } from '../../lib/chain/hardhat-node.js';
import { freePort } from './platform.js';

/** A local Hardhat JSON-RPC node of this test file's own. */
export async function startChain() {
  const node = await startHardhatNode(await freePort());
  // Local-node settings from STACK-NOTES: no batching delay, no stale cached nonces.
  const provider = new JsonRpcProvider(node.url, Network.from(31337), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  return { ...node, provider, wallet: (i: number) => devWallet(i, provider) };
}

export type Chain = Awaited<ReturnType<typeof startChain>>;

/** A fresh ChargingPayments over a fresh TestStablecoin: account 0 admin, 1 settler. */
export async function deployFixture(chain: Chain) {
  const admin = chain.wallet(0);
  const settler = chain.wallet(1);
  const { paymentsContract, token } = await deployPayments({ deployer: admin, settler: settler.address });
  const payments = new Contract(paymentsContract, (await artifact('ChargingPayments')).abi, admin);
  const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
  return { admin, settler, payments, stable };
}

export const mined = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;

/** The events of one contract in a receipt, decoded. */
export function eventsOf(iface: Interface, logs: readonly Log[]) {
  return logs
    .map((l) => iface.parseLog(l))
    .filter((e) => e != null)
    .map((e) => ({ name: e!.name, args: e!.args.toArray() }));
}

/** Decodes a custom error from a failed call or transaction. */
export async function revertOf(iface: Interface, work: Promise<unknown>) {
  try {
    await work;
  } catch (err) {
    const data =
      (err as { data?: string; info?: { error?: { data?: string } } }).data ?? (err as any).info?.error?.data;
    const parsed = data ? iface.parseError(data) : null;
    if (!parsed) throw err;
    return { name: parsed.name, args: parsed.args.toArray() };
  }
  throw new Error('expected a revert');
}
