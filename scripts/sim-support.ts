/**
 * What the simulators share: a GraphQL client of the public API, and, on the local development
 * chain, development wallets linked to accounts and funded escrow.
 */
import { Contract, JsonRpcProvider, Network, type HDNodeWallet } from 'ethers';
import { artifact, type Deployment } from '../lib/chain/contracts.js';
import { devWallet } from '../lib/chain/hardhat-node.js';

export function apiClient(gatewayUrl: string) {
  async function gql<T>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
    return body.data;
  }

  const login = async (email: string, password: string) =>
    (
      await gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      )
    ).login.accessToken;

  /** Links development wallet `index` to the signed-in account unless it is linked already. */
  async function linkDevWallet(token: string, index: number) {
    const wallet = devWallet(index);
    const { me } = await gql<{ me: { wallets: { address: string }[] } }>(
      '{ me { wallets { address } } }',
      {},
      token,
    );
    if (me.wallets.some((w) => w.address.toLowerCase() === wallet.address.toLowerCase())) return wallet;
    return linkWallet(token, wallet);
  }

  /** Links `wallet` to the signed-in account: the API's challenge, signed by the wallet. */
  async function linkWallet<W extends Pick<HDNodeWallet, 'address' | 'signMessage'>>(
    token: string,
    wallet: W,
  ) {
    const { walletLinkChallenge } = await gql<{ walletLinkChallenge: { message: string } }>(
      'mutation($a: String!) { walletLinkChallenge(address: $a) { message } }',
      { a: wallet.address },
      token,
    );
    await gql(
      'mutation($a: String!, $s: String!) { linkWallet(address: $a, signature: $s) { address } }',
      { a: wallet.address, s: await wallet.signMessage(walletLinkChallenge.message) },
      token,
    );
    return wallet;
  }

  return { gql, login, linkDevWallet, linkWallet };
}

/**
 * Tops the wallet's escrow up to `units` of the test stablecoin (token base units) and sets its
 * limits per record and per day to `limit` (unchanged when null), on the local development chain.
 */
export async function fundEscrow(
  rpcUrl: string,
  deployment: Deployment,
  wallet: HDNodeWallet,
  units: bigint,
  limit: bigint | null,
) {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(deployment.chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  try {
    const signer = wallet.connect(provider);
    const payments = new Contract(deployment.paymentsContract, (await artifact('PaymentLedger')).abi, signer);
    const token = new Contract(deployment.token, (await artifact('TestStablecoin')).abi, signer);
    const [balance] = (await payments.getFunction('escrowOf')(wallet.address)) as bigint[];
    if (balance! < units) {
      const top = units - balance!;
      await (await token.getFunction('approve')(deployment.paymentsContract, top)).wait();
      await (await payments.getFunction('deposit')(top)).wait();
    }
    if (limit !== null) await (await payments.getFunction('setLimits')(limit, limit)).wait();
  } finally {
    provider.destroy();
  }
}
