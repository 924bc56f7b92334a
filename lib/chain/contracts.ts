import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ContractFactory, type InterfaceAbi, type Signer } from 'ethers';

/** The repository root, whether this module runs compiled (dist/) or from source (tests). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/$/, '/');

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** A compiled contract from `contracts/artifacts` (`npm run compile`). */
export async function artifact(name: 'ChargingPayments' | 'TestStablecoin'): Promise<Artifact> {
  const path = `${ROOT}contracts/artifacts/contracts/${name}.sol/${name}.json`;
  const json = await readFile(path, 'utf8').catch(() => {
    throw new Error(`${path} is missing: run \`npm run compile\``);
  });
  const { abi, bytecode } = JSON.parse(json) as Artifact;
  return { abi, bytecode };
}

/** What the services need to know about a deployment; written to `deployments/<network>.json`. */
export interface Deployment {
  network: string;
  chainId: number;
  paymentsContract: string;
  token: string;
  tokenDecimals: number;
  deployedAt: string;
  blockNumber: number;
}

export const deploymentPath = (network: string) => `${ROOT}deployments/${network}.json`;

export async function readDeployment(network: string): Promise<Deployment> {
  return JSON.parse(await readFile(deploymentPath(network), 'utf8')) as Deployment;
}

/**
 * Deploys ChargingPayments over `token` (or over a new TestStablecoin when none is given, for local
 * chains and testnets), makes `settler` the settler, and returns the addresses.
 */
export async function deployPayments(opts: { deployer: Signer; settler: string; token?: string }) {
  const admin = await opts.deployer.getAddress();
  let token = opts.token;
  if (!token) {
    const a = await artifact('TestStablecoin');
    const stable = await new ContractFactory(a.abi, a.bytecode, opts.deployer).deploy(admin);
    await stable.waitForDeployment();
    token = await stable.getAddress();
  }
  const p = await artifact('ChargingPayments');
  const payments = await new ContractFactory(p.abi, p.bytecode, opts.deployer).deploy(token, admin);
  const receipt = await payments.deploymentTransaction()!.wait();
  const address = await payments.getAddress();
  const grant = await (
    payments as unknown as { grantRole(role: string, who: string): Promise<{ wait(): Promise<unknown> }> }
  ).grantRole(
    await (payments as unknown as { SETTLER_ROLE(): Promise<string> }).SETTLER_ROLE(),
    opts.settler,
  );
  await grant.wait();
  return { paymentsContract: address, token, blockNumber: receipt!.blockNumber };
}
