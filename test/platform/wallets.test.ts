import { Wallet as EthWallet } from 'ethers';
import { loginAdmin, registerUser, type Session } from '../support/builders.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let admin: Session;

beforeAll(async () => {
  p = await startTestPlatform();
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(() => p?.stop());

const CHALLENGE = 'mutation($a: String!) { walletLinkChallenge(address: $a) { message expiresAt } }';
const LINK = 'mutation($a: String!, $s: String!) { linkWallet(address: $a, signature: $s) { address } }';

async function challenge(token: string, address: string): Promise<string> {
  const r = await gql(url, CHALLENGE, { a: address }, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.walletLinkChallenge.message;
}

describe('wallet linking', () => {
  it('links a wallet that signs the challenge; the message follows EIP-4361', async () => {
    const driver = await registerUser(url);
    const wallet = EthWallet.createRandom();
    const message = await challenge(driver.token, wallet.address.toLowerCase());
    expect(message).toContain(`wants you to sign in with your Ethereum account:\n${wallet.address}\n`);
    expect(message).toMatch(/\nChain ID: 31337\nNonce: [0-9a-f]{24}\nIssued At: .+\nExpiration Time: .+$/);

    const r = await gql(
      url,
      LINK,
      { a: wallet.address, s: await wallet.signMessage(message) },
      { token: driver.token },
    );
    expect(r.data!.linkWallet).toEqual({ address: wallet.address });
    const me = await gql(url, '{ me { wallets { address } } }', {}, { token: driver.token });
    expect(me.data!.me.wallets).toEqual([{ address: wallet.address }]);
  });

  it('refuses a signature by another key, and a challenge used twice', async () => {
    const driver = await registerUser(url);
    const wallet = EthWallet.createRandom();
    const impostor = EthWallet.createRandom();
    const message = await challenge(driver.token, wallet.address);
    const wrong = await gql(
      url,
      LINK,
      { a: wallet.address, s: await impostor.signMessage(message) },
      { token: driver.token },
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    // The failed attempt spent the challenge: replaying a good signature of it fails too.
    const replay = await gql(
      url,
      LINK,
      { a: wallet.address, s: await wallet.signMessage(message) },
      { token: driver.token },
    );
    expect(codeOf(replay)).toBe('BAD_USER_INPUT');
  });

  it('a wallet belongs to one account', async () => {
    const a = await registerUser(url);
    const b = await registerUser(url);
    const wallet = EthWallet.createRandom();
    await gql(
      url,
      LINK,
      { a: wallet.address, s: await wallet.signMessage(await challenge(a.token, wallet.address)) },
      { token: a.token },
    );
    const r = await gql(
      url,
      LINK,
      { a: wallet.address, s: await wallet.signMessage(await challenge(b.token, wallet.address)) },
      { token: b.token },
    );
    expect(codeOf(r)).toBe('CONFLICT');
  });

  it('rejects malformed addresses and signatures, and anonymous callers', async () => {
    const driver = await registerUser(url);
    expect(codeOf(await gql(url, CHALLENGE, { a: '0x1234' }, { token: driver.token }))).toBe(
      'BAD_USER_INPUT',
    );
    const wallet = EthWallet.createRandom();
    await challenge(driver.token, wallet.address);
    expect(
      codeOf(await gql(url, LINK, { a: wallet.address, s: '0xdeadbeef' }, { token: driver.token })),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(url, CHALLENGE, { a: wallet.address }))).toBe('UNAUTHENTICATED');
  });

  it('shows wallets to the account and admins only', async () => {
    const other = await registerUser(url);
    const q = 'query { users(first: 100) { edges { node { id wallets { address } } } } }';
    expect((await gql(url, q, {}, { token: admin.token })).errors).toBeUndefined();
    expect(codeOf(await gql(url, q, {}, { token: other.token }))).toBe('FORBIDDEN');
  });
});
