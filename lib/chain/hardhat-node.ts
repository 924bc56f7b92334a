import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HDNodeWallet, Mnemonic, type Provider } from 'ethers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/$/, '/');

/** Hardhat's development mnemonic: public knowledge, for local chains only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** Development account `index` of the local chain (0 deploys and administers, 1 settles). */
export const devWallet = (index: number, provider?: Provider) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(
    provider ?? null,
  );

/** Whether a private key is one of the development mnemonic's first 20 accounts (Hardhat's defaults). */
export const isDevelopmentKey = (key: string) =>
  Array.from({ length: 20 }, (_, i) => devWallet(i).privateKey).includes(key.toLowerCase());

/** Asks a JSON-RPC endpoint for its chain id; null when nothing answers. */
export async function rpcChainId(url: string): Promise<number | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number.parseInt(body.result, 16) : null;
  } catch {
    return null;
  }
}

/** Starts `hardhat node` (a local EVM with JSON-RPC) and resolves once it answers. */
export async function startHardhatNode(
  port: number,
): Promise<{ url: string; process: ChildProcess; stop: () => void }> {
  // The package's exports hide its CLI entry; it is the `hardhat` bin.
  const cli = `${ROOT}node_modules/hardhat/dist/src/cli.js`;
  const child = spawn(process.execPath, [cli, 'node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while ((await rpcChainId(url)) === null) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('hardhat node did not start in 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, process: child, stop: () => child.kill('SIGTERM') };
}
