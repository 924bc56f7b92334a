import {
  clearInterval,
  effectiveAsk,
  tradeAmounts,
  type MarketRules,
  type Order,
} from '../../subgraphs/energy-trading/services/clearing.js';

const RULES: MarketRules = { priceFloor: 0, priceCap: 1_000, feeBps: 0 };
let seq = 0;
const order = (
  side: 'BUY' | 'SELL',
  energyWh: number,
  limitPricePerKwh: number,
  placedAt = seq++,
): Order => ({
  id: `${side[0]}${seq}`,
  side,
  energyWh,
  limitPricePerKwh,
  placedAt,
});

it('crossing bid and offer clear at the midpoint of the marginal prices', () => {
  const r = clearInterval([order('BUY', 100, 30), order('SELL', 100, 20)], RULES);
  expect(r.pricePerKwh).toBe(25);
  expect(r.volumeWh).toBe(100);
  expect(r.trades).toHaveLength(1);
  // 100 Wh at 25 per kWh is 2.5 units: rounded down.
  expect(r.trades[0]).toMatchObject({ energyWh: 100, grossAmount: 2, fee: 0, sellerAmount: 2 });
});

it('no cross, no trade', () => {
  expect(clearInterval([order('BUY', 100, 10), order('SELL', 100, 20)], RULES)).toEqual({
    pricePerKwh: null,
    volumeWh: 0,
    fills: [],
    trades: [],
  });
  expect(clearInterval([order('SELL', 100, 20)], RULES).volumeWh).toBe(0);
});

it('the longer side is rationed in price-time priority; only the last fill is partial', () => {
  const early = order('SELL', 60, 10, 1);
  const late = order('SELL', 60, 10, 2);
  const dear = order('SELL', 60, 15, 0);
  const r = clearInterval([late, dear, early, order('BUY', 80, 20)], RULES);
  expect(r.volumeWh).toBe(80);
  const sold = Object.fromEntries(
    r.fills.filter((f) => f.side === 'SELL').map((f) => [f.orderId, f.filledWh]),
  );
  expect(sold).toEqual({ [early.id]: 60, [late.id]: 20 });
});

it('the fee is taken from the seller: a seller keeps at least their limit, a buyer never pays more than theirs', () => {
  const feeBps = 500;
  expect(effectiveAsk(19, feeBps)).toBe(20);
  const r = clearInterval([order('BUY', 10_000, 20), order('SELL', 10_000, 19)], { ...RULES, feeBps });
  expect(r.pricePerKwh).toBe(20);
  const [t] = r.trades;
  expect(t).toMatchObject({ grossAmount: 200, fee: 10, sellerAmount: 190 });
  expect(t!.sellerAmount).toBeGreaterThanOrEqual((10_000 * 19) / 1000);
  // At a limit of 19.5 the seller would keep less than asked at 20: no trade.
  expect(
    clearInterval([order('BUY', 10_000, 20), order('SELL', 10_000, 20)], { ...RULES, feeBps }).volumeWh,
  ).toBe(0);
});

it('the price stays within the floor and cap', () => {
  const r = clearInterval([order('BUY', 100, 500), order('SELL', 100, 100)], { ...RULES, priceCap: 300 });
  // Candidates: the offer (100) and the cap (the bid of 500, clamped); the price is their midpoint.
  expect(r.pricePerKwh).toBe(200);
  expect(
    clearInterval([order('BUY', 100, 500), order('SELL', 100, 400)], { ...RULES, priceCap: 300 }).volumeWh,
  ).toBe(0);
});

it('refuses malformed orders and rules', () => {
  expect(() => clearInterval([order('BUY', 0, 10)], RULES)).toThrow(RangeError);
  expect(() => clearInterval([order('BUY', 1.5, 10)], RULES)).toThrow(RangeError);
  expect(() => clearInterval([order('BUY', 10, -1)], RULES)).toThrow(RangeError);
  expect(() => clearInterval([], { ...RULES, feeBps: 10_000 })).toThrow(RangeError);
  expect(() => clearInterval([], { ...RULES, priceFloor: 5, priceCap: 4 })).toThrow(RangeError);
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('on 3,000 random books: fills respect limits, balance, maximise volume, and amounts round as written', () => {
  const rnd = random(42);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  for (let book = 0; book < 3000; book++) {
    const rules: MarketRules = { priceFloor: int(0, 20), priceCap: int(40, 120), feeBps: int(0, 2000) };
    const orders = Array.from({ length: int(1, 12) }, (_, i) => ({
      id: `o${i}`,
      side: (rnd() < 0.5 ? 'BUY' : 'SELL') as 'BUY' | 'SELL',
      energyWh: int(1, 5000),
      limitPricePerKwh: int(0, 130),
      placedAt: int(0, 5),
    }));
    const r = clearInterval(orders, rules);
    // Given in time order (as Market.clear loads them), the same result without sorting them first.
    const inTime = [...orders].sort((x, y) => x.placedAt - y.placedAt || (x.id < y.id ? -1 : 1));
    expect(clearInterval(inTime, rules)).toEqual(r);
    const byId = new Map(orders.map((o) => [o.id, o]));
    const demand = (p: number) =>
      orders.filter((o) => o.side === 'BUY' && o.limitPricePerKwh >= p).reduce((s, o) => s + o.energyWh, 0);
    const supply = (p: number) =>
      orders
        .filter((o) => o.side === 'SELL' && effectiveAsk(o.limitPricePerKwh, rules.feeBps) <= p)
        .reduce((s, o) => s + o.energyWh, 0);
    // No price in [floor, cap] matches more than the clearing does.
    let bestAnywhere = 0;
    for (let p = rules.priceFloor; p <= rules.priceCap; p++)
      bestAnywhere = Math.max(bestAnywhere, Math.min(demand(p), supply(p)));
    expect(r.volumeWh).toBe(bestAnywhere);
    if (r.pricePerKwh === null) {
      expect(r.trades).toEqual([]);
      continue;
    }
    const p = r.pricePerKwh;
    expect(p).toBeGreaterThanOrEqual(rules.priceFloor);
    expect(p).toBeLessThanOrEqual(rules.priceCap);
    let bought = 0;
    let sold = 0;
    const partial = { BUY: 0, SELL: 0 };
    for (const f of r.fills) {
      const o = byId.get(f.orderId)!;
      expect(f.filledWh).toBeGreaterThan(0);
      expect(f.filledWh).toBeLessThanOrEqual(o.energyWh);
      if (f.filledWh < o.energyWh) partial[f.side]++;
      if (f.side === 'BUY') {
        expect(o.limitPricePerKwh).toBeGreaterThanOrEqual(p);
        bought += f.filledWh;
      } else {
        // What the seller keeps, exactly, is at least their limit.
        expect(p * (10_000 - rules.feeBps)).toBeGreaterThanOrEqual(o.limitPricePerKwh * 10_000);
        sold += f.filledWh;
      }
    }
    expect(partial.BUY).toBeLessThanOrEqual(1);
    expect(partial.SELL).toBeLessThanOrEqual(1);
    expect(bought).toBe(r.volumeWh);
    expect(sold).toBe(r.volumeWh);
    expect(r.trades.reduce((s, t) => s + t.energyWh, 0)).toBe(r.volumeWh);
    for (const t of r.trades) {
      expect(t).toMatchObject(tradeAmounts(t.energyWh, p, rules.feeBps));
      expect(t.grossAmount).toBeLessThanOrEqual((t.energyWh * p) / 1000);
      expect(t.grossAmount).toBeGreaterThan((t.energyWh * p) / 1000 - 1);
      expect(t.sellerAmount).toBe(t.grossAmount - t.fee);
    }
  }
});
