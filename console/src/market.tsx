import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Api, ApiError } from './api.js';
import { TimeChart } from './chart.js';
import { OrderForm } from './order-form.js';

interface Community {
  id: string;
  name: string;
  intervalMinutes: number;
  gateClosureMinutes: number;
}
interface Site {
  id: string;
  name: string;
  pvCapacityWp: number;
  community: Community;
  meters: { id: string; kind: string; serial: string }[];
}
interface Clearing {
  intervalStart: string;
  pricePerKwh: number | null;
  volumeWh: number;
  tradeCount: number;
}
interface Order {
  id: string;
  intervalStart: string;
  side: string;
  energyWh: number;
  limitPricePerKwh: number;
  status: string;
  filledWh: number;
}
interface Trade {
  id: string;
  intervalStart: string;
  energyWh: number;
  pricePerKwh: number;
  deliveredWh: number | null;
  status: string;
  mySide: string | null;
  settlement: { status: string; txHash: string | null } | null;
}

const SITES = `{ mySites { id name pvCapacityWp community { id name intervalMinutes gateClosureMinutes }
  meters { id kind serial } } }`;
const CLEARINGS = `query($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
  clearings(communityId: $c, from: $from, to: $to, first: 100) { edges { node { intervalStart pricePerKwh volumeWh tradeCount } } } }`;
const CLEARED = `subscription($c: ID!) { clearingPublished(communityId: $c) { intervalStart pricePerKwh volumeWh tradeCount } }`;
const MINE = `query($c: ID!) {
  myOrders(communityId: $c, first: 50) { id intervalStart side energyWh limitPricePerKwh status filledWh }
  myTrades(communityId: $c, first: 50) { id intervalStart energyWh pricePerKwh deliveredWh status mySide settlement { status txHash } } }`;
const TRADE_UPDATES = `subscription { myTradeUpdates { id intervalStart energyWh pricePerKwh deliveredWh status mySide settlement { status txHash } } }`;
const READINGS = `query($m: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $r: ReadingResolution!) {
  meterReadings(meterId: $m, from: $from, to: $to, resolution: $r) { at importWh exportWh } }`;

const HOUR = 3600_000;
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * A prosumer's or buyer's market: the community's clearing price and volume per interval (chart and
 * table, a new clearing appearing live at gate closure), my orders and trades with their delivery and
 * settlement (live), and each of my sites' meters as production and consumption charts.
 */
export function Market({ api }: { api: Api }) {
  const [sites, setSites] = useState<Site[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .request<{ mySites: Site[] }>(SITES)
      .then((d) => setSites(d.mySites))
      .catch((e: ApiError) => setError(e.message));
  }, [api]);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!sites) return <p className="loading">Loading your sites…</p>;
  if (sites.length === 0) return <p>No sites yet: join a community and add your site.</p>;
  const communities = [...new Map(sites.map((s) => [s.community.id, s.community])).values()];
  return (
    <div className="market">
      {communities.map((c) => (
        <CommunityMarket
          key={c.id}
          api={api}
          community={c}
          sites={sites.filter(
            (s) => s.community.id === c.id && s.meters.some((m) => m.kind !== 'CONSUMPTION'),
          )}
        />
      ))}
      {sites.map((s) => (
        <SiteMeters key={s.id} api={api} site={s} />
      ))}
    </div>
  );
}

function CommunityMarket({
  api,
  community,
  sites,
}: {
  api: Api;
  community: Community;
  /** My sites here that produce (SELL orders name one). */
  sites: { id: string; name: string }[];
}) {
  const [clearings, setClearings] = useState<Clearing[] | null>(null);
  const [mine, setMine] = useState<{ myOrders: Order[]; myTrades: Trade[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadMine = useCallback(
    () =>
      api
        .request<{ myOrders: Order[]; myTrades: Trade[] }>(MINE, { c: community.id })
        .then(setMine)
        .catch((e: ApiError) => setError(e.message)),
    [api, community.id],
  );
  /** Why a cancel failed (gate closed meanwhile, say): shown by the orders, the rest stays. */
  const [cancelError, setCancelError] = useState<string | null>(null);
  const cancel = (id: string) =>
    void api
      .request('mutation($id: ID!) { cancelOrder(id: $id) { id } }', { id })
      .then(() => {
        setCancelError(null);
        return loadMine();
      })
      .catch((e: ApiError) => setCancelError(e.message));
  useEffect(() => {
    const to = new Date(Date.now() + HOUR).toISOString();
    const from = new Date(Date.now() - 6 * HOUR).toISOString();
    api
      .request<{ clearings: { edges: { node: Clearing }[] } }>(CLEARINGS, { c: community.id, from, to })
      .then((d) => setClearings(d.clearings.edges.map((e) => e.node)))
      .catch((e: ApiError) => setError(e.message));
    void loadMine();
    const stopCleared = api.subscribe<{ clearingPublished: Clearing }>(
      CLEARED,
      { c: community.id },
      ({ clearingPublished: c }) => {
        setClearings((all) => [...(all ?? []).filter((x) => x.intervalStart !== c.intervalStart), c]);
        // Orders fill and trades appear at a clearing.
        void loadMine();
      },
      (e) => setError(e.message),
    );
    const stopTrades = api.subscribe<{ myTradeUpdates: Trade }>(
      TRADE_UPDATES,
      {},
      ({ myTradeUpdates: t }) =>
        setMine((m) => m && { ...m, myTrades: [t, ...m.myTrades.filter((x) => x.id !== t.id)] }),
      () => {},
    );
    return () => {
      stopCleared();
      stopTrades();
    };
  }, [api, community.id, loadMine]);

  const sorted = useMemo(
    () => [...(clearings ?? [])].sort((a, b) => Date.parse(a.intervalStart) - Date.parse(b.intervalStart)),
    [clearings],
  );
  const x = useMemo(() => sorted.map((c) => seconds(c.intervalStart)), [sorted]);
  const series = useMemo(
    () => [
      { label: 'price (units/kWh)', colour: '#1565c0', values: sorted.map((c) => c.pricePerKwh) },
      {
        label: 'volume (Wh)',
        colour: '#ef6c00',
        values: sorted.map((c) => c.volumeWh),
        bars: true,
        scale: 'wh',
      },
    ],
    [sorted],
  );
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!clearings) return <p className="loading">Loading the market…</p>;
  const latest = sorted.at(-1);
  return (
    <section>
      <h2>
        {community.name} <small className="muted">{community.intervalMinutes}-minute intervals</small>
      </h2>
      <p data-testid="clearing-latest">
        {latest
          ? `Last clearing: ${time(latest.intervalStart)}, ${latest.pricePerKwh == null ? 'no match' : `${latest.pricePerKwh} per kWh`}, ${latest.volumeWh} Wh`
          : 'No clearing yet in the last 6 hours.'}
      </p>
      {sorted.length > 0 && <TimeChart x={x} series={series} testId="clearing-chart" />}
      <table className="sessions">
        <thead>
          <tr>
            <th>Interval</th>
            <th>Price</th>
            <th>Volume</th>
            <th>Trades</th>
          </tr>
        </thead>
        <tbody>
          {[...sorted]
            .reverse()
            .slice(0, 12)
            .map((c) => (
              <tr key={c.intervalStart} data-testid={`clearing-${c.intervalStart}`}>
                <td>{time(c.intervalStart)}</td>
                <td>{c.pricePerKwh ?? '—'}</td>
                <td>{c.volumeWh} Wh</td>
                <td>{c.tradeCount}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <h3>My orders</h3>
      <OrderForm api={api} community={community} sites={sites} placed={() => void loadMine()} />
      {cancelError && (
        <p className="error" role="alert">
          {cancelError}
        </p>
      )}
      {!mine ? (
        <p className="loading">Loading…</p>
      ) : mine.myOrders.length === 0 ? (
        <p>No orders.</p>
      ) : (
        <ul>
          {mine.myOrders.map((o) => (
            <li key={o.id} data-testid={`order-${o.id}`} data-status={o.status}>
              {time(o.intervalStart)} {o.side.toLowerCase()} {o.energyWh} Wh at {o.limitPricePerKwh}/kWh:{' '}
              {o.status.toLowerCase().replace('_', ' ')} ({o.filledWh} Wh filled)
              {o.status === 'OPEN' && (
                <>
                  {' '}
                  <button className="link" onClick={() => cancel(o.id)}>
                    cancel
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>My trades</h3>
      {mine && mine.myTrades.length === 0 ? (
        <p>No trades.</p>
      ) : (
        <ul>
          {mine?.myTrades.map((t) => (
            <li
              key={t.id}
              data-testid="trade"
              data-interval={t.intervalStart}
              data-status={t.status}
              data-settlement={t.settlement?.status ?? ''}
            >
              {time(t.intervalStart)} {t.mySide?.toLowerCase()} {t.energyWh} Wh at {t.pricePerKwh}/kWh —{' '}
              {t.status.toLowerCase().replace('_', ' ')}
              {t.deliveredWh != null && `, ${t.deliveredWh} Wh delivered`}
              {t.settlement && `, settlement ${t.settlement.status.toLowerCase()}`}
              {t.settlement?.txHash && <code> {t.settlement.txHash}</code>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const RESOLUTIONS = { INTERVAL: 6 * HOUR, HOUR: 2 * 24 * HOUR, DAY: 30 * 24 * HOUR } as const;

function SiteMeters({ api, site }: { api: Api; site: Site }) {
  const [resolution, setResolution] = useState<keyof typeof RESOLUTIONS>('INTERVAL');
  return (
    <section>
      <h2>
        {site.name} <small className="muted">{(site.pvCapacityWp / 1000).toFixed(1)} kWp</small>
      </h2>
      <label>
        Resolution{' '}
        <select
          value={resolution}
          onChange={(e) => setResolution(e.target.value as keyof typeof RESOLUTIONS)}
        >
          <option value="INTERVAL">market interval (6 h)</option>
          <option value="HOUR">hour (2 days)</option>
          <option value="DAY">day (30 days)</option>
        </select>
      </label>
      {site.meters.map((m) => (
        <MeterChart key={m.id} api={api} meter={m} resolution={resolution} />
      ))}
    </section>
  );
}

function MeterChart({
  api,
  meter,
  resolution,
}: {
  api: Api;
  meter: { id: string; kind: string; serial: string };
  resolution: keyof typeof RESOLUTIONS;
}) {
  const [points, setPoints] = useState<{ at: string; importWh: number; exportWh: number }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // New readings of the meter arrive live (meterReadingsReceived): the chart is read again on each.
  const [version, setVersion] = useState(0);
  useEffect(
    () =>
      api.subscribe(
        'subscription($m: ID!) { meterReadingsReceived(meterId: $m) { meterId accepted } }',
        { m: meter.id },
        () => setVersion((v) => v + 1),
        () => {},
      ),
    [api, meter.id],
  );
  useEffect(() => {
    if (version === 0) setPoints(null);
    const to = new Date().toISOString();
    const from = new Date(Date.now() - RESOLUTIONS[resolution]).toISOString();
    api
      .request<{ meterReadings: { at: string; importWh: number; exportWh: number }[] }>(READINGS, {
        m: meter.id,
        from,
        to,
        r: resolution,
      })
      .then((d) => setPoints(d.meterReadings))
      .catch((e: ApiError) => setError(e.message));
  }, [api, meter.id, resolution, version]);
  const x = useMemo(() => (points ?? []).map((p) => seconds(p.at)), [points]);
  const series = useMemo(
    () => [
      {
        label: 'production (Wh)',
        colour: '#2e7d32',
        values: (points ?? []).map((p) => p.exportWh),
        bars: true,
      },
      {
        label: 'consumption (Wh)',
        colour: '#c62828',
        values: (points ?? []).map((p) => p.importWh),
        bars: true,
      },
    ],
    [points],
  );
  return (
    <div>
      <h3>
        {meter.kind.toLowerCase()} meter <small className="muted">{meter.serial}</small>
      </h3>
      {error ? (
        <p className="error">{error}</p>
      ) : !points ? (
        <p className="loading">Loading readings…</p>
      ) : points.length === 0 ? (
        <p>No readings in this period.</p>
      ) : (
        <TimeChart x={x} series={series} height={180} testId={`readings-${meter.id}`} />
      )}
    </div>
  );
}
