import { useEffect, useMemo, useState } from 'react';
import type { Api, ApiError } from './api.js';
import { dayX, percent, percentSeries, TimeChart } from './chart.js';
import { StationReport } from './station-report.js';

interface Bucket {
  period: string;
  sessions: number;
  energyWh: number;
  revenue: { currency: string; amount: string }[];
  uptime: number | null;
  utilisation: number | null;
}
interface Report {
  rolledUpTo: string | null;
  uptimeTarget: number;
  buckets: Bucket[];
  stations: {
    station: { id: string; name: string };
    uptime: number | null;
    utilisation: number | null;
    meetsTarget: boolean;
  }[];
}
interface Invoice {
  id: string;
  number: string;
  kind: string;
  period: string;
  total: string;
  currency: string;
  issuedAt: string;
}

const REPORT = `query($from: String!, $to: String!) { operatorReport(from: $from, to: $to, granularity: DAY) {
  rolledUpTo uptimeTarget buckets { period sessions energyWh revenue { currency amount } uptime utilisation }
  stations { station { id name } uptime utilisation meetsTarget } } }`;
const INVOICES = `{ invoices(first: 24) { edges { node { id number kind period total currency issuedAt } } } }`;
const DOWNLOAD = `mutation($id: ID!) { downloadInvoice(id: $id) { url filename } }`;

const localDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * An operator's last 30 days by local day (operatorReport, from the rollups): sessions and energy as
 * bars, uptime and utilisation as lines, each station's uptime against the 97 % target; and the
 * invoices issued and received, each downloadable as PDF.
 */
export function Reports({ api }: { api: Api }) {
  const [report, setReport] = useState<Report | null>(null);
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The station whose own report is open. */
  const [station, setStation] = useState<string | null>(null);
  // The last 30 days, today included. Days are the stations' local days, which may be a day ahead of
  // the browser's (a station east of it, after its midnight): the range ends the day after tomorrow
  // in the browser's dates, so the stations' today is always in it (an empty day at the end, at most).
  const [range] = useState(() => ({
    from: localDay(new Date(Date.now() - 29 * 24 * 3600_000)),
    to: localDay(new Date(Date.now() + 2 * 24 * 3600_000)),
  }));
  useEffect(() => {
    api
      .request<{ operatorReport: Report }>(REPORT, range)
      .then((d) => setReport(d.operatorReport))
      .catch((e: ApiError) => setError(e.message));
    api
      .request<{ invoices: { edges: { node: Invoice }[] } }>(INVOICES)
      .then((d) => setInvoices(d.invoices.edges.map((e) => e.node)))
      .catch((e: ApiError) => setError(e.message));
  }, [api, range]);
  const x = useMemo(() => (report?.buckets ?? []).map((b) => dayX(b.period)), [report]);
  const activity = useMemo(
    () => [
      {
        label: 'sessions',
        colour: '#1565c0',
        values: (report?.buckets ?? []).map((b) => b.sessions),
        bars: true,
      },
      {
        label: 'energy (kWh)',
        colour: '#ef6c00',
        values: (report?.buckets ?? []).map((b) => b.energyWh / 1000),
        scale: 'kwh',
      },
    ],
    [report],
  );
  const health = useMemo(
    () => [
      percentSeries(
        'uptime (%)',
        '#2e7d32',
        (report?.buckets ?? []).map((b) => b.uptime),
      ),
      percentSeries(
        'utilisation (%)',
        '#6a1b9a',
        (report?.buckets ?? []).map((b) => b.utilisation),
      ),
    ],
    [report],
  );
  // A download link lives 5 minutes: asked for when wanted, then offered as a link.
  const [links, setLinks] = useState<Record<string, { url: string; filename: string }>>({});
  const download = async (i: Invoice) => {
    try {
      const { downloadInvoice } = await api.request<{ downloadInvoice: { url: string; filename: string } }>(
        DOWNLOAD,
        { id: i.id },
      );
      setLinks((l) => ({ ...l, [i.id]: downloadInvoice }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!report || !invoices) return <p className="loading">Loading reports…</p>;
  const total = report.buckets.reduce((n, b) => n + b.sessions, 0);
  return (
    <div className="operator">
      <section data-testid="report">
        <h2>
          Last 30 days{' '}
          <small className="muted">
            {report.rolledUpTo
              ? `figures up to ${new Date(report.rolledUpTo).toLocaleString()}`
              : 'not rolled up yet'}
          </small>
        </h2>
        <p data-testid="report-total">
          {total} session(s), {(report.buckets.reduce((n, b) => n + b.energyWh, 0) / 1000).toFixed(1)} kWh
        </p>
        <TimeChart x={x} series={activity} testId="report-activity" />
        <TimeChart x={x} series={health} height={160} testId="report-health" />
        <table className="sessions">
          <thead>
            <tr>
              <th>Station</th>
              <th>Uptime</th>
              <th>Utilisation</th>
              <th>{(report.uptimeTarget * 100).toFixed(0)} % target</th>
            </tr>
          </thead>
          <tbody>
            {report.stations.map((s) => (
              <tr key={s.station.id}>
                <td>
                  <button
                    className="link"
                    onClick={() => setStation(station === s.station.id ? null : s.station.id)}
                  >
                    {s.station.name}
                  </button>
                </td>
                <td>{percent(s.uptime)}</td>
                <td>{percent(s.utilisation)}</td>
                <td>{s.uptime == null ? '—' : s.meetsTarget ? 'met' : 'missed'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {station && <StationReport api={api} stationId={station} from={range.from} to={range.to} />}
      </section>
      <section>
        <h2>Invoices</h2>
        {invoices.length === 0 ? (
          <p>No invoices yet.</p>
        ) : (
          <ul>
            {invoices.map((i) => (
              <li key={i.id} data-testid={`invoice-${i.number}`}>
                {i.number} · {i.kind.toLowerCase().replace('_', ' ')} · {i.period} · {i.total} {i.currency}{' '}
                {links[i.id] ? (
                  <a href={links[i.id]!.url} download={links[i.id]!.filename} data-testid="invoice-link">
                    {links[i.id]!.filename}
                  </a>
                ) : (
                  <button onClick={() => void download(i)}>PDF</button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
