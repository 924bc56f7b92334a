import {
  as,
  eventsOf,
  mined,
  revertOf,
  signPermit,
  USD,
  type Chain,
  type Fixture,
  fixtureSuite,
} from './helpers.js';

const suite = fixtureSuite();
let chain: Chain;
let f: Fixture;
beforeAll(() => ({ chain, f } = suite));

describe('TestStablecoin', () => {
  it('has 6 decimals, like USDC on Polygon', async () => {
    expect(await f.stable.decimals()).toBe(6n);
    expect(await f.stable.symbol()).toBe('glUSD');
  });

  it('lets MINTER_ROLE mint (Transfer from zero)', async () => {
    const receipt = await mined(f.stable.mint(f.payer.address, USD(5)));
    expect(eventsOf(f.stable.interface, receipt.logs)).toEqual([
      { name: 'Transfer', args: ['0x0000000000000000000000000000000000000000', f.payer.address, USD(5)] },
    ]);
    expect(await f.stable.balanceOf(f.payer.address)).toBe(USD(5));
  });

  it('refuses minting by anyone without MINTER_ROLE', async () => {
    expect(await revertOf(f.stable.interface, as(f.stable, f.stranger).mint(f.stranger.address, 1n))).toEqual(
      {
        name: 'AccessControlUnauthorizedAccount',
        args: [f.stranger.address, f.roles.minter],
      },
    );
  });

  it('accepts ERC-2612 permits and refuses an expired one', async () => {
    const deadline = BigInt((await chain.now()) + 60);
    const sig = await signPermit(f, f.payer, USD(3), deadline);
    await mined(f.stable.permit(f.payer.address, f.paymentsAddress, USD(3), deadline, sig.v, sig.r, sig.s));
    expect(await f.stable.allowance(f.payer.address, f.paymentsAddress)).toBe(USD(3));

    const past = BigInt((await chain.now()) - 1);
    const old = await signPermit(f, f.payer, USD(3), past);
    expect(
      await revertOf(
        f.stable.interface,
        f.stable.permit(f.payer.address, f.paymentsAddress, USD(3), past, old.v, old.r, old.s),
      ),
    ).toEqual({ name: 'ERC2612ExpiredSignature', args: [past] });
  });
});
