import { rm } from 'node:fs/promises';
import {
  Contract,
  JsonRpcProvider,
  MaxUint256,
  Network,
  type ContractTransactionResponse,
  type HDNodeWallet,
  type Interface,
  type Log,
  type Signer,
} from 'ethers';
import { artifact, deploymentPath, deployPayments, writeDeployment } from '../../lib/chain/contracts.js';
import { devWallet, startHardhatNode } from '../../lib/chain/hardhat-node.js';
import type { Session } from './builders.js';
import { freePort, gql } from './platform.js';

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

/** A fresh PaymentLedger over a fresh TestStablecoin: account 0 admin, 1 settler. */
export async function deployFixture(chain: Chain) {
  const admin = chain.wallet(0);
  const settler = chain.wallet(1);
  const { paymentsContract, token } = await deployPayments({ deployer: admin, settler: settler.address });
  const payments = new Contract(paymentsContract, (await artifact('PaymentLedger')).abi, admin);
  const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
  return { admin, settler, payments, stable };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

/**
 * `deployments/<network>.json` for the fixture under a network name of this test file's own, so
 * that the services and the settlement worker find it (`SETTLEMENT_NETWORK`); `remove` deletes it.
 */
export async function writeTestDeployment(f: Fixture) {
  const network = `test-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await writeDeployment({
    network,
    chainId: 31337,
    paymentsContract: await f.payments.getAddress(),
    token: await f.stable.getAddress(),
    tokenDecimals: 6,
    deployedAt: new Date().toISOString(),
    blockNumber: 0,
  });
  return { network, remove: () => rm(deploymentPath(network), { force: true }) };
}

/** A payer with `deposit` test USD in escrow and limits of `cap` per record and per day (token base units). */
export async function aFundedPayer(f: Fixture, wallet: Signer, deposit: bigint, cap: bigint) {
  await mined(f.stable.mint(await wallet.getAddress(), deposit));
  await mined((f.stable.connect(wallet) as Contract).approve(await f.payments.getAddress(), MaxUint256));
  await mined((f.payments.connect(wallet) as Contract).deposit(deposit));
  if (cap > 0n) await mined((f.payments.connect(wallet) as Contract).setLimits(cap, cap));
  return wallet;
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

/** Links `wallet` to the account through the public API (challenge, then its signature). */
export async function linkWallet(url: string, session: Session, wallet: HDNodeWallet) {
  const c = await gql(
    url,
    'mutation($a: String!) { walletLinkChallenge(address: $a) { message } }',
    { a: wallet.address },
    { token: session.token },
  );
  const message = c.data!.walletLinkChallenge.message;
  const r = await gql(
    url,
    'mutation($a: String!, $s: String!) { linkWallet(address: $a, signature: $s) { address } }',
    { a: wallet.address, s: await wallet.signMessage(message) },
    { token: session.token },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
}
