import { useState } from 'react';
import type { Api } from './api.js';

interface Props {
  api: Api;
  community: { id: string; intervalMinutes: number; gateClosureMinutes: number };
  /** My sites in this community (a SELL order names the producing one). */
  sites: { id: string; name: string }[];
  placed: () => void;
}

const PLACE = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }`;

/** The next `n` intervals whose gate is still open (gate closure more than 10 s away). */
export function openIntervals(community: Props['community'], now: number, n = 8): number[] {
  const length = community.intervalMinutes * 60_000;
  const closure = community.gateClosureMinutes * 60_000;
  let start = Math.ceil(now / length) * length;
  while (start - closure - now < 10_000) start += length;
  return Array.from({ length: n }, (_, i) => start + i * length);
}

/**
 * Places an order in one of the next open intervals: side, energy (Wh) and limit price (token units
 * per kWh; for SELL what the site keeps after the fee). The API checks the rest (floor and cap,
 * escrow for a bid) and its error shows here.
 */
export function OrderForm({ api, community, sites, placed }: Props) {
  const [intervals] = useState(() => openIntervals(community, Date.now()));
  const [form, setForm] = useState({
    intervalStart: String(intervals[0]),
    side: sites.length ? 'SELL' : 'BUY',
    energyWh: '',
    limit: '',
    siteId: sites[0]?.id ?? '',
  });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.request(PLACE, {
        i: {
          communityId: community.id,
          intervalStart: new Date(Number(form.intervalStart)).toISOString(),
          side: form.side,
          energyWh: Number(form.energyWh),
          limitPricePerKwh: Number(form.limit),
          ...(form.side === 'SELL' && form.siteId ? { siteId: form.siteId } : {}),
        },
      });
      setForm((f) => ({ ...f, energyWh: '' }));
      placed();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="inline" data-testid="place-order" onSubmit={submit}>
      <select
        name="intervalStart"
        value={form.intervalStart}
        onChange={(e) => setForm({ ...form, intervalStart: e.target.value })}
      >
        {intervals.map((t) => (
          <option key={t} value={t}>
            {new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
          </option>
        ))}
      </select>
      <select name="side" value={form.side} onChange={(e) => setForm({ ...form, side: e.target.value })}>
        <option value="SELL">sell</option>
        <option value="BUY">buy</option>
      </select>
      {form.side === 'SELL' && sites.length > 1 && (
        <select
          name="siteId"
          value={form.siteId}
          onChange={(e) => setForm({ ...form, siteId: e.target.value })}
        >
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      )}
      <input
        name="energyWh"
        type="number"
        min={1}
        step={1}
        placeholder="Wh"
        value={form.energyWh}
        onChange={(e) => setForm({ ...form, energyWh: e.target.value })}
        required
      />
      <input
        name="limit"
        type="number"
        min={0}
        step={1}
        placeholder="units/kWh"
        value={form.limit}
        onChange={(e) => setForm({ ...form, limit: e.target.value })}
        required
      />
      <button type="submit">Place order</button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
