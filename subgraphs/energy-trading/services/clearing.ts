/**
 * Clearing of one community market interval: a uniform-price double auction (pay-as-clear), as in
 * Grid Singularity's exchange. Pure logic: no database, no chain.
 *
 * Units: energy in Wh, prices in the token's smallest unit per kWh, amounts in token units, all
 * integers.
 *
 * Conventions (decided before the code, in this order):
 * 1. **Fee.** The platform fee is `feeBps` basis points of what the buyer pays, taken from the
 *    seller. A buyer pays the clearing price; a seller receives the clearing price less the fee. A
 *    sell order with limit L takes part at price p only if p × (10,000 − feeBps) / 10,000 ≥ L. Its
 *    effective ask is therefore ⌈L × 10,000 / (10,000 − feeBps)⌉. A bid takes part only if p ≤ its
 *    limit. The fee never raises a buyer's price: it lowers what the seller keeps.
 * 2. **Price.** The candidate prices are every bid limit and every effective ask, clamped into the
 *    community's [floor, cap], and the floor and cap themselves. The clearing price maximises matched volume min(demand(p), supply(p)).
 *    When several candidates give the maximum, the price is the midpoint, rounded down, of the
 *    lowest and highest of them. The midpoint matches at least that volume (demand falls and supply
 *    rises with p), and it splits the surplus between the marginal bid and offer. No volume: no
 *    trade.
 * 3. **Rationing.** The side with more eligible energy is filled in price-time priority: better
 *    price first (highest bid, lowest effective ask), then the earlier order, then the lower id.
 *    The other side is filled in full. An order is filled partly at most when it is the last one
 *    filled.
 * 4. **Trades.** Filled buys and sells are paired in their priority order, like a merge of two
 *    queues: one Trade per seller–buyer pair with energy > 0.
 * 5. **Rounding of amounts.** Per trade, `gross = ⌊energyWh × price / 1,000⌋`,
 *    `fee = ⌊gross × feeBps / 10,000⌋`, and the seller gets `gross − fee`. Each amount is within
 *    one token unit of exact, in the buyer's favour for the gross and the seller's for the fee.
 */

export type Side = 'BUY' | 'SELL';

export interface Order {
  id: string;
  side: Side;
  energyWh: number;
  /** Token units per kWh: the most a buyer pays, or the least a seller keeps after the fee. */
  limitPricePerKwh: number;
  /** When the order was placed (ms since epoch): time priority. */
  placedAt: number;
}

export interface MarketRules {
  /** Token units per kWh. */
  priceFloor: number;
  priceCap: number;
  /** Platform fee, basis points of the buyer's payment, taken from the seller (0–9,999). */
  feeBps: number;
}

export interface Fill {
  orderId: string;
  side: Side;
  filledWh: number;
}

export interface Trade {
  sellOrderId: string;
  buyOrderId: string;
  energyWh: number;
  /** What the buyer pays, token units. */
  grossAmount: number;
  fee: number;
  /** What the seller receives: gross − fee. */
  sellerAmount: number;
}

export interface ClearingResult {
  /** Null when nothing matched. */
  pricePerKwh: number | null;
  volumeWh: number;
  fills: Fill[];
  trades: Trade[];
}

const BPS = 10_000;
/** The highest price an order may name (token units per kWh), and the most orders per interval. */
export const MAX_PRICE = 1_000_000_000;
const PLACES = 2 ** 21;

/** The lowest price at which a seller with this limit keeps at least the limit after the fee. */
export const effectiveAsk = (limit: number, feeBps: number) => Math.ceil((limit * BPS) / (BPS - feeBps));

/** The amounts of one trade (convention 5). */
export function tradeAmounts(energyWh: number, pricePerKwh: number, feeBps: number) {
  const grossAmount = Math.floor((energyWh * pricePerKwh) / 1000);
  const fee = Math.floor((grossAmount * feeBps) / BPS);
  return { grossAmount, fee, sellerAmount: grossAmount - fee };
}

function checkInput(orders: readonly Order[], rules: MarketRules) {
  if (orders.length >= PLACES) throw new RangeError(`at most ${PLACES - 1} orders per interval`);
  if (!Number.isInteger(rules.feeBps) || rules.feeBps < 0 || rules.feeBps >= BPS)
    throw new RangeError('feeBps must be an integer in [0, 9999]');
  if (!Number.isInteger(rules.priceFloor) || !Number.isInteger(rules.priceCap) || rules.priceFloor < 0)
    throw new RangeError('price floor and cap must be non-negative integers');
  if (rules.priceFloor > rules.priceCap) throw new RangeError('price floor above the cap');
  for (const o of orders) {
    if (!Number.isSafeInteger(o.energyWh) || o.energyWh <= 0)
      throw new RangeError(`order ${o.id}: energyWh must be a positive integer`);
    if (!Number.isSafeInteger(o.limitPricePerKwh) || o.limitPricePerKwh < 0 || o.limitPricePerKwh > MAX_PRICE)
      throw new RangeError(`order ${o.id}: limitPricePerKwh must be an integer in [0, ${MAX_PRICE}]`);
  }
}

/**
 * A step function over (price, energy) pairs given in ascending order of price: `atLeast(p)` sums
 * the energy of those priced ≥ p, `atMost(p)` of those priced ≤ p, each in O(log n).
 */
function steps(prices: number[], energies: number[]) {
  const upTo = new Float64Array(prices.length + 1); // upTo[i]: energy of pairs 0..i-1
  let sum = 0;
  energies.forEach((e, i) => {
    upTo[i] = sum;
    sum += e;
  });
  upTo[prices.length] = sum;
  /** The first index whose price is > p (or ≥ p when `strict` is false). */
  const search = (p: number, strict: boolean) => {
    let a = 0;
    let b = prices.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (strict ? prices[m]! <= p : prices[m]! < p) a = m + 1;
      else b = m;
    }
    return a;
  };
  return {
    atLeast: (p: number) => sum - upTo[search(p, false)]!,
    atMost: (p: number) => upTo[search(p, true)]!,
  };
}

/** Clears one interval's orders under `rules` (see the conventions above). */
export function clearInterval(orders: readonly Order[], rules: MarketRules): ClearingResult {
  checkInput(orders, rules);
  // Price-time priority as one number per order, sorted natively: (price key) × 2^21 + the order's
  // place in time order (placedAt, then id). Exact: price keys ≤ 10^9, places < 2^21, sum < 2^53.
  const earlier = (a: Order, b: Order) => a.placedAt - b.placedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // Given in time order already (Market.clear loads them so), the orders need no sorting here.
  const inTimeOrder = orders.every((o, i) => i === 0 || earlier(orders[i - 1]!, o) < 0);
  const byTime = inTimeOrder ? orders : [...orders].sort(earlier);
  const queue = (side: Side, key: (o: Order) => number) => {
    const keys: number[] = [];
    byTime.forEach((o, place) => {
      if (o.side === side) keys.push(key(o) * PLACES + place);
    });
    return Array.from(new Float64Array(keys).sort(), (k) => byTime[k % PLACES]!);
  };
  const bids = queue('BUY', (o) => MAX_PRICE - o.limitPricePerKwh);
  const ask = (o: Order) => effectiveAsk(o.limitPricePerKwh, rules.feeBps);
  const offers = queue('SELL', ask);
  const asked = offers.map((o) => ({ o, ask: ask(o) }));
  // demand(p): energy of bids with limit ≥ p; supply(p): energy of offers with effective ask ≤ p.
  // Both are step functions of p, read off the sorted queues with running sums.
  const bidSteps = steps(
    bids.map((o) => o.limitPricePerKwh).reverse(),
    bids.map((o) => o.energyWh).reverse(),
  );
  const askSteps = steps(
    asked.map((x) => x.ask),
    offers.map((o) => o.energyWh),
  );
  const demand = (p: number) => bidSteps.atLeast(p);
  const supply = (p: number) => askSteps.atMost(p);

  // Volume only changes at a bid limit or an effective ask: those prices, clamped into the range,
  // and the range's ends are where the maximum is.
  const clamp = (p: number) => Math.min(rules.priceCap, Math.max(rules.priceFloor, p));
  const candidates = [
    ...new Set([
      rules.priceFloor,
      rules.priceCap,
      ...bids.map((o) => clamp(o.limitPricePerKwh)),
      ...asked.map((x) => clamp(x.ask)),
    ]),
  ].sort((a, b) => a - b);
  let best = 0;
  let lo = -1;
  let hi = -1;
  for (const p of candidates) {
    const volume = Math.min(demand(p), supply(p));
    if (volume > best) [best, lo, hi] = [volume, p, p];
    else if (volume === best && volume > 0) hi = p;
  }
  if (best === 0) return { pricePerKwh: null, volumeWh: 0, fills: [], trades: [] };
  const price = Math.floor((lo + hi) / 2);
  const volume = Math.min(demand(price), supply(price));

  // Each side, in priority order, filled up to the matched volume (convention 3).
  const fill = (queue: Order[], eligible: (o: Order) => boolean): Fill[] => {
    let left = volume;
    const fills: Fill[] = [];
    for (const o of queue) {
      if (left === 0 || !eligible(o)) continue;
      const filledWh = Math.min(o.energyWh, left);
      fills.push({ orderId: o.id, side: o.side, filledWh });
      left -= filledWh;
    }
    return fills;
  };
  const buys = fill(bids, (o) => o.limitPricePerKwh >= price);
  const sells = fill(offers, (o) => ask(o) <= price);

  // Pair the fills like a merge of two queues (convention 4).
  const trades: Trade[] = [];
  const b = buys.map((f) => ({ ...f }));
  const s = sells.map((f) => ({ ...f }));
  for (let i = 0, j = 0; i < b.length && j < s.length;) {
    const energyWh = Math.min(b[i]!.filledWh, s[j]!.filledWh);
    trades.push({
      sellOrderId: s[j]!.orderId,
      buyOrderId: b[i]!.orderId,
      energyWh,
      ...tradeAmounts(energyWh, price, rules.feeBps),
    });
    b[i]!.filledWh -= energyWh;
    s[j]!.filledWh -= energyWh;
    if (b[i]!.filledWh === 0) i++;
    if (s[j]!.filledWh === 0) j++;
  }
  return { pricePerKwh: price, volumeWh: volume, fills: [...buys, ...sells], trades };
}
