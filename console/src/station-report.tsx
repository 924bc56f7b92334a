import { useEffect, useMemo, useState } from 'react';
import type { Api, ApiError } from './api.js';
import { dayX, percent, percentSeries, TimeChart } from './chart.js';

interface Port {
  chargerId: string;
  evseId: number;
  connectorId: number;
  uptime: number | null;
  utilisation: number | null;
  downtimeMinutes: number;
  excludedDowntimeMinutes: number;
  meetsTarget: boolean;
}
interface Report {
  timezone: string;
  uptimeTarget: number;
  station: { name: string; chargers: { id: string; identity: string }[] };
  ports: Port[];
  buckets: {
    period: string;
    sessions: number;
    energyWh: number;
    uptime: number | null;
    faults: { errorCode: string; count: number }[];
  }[];
}

const REPORT = `query($s: ID!, $from: String!, $to: String!) {
  stationReport(stationId: $s, from: $from, to: $to, granularity: DAY) {
    timezone uptimeTarget station { name chargers { id identity } }
    ports { chargerId evseId connectorId uptime utilisation downtimeMinutes excludedDowntimeMinutes meetsTarget }
    buckets { period sessions energyWh uptime faults { errorCode count } } } }`;

/**
 * One station over the same days as the operator's report: uptime by day, each port (connector)
 * with its uptime, utilisation and downtime (and how much of it is excluded: outages the operator
 * recorded, maintenance windows), and the faults its chargers reported, by error code.
 */
export function StationReport({
  api,
  stationId,
  from,
  to,
}: {
  api: Api;
  stationId: string;
  from: string;
  to: string;
}) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setReport(null);
    api
      .request<{ stationReport: Report }>(REPORT, { s: stationId, from, to })
      .then((d) => setReport(d.stationReport))
      .catch((e: ApiError) => setError(e.message));
  }, [api, stationId, from, to]);
  const x = useMemo(() => (report?.buckets ?? []).map((b) => dayX(b.period)), [report]);
  const series = useMemo(
    () => [
      percentSeries(
        'uptime (%)',
        '#2e7d32',
        (report?.buckets ?? []).map((b) => b.uptime),
      ),
    ],
    [report],
  );
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!report) return <p className="loading">Loading the station’s report…</p>;
  const identity = Object.fromEntries(report.station.chargers.map((c) => [c.id, c.identity]));
  const faults = new Map<string, number>();
  for (const b of report.buckets)
    for (const f of b.faults) faults.set(f.errorCode, (faults.get(f.errorCode) ?? 0) + f.count);
  return (
    <div data-testid="station-report">
      <h3>
        {report.station.name} <small className="muted">days in {report.timezone}</small>
      </h3>
      <TimeChart x={x} series={series} height={140} testId="station-report-uptime" />
      <table className="sessions">
        <thead>
          <tr>
            <th>Port</th>
            <th>Uptime</th>
            <th>Utilisation</th>
            <th>Down (excluded)</th>
            <th>{(report.uptimeTarget * 100).toFixed(0)} %</th>
          </tr>
        </thead>
        <tbody>
          {report.ports.map((p) => (
            <tr key={`${p.chargerId}/${p.evseId}/${p.connectorId}`} data-testid="port">
              <td>
                {identity[p.chargerId] ?? p.chargerId} EVSE {p.evseId}/{p.connectorId}
              </td>
              <td>{percent(p.uptime)}</td>
              <td>{percent(p.utilisation)}</td>
              <td>
                {p.downtimeMinutes.toFixed(0)} min ({p.excludedDowntimeMinutes.toFixed(0)})
              </td>
              <td>{p.uptime == null ? '—' : p.meetsTarget ? 'met' : 'missed'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="station-faults">
        Faults:{' '}
        {faults.size === 0 ? 'none reported' : [...faults].map(([code, n]) => `${code} × ${n}`).join(', ')}
      </p>
    </div>
  );
}
