import { sharePower } from '../../subgraphs/station/services/power-sharing.js';

const evse = (key: string, maxKw: number, inUse: boolean) => ({ key, maxW: maxKw * 1000, inUse });

describe('sharing a station power limit', () => {
  it('gives in-use EVSEs equal shares, and what a small one leaves to the others', () => {
    const shares = sharePower(50_000, [evse('a', 150, true), evse('b', 11, true), evse('c', 150, true)]);
    // b keeps its 11 kW; a and c share the 39 kW left.
    expect(Object.fromEntries(shares)).toEqual({ b: 11_000, a: 19_500, c: 19_500 });
  });

  it('never lets in-use EVSEs sum above the limit (shares are whole W, rounded down)', () => {
    const shares = sharePower(10_000, [evse('a', 50, true), evse('b', 50, true), evse('c', 50, true)]);
    expect([...shares.values()]).toEqual([3333, 3333, 3334]);
    expect([...shares.values()].reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(10_000);
  });

  it('gives an idle EVSE the share it would have as the next to start, within its maximum', () => {
    const shares = sharePower(30_000, [evse('a', 150, true), evse('b', 22, false), evse('c', 7.4, false)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 30_000, b: 15_000, c: 7_400 });
  });

  it('with nothing in use, each EVSE may take the whole limit up to its maximum', () => {
    expect(Object.fromEntries(sharePower(30_000, [evse('a', 150, false), evse('b', 22, false)]))).toEqual({
      a: 30_000,
      b: 22_000,
    });
  });
});
