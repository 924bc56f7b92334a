/**
 * Contract-test support: an in-process Hardhat chain per suite, the deployed fixture, snapshots to
 * reset it between tests (OpenZeppelin's `loadFixture` pattern), and decoders for events and custom
 * errors so that tests assert them with their arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { network } from 'hardhat';
import {
  BrowserProvider,
  Contract,
  keccak256,
  MaxUint256,
  Signature,
  toBeHex,
  type ContractTransactionResponse,
  type Interface,
  type JsonRpcSigner,
  type Log,
} from 'ethers';
import { artifact, deployPayments } from '../../lib/chain/contracts.js';

/** 1 USD in the stablecoin's base units (6 decimals). */
export const USD = (n: number) => BigInt(Math.round(n * 1e6));
export const DAY = 24 * 3600;

const ARTIFACTS = new URL(
  '../../contracts/artifacts/contracts/PaymentLedger.sol/PaymentLedger.json',
  import.meta.url,
);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOCK = `${ROOT}contracts/cache/.test-build-lock`;
const built = () => existsSync(ARTIFACTS) && !existsSync(LOCK);

/**
 * Builds the contracts when their artifacts are missing, so that `jest test/contracts` needs nothing
 * but `npm ci` (`npm run test:contracts` and `npm test` build first, which also catches stale ones).
 * In a child process: Hardhat's build cannot resolve npm packages (OpenZeppelin) from inside jest's
 * VM module environment (HHE902). Under a lock: parallel jest workers must not build at once (they
 * move the same build-info files and fail with ENOENT).
 */
export async function compileContracts(): Promise<void> {
  if (built()) return;
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (built()) return;
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 3 minutes; remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (existsSync(ARTIFACTS)) return;
    const cli = `${ROOT}node_modules/hardhat/dist/src/cli.js`;
    const run = spawnSync(process.execPath, [cli, 'build', '--quiet', '--no-tests'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0 || !existsSync(ARTIFACTS))
      throw new Error(`hardhat build failed (${run.status}): ${run.stderr || run.stdout}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** A fresh in-process Hardhat chain with its 20 funded development accounts. */
export async function inProcessChain() {
  await compileContracts();
  const connection = await network.create();
  // No response cache: ethers would otherwise reuse a stale nonce for back-to-back sends.
  const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
  const accounts = await Promise.all(Array.from({ length: 20 }, (_, i) => provider.getSigner(i)));
  return {
    provider,
    accounts,
    close: () => connection.close(),
    snapshot: () => provider.send('evm_snapshot', []) as Promise<string>,
    revert: (id: string) => provider.send('evm_revert', [id]) as Promise<boolean>,
    /** Moves the chain's clock forward and mines a block. */
    async increaseTime(seconds: number) {
      await provider.send('evm_increaseTime', [seconds]);
      await provider.send('evm_mine', []);
    },
    async now() {
      return (await provider.getBlock('latest'))!.timestamp;
    },
  };
}

export type Chain = Awaited<ReturnType<typeof inProcessChain>>;

/**
 * The suite's fixture: TestStablecoin and PaymentLedger, account 0 admin (and pauser), account 1
 * settler (active from deployment), then named actors. Deployed once per suite; `reset()` returns the chain to this state.
 */
export async function deployFixture(chain: Chain) {
  const [admin, settler, payer, payee, feeRecipient, stranger, ...others] = chain.accounts as [
    JsonRpcSigner,
    ...JsonRpcSigner[],
  ];
  const { paymentsContract, token } = await deployPayments({ deployer: admin, settler: settler!.address });
  const payments = new Contract(paymentsContract, (await artifact('PaymentLedger')).abi, admin);
  const stable = new Contract(token, (await artifact('TestStablecoin')).abi, admin);
  return {
    admin,
    settler: settler!,
    payer: payer!,
    payee: payee!,
    feeRecipient: feeRecipient!,
    stranger: stranger!,
    others,
    payments,
    stable,
    paymentsAddress: paymentsContract,
    tokenAddress: token,
    roles: {
      admin: (await payments.DEFAULT_ADMIN_ROLE()) as string,
      settler: (await payments.SETTLER_ROLE()) as string,
      pauser: (await payments.PAUSER_ROLE()) as string,
      minter: (await stable.MINTER_ROLE()) as string,
    },
  };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

/** `contract` as seen by `signer`. */
export const as = (contract: Contract, signer: JsonRpcSigner) => contract.connect(signer) as Contract;

/** Sends and waits for the receipt. */
export const mined = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;

/** The events of one contract in a receipt, decoded, with their arguments in order. */
export function eventsOf(iface: Interface, logs: readonly Log[]) {
  return logs
    .map((l) => iface.parseLog(l))
    .filter((e) => e != null)
    .map((e) => ({ name: e!.name, args: e!.args.toArray() as unknown[] }));
}

/** The custom error a call or transaction reverted with, decoded; fails if it did not revert. */
export async function revertOf(iface: Interface, work: Promise<unknown>) {
  try {
    await work;
  } catch (err) {
    const e = err as { data?: string; info?: { error?: { data?: string } } };
    const data = e.data ?? e.info?.error?.data;
    const parsed = data ? iface.parseError(data) : null;
    if (!parsed) throw err;
    return { name: parsed.name, args: parsed.args.toArray() as unknown[] };
  }
  throw new Error('expected a revert, but the call succeeded');
}

/** A charging-session record (builder): payer/payee default to the fixture's, the hash to the id's. */
export function aRecord(
  f: Pick<Fixture, 'payer' | 'payee'>,
  recordId: number | bigint,
  amount: bigint,
  over: Partial<{ payer: string; payee: string; recordHash: string }> = {},
) {
  return {
    recordId: BigInt(recordId),
    payer: over.payer ?? f.payer.address,
    payee: over.payee ?? f.payee.address,
    amount,
    recordHash: over.recordHash ?? keccak256(toBeHex(BigInt(recordId), 32)),
  };
}

/**
 * An energy-trade record (builder): the fixture's payer buys from its payee, `energyWh` at
 * `pricePerKwh`, without fee or co-owners unless given.
 */
export function aTrade(
  f: Pick<Fixture, 'payer' | 'payee'>,
  recordId: number | bigint,
  energyWh: number,
  pricePerKwh: bigint,
  over: Partial<{
    buyer: string;
    seller: string;
    feeBps: number;
    recordHash: string;
    shares: { owner: string; bps: number }[];
  }> = {},
) {
  return {
    recordId: BigInt(recordId),
    buyer: over.buyer ?? f.payer.address,
    seller: over.seller ?? f.payee.address,
    energyWh: BigInt(energyWh),
    pricePerKwh,
    feeBps: over.feeBps ?? 0,
    recordHash: over.recordHash ?? keccak256(toBeHex(BigInt(recordId) + 7n, 32)),
    shares: over.shares ?? [],
  };
}

/** Mints `amount` to `who` and approves the payments contract for everything. */
export async function fundWallet(f: Fixture, who: JsonRpcSigner, amount: bigint) {
  await mined(f.stable.mint(who.address, amount));
  await mined(as(f.stable, who).approve(f.paymentsAddress, MaxUint256));
}

/** An ERC-2612 permit for the payments contract, signed by `owner`. */
export async function signPermit(f: Fixture, owner: JsonRpcSigner, value: bigint, deadline: bigint) {
  const domain = {
    name: (await f.stable.name()) as string,
    version: '1',
    chainId: (await owner.provider.getNetwork()).chainId,
    verifyingContract: f.tokenAddress,
  };
  const types = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const nonce = (await f.stable.nonces(owner.address)) as bigint;
  return Signature.from(
    await owner.signTypedData(domain, types, {
      owner: owner.address,
      spender: f.paymentsAddress,
      value,
      nonce,
      deadline,
    }),
  );
}

/** mulberry32: a small seeded PRNG, so that a failing random run can be replayed from its seed. */
export function prng(seed: number) {
  let state = seed | 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

/**
 * A suite over one deployment: deployed once (then `prepare` runs), and every test starts from the
 * state right after `prepare` (an EVM snapshot reverted before each test).
 */
export function fixtureSuite(prepare: (f: Fixture) => Promise<void> = async () => {}) {
  const suite = {} as { chain: Chain; f: Fixture };
  let snapshot: string;
  beforeAll(async () => {
    suite.chain = await inProcessChain();
    suite.f = await deployFixture(suite.chain);
    await prepare(suite.f);
    snapshot = await suite.chain.snapshot();
  });
  afterAll(() => suite.chain?.close());
  beforeEach(async () => {
    await suite.chain.revert(snapshot);
    snapshot = await suite.chain.snapshot();
  });
  return suite;
}
