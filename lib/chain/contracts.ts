/**
 * The chain side as the off-chain services see it: compiled ABIs from `contracts/artifacts`
 * (`npm run compile`), the deployment file `deployments/<network>.json` (`npm run deploy`), and
 * ethers 6 `Contract`s built from both. No Hardhat at run time: services depend on ethers only.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Contract,
  ContractFactory,
  getAddress,
  id,
  ZeroHash,
  type ContractRunner,
  type InterfaceAbi,
  type Signer,
} from 'ethers';

/** The repository root, whether this module runs compiled (dist/) or from source (tests, tsx). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/$/, '/');

export type ContractName = 'PaymentLedger' | 'TestStablecoin';

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const artifacts = new Map<ContractName, Promise<Artifact>>();

/** A compiled contract from `contracts/artifacts` (read once per process). */
export function artifact(name: ContractName): Promise<Artifact> {
  let loaded = artifacts.get(name);
  if (!loaded) {
    const path = `${ROOT}contracts/artifacts/contracts/${name}.sol/${name}.json`;
    loaded = readFile(path, 'utf8').then(
      (json) => {
        const { abi, bytecode } = JSON.parse(json) as Artifact;
        return { abi, bytecode };
      },
      () => {
        artifacts.delete(name);
        throw new Error(`${path} is missing: run \`npm run compile\``);
      },
    );
    artifacts.set(name, loaded);
  }
  return loaded;
}

/** A contract's ABI (for `new Contract(address, abi, runner)` or `new Interface(abi)`). */
export const abiOf = async (name: ContractName) => (await artifact(name)).abi;

/** What the services need to know about a deployment; written to `deployments/<network>.json`. */
export interface Deployment {
  /** Hardhat network name: localhost, polygonAmoy, polygon (or a test's own name). */
  network: string;
  chainId: number;
  /** PaymentLedger (the escrow and every settled record). */
  paymentsContract: string;
  /** The escrowed stablecoin. */
  token: string;
  tokenDecimals: number;
  /** The token is this repository's TestStablecoin (local chains and testnets). */
  testStablecoin?: boolean;
  /** Holder of DEFAULT_ADMIN_ROLE and PAUSER_ROLE at deployment (meant to be handed to a multisig). */
  admin?: string;
  /** Granted SETTLER_ROLE at deployment (active at once; later grants wait SETTLER_DELAY). */
  settler?: string;
  deployedAt: string;
  /** Block of the PaymentLedger deployment: where event scans can start. */
  blockNumber: number;
}

export const deploymentPath = (network: string) => `${ROOT}deployments/${network}.json`;

/** Reads and checks `deployments/<network>.json`; the message names the file and the bad field. */
export async function readDeployment(network: string): Promise<Deployment> {
  const path = deploymentPath(network);
  const json = await readFile(path, 'utf8').catch(() => {
    throw new Error(`${path} is missing: run \`npm run deploy -- --network ${network}\``);
  });
  const d = JSON.parse(json) as Deployment;
  const bad = (field: string) => new Error(`${path}: ${field} is missing or invalid`);
  if (!Number.isSafeInteger(d.chainId) || d.chainId <= 0) throw bad('chainId');
  if (!Number.isSafeInteger(d.tokenDecimals) || d.tokenDecimals < 0) throw bad('tokenDecimals');
  if (!Number.isSafeInteger(d.blockNumber) || d.blockNumber < 0) throw bad('blockNumber');
  for (const field of ['paymentsContract', 'token'] as const) {
    try {
      d[field] = getAddress(d[field]);
    } catch {
      throw bad(field);
    }
  }
  return d;
}

/** Writes `deployments/<network>.json` (stable key order, one trailing newline: commit-friendly). */
export async function writeDeployment(d: Deployment): Promise<string> {
  const path = deploymentPath(d.network);
  const ordered: Deployment = {
    network: d.network,
    chainId: d.chainId,
    paymentsContract: d.paymentsContract,
    token: d.token,
    tokenDecimals: d.tokenDecimals,
    testStablecoin: d.testStablecoin,
    admin: d.admin,
    settler: d.settler,
    deployedAt: d.deployedAt,
    blockNumber: d.blockNumber,
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(ordered, null, 2)}\n`);
  return path;
}

/**
 * The deployment's contracts as ethers 6 `Contract`s connected to `runner` (a provider to read, a
 * signer — the settler's — to send).
 */
export async function connectContracts(network: string | Deployment, runner: ContractRunner) {
  const deployment = typeof network === 'string' ? await readDeployment(network) : network;
  return {
    deployment,
    payments: new Contract(deployment.paymentsContract, await abiOf('PaymentLedger'), runner),
    // TestStablecoin's ABI covers the ERC-20 and ERC-2612 functions of the real token.
    token: new Contract(deployment.token, await abiOf('TestStablecoin'), runner),
  };
}

/** Why a settlement batch skipped a record: the `reason` of `SettlementSkipped(recordId, reason)`. */
export const SettlementSkipReason = {
  AlreadySettled: 1,
  OverRecordLimit: 2,
  OverDayLimit: 3,
  InsufficientEscrow: 4,
  Invalid: 5,
} as const;

/** Why a record was skipped, for people (the record's failureReason). */
export const SKIP_REASON_TEXT: Record<number, string> = {
  [SettlementSkipReason.OverRecordLimit]: 'The amount is above the payer’s limit per record',
  [SettlementSkipReason.OverDayLimit]: 'The amount is above what is left of the payer’s daily limit',
  [SettlementSkipReason.InsufficientEscrow]: 'The payer’s escrow is too small',
  [SettlementSkipReason.Invalid]: 'Invalid record (zero amount or address, fee or shares out of range)',
};

/** Failures the payer can clear (a deposit, higher limits, a new day): the sweeper retries them. */
export const CLEARABLE_FAILURES = [
  SKIP_REASON_TEXT[SettlementSkipReason.OverRecordLimit]!,
  SKIP_REASON_TEXT[SettlementSkipReason.OverDayLimit]!,
  SKIP_REASON_TEXT[SettlementSkipReason.InsufficientEscrow]!,
];

/** Role ids of PaymentLedger: keccak256 of the name, as in the contract; the admin role is zero. */
/**
 * An upper bound on the gas of one `settleSessions` or `settleTrades` batch, so the settlement worker
 * need not ask the node for an estimate (which runs the batch several times: 1.3 s for 1,000 records
 * on the local node). Per call {@link GAS_BOUND}.call; per record `session` or `trade` (warm
 * storage, every record's payee or seller distinct), per co-owner share `share`; and `newSlot` (a
 * zero slot written: 20,000 + a cold access) for every slot the batch may find empty: each distinct
 * payee, seller or co-owner (credits of 0) and the fee recipient, and each bitmap word of its record
 * ids. test/contracts/payment-ledger.test.ts pins it against the contract (the bound holds, and is
 * not loose by more than half for an ordinary batch).
 */
export const GAS_BOUND = {
  call: 60_000,
  session: 15_000,
  trade: 18_000,
  share: 7_000,
  newSlot: 22_100,
  /** One anchorReadings call (a new slot, the event, the call). */
  anchor: 80_000,
} as const;

export function settlementGasBound(
  kind: 'session' | 'trade',
  records: readonly {
    recordId: bigint;
    payee?: string;
    seller?: string;
    shares?: readonly { owner: string }[];
  }[],
): bigint {
  const recipients = new Set<string>();
  const words = new Set<bigint>();
  let gas = GAS_BOUND.call + GAS_BOUND.newSlot; // the fee recipient's credits
  for (const r of records) {
    gas += kind === 'session' ? GAS_BOUND.session : GAS_BOUND.trade;
    words.add(r.recordId >> 8n);
    const to = r.shares?.length ? r.shares.map((s) => s.owner) : [(r.payee ?? r.seller)!];
    gas += GAS_BOUND.share * (r.shares?.length ?? 0);
    for (const a of to) recipients.add(a.toLowerCase());
  }
  return BigInt(gas + GAS_BOUND.newSlot * (recipients.size + words.size));
}

export const ROLES = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  SETTLER_ROLE: id('SETTLER_ROLE'),
  PAUSER_ROLE: id('PAUSER_ROLE'),
} as const;

/** Default delay of a transfer of the admin role (AccessControlDefaultAdminRules): 3 days. */
export const ADMIN_TRANSFER_DELAY_S = 3 * 24 * 3600;

/**
 * Deploys PaymentLedger over `token` (or over a new TestStablecoin when none is given, for local
 * chains and testnets) with `settler` as its first settler (active at once), and returns the addresses.
 */
export async function deployPayments(opts: {
  deployer: Signer;
  settler: string;
  token?: string;
  /** Who holds the admin and pauser roles (default: the deployer); meant to be a multisig. */
  admin?: string;
  adminDelaySeconds?: number;
}) {
  const deployer = await opts.deployer.getAddress();
  const admin = opts.admin ?? deployer;
  let token = opts.token;
  if (!token) {
    const a = await artifact('TestStablecoin');
    const stable = await new ContractFactory(a.abi, a.bytecode, opts.deployer).deploy(deployer);
    await stable.waitForDeployment();
    token = await stable.getAddress();
  }
  const p = await artifact('PaymentLedger');
  const payments = await new ContractFactory(p.abi, p.bytecode, opts.deployer).deploy(
    token,
    opts.adminDelaySeconds ?? ADMIN_TRANSFER_DELAY_S,
    admin,
    opts.settler,
  );
  const receipt = await payments.deploymentTransaction()!.wait();
  return { paymentsContract: await payments.getAddress(), token, blockNumber: receipt!.blockNumber };
}
