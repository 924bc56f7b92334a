import { useCallback, useEffect, useState } from 'react';
import type { Api, ApiError } from './api.js';

interface Alert {
  id: string;
  chargerId: string;
  kind: string;
  evseId: number | null;
  errorCode: string | null;
  message: string;
  at: string;
}
interface Disputed {
  id: string;
  energyWh: number;
  cost: string | null;
  currency: string;
  startedAt: string;
  stoppedAt: string | null;
  disputeReason: string | null;
  charger: { identity: string };
}
/** A charger or connector out of order now, from the live statuses the operator view keeps. */
export interface Fault {
  key: string;
  identity: string;
  where: string;
  status: string;
}

const ALERT_FIELDS = 'id chargerId kind evseId errorCode message at';
/**
 * The three newest unacknowledged alerts of each charger (acknowledging one brings the next): more
 * would put the query over the API's cost limit for an operator with 100 stations. `n` is the number
 * of stations the view shows, written into the query (a variable is priced at its most, 100) so that
 * it costs what those stations need.
 */
const openAlerts = (
  n: number,
) => `{ me { stations(first: ${n}) { edges { node { chargers { alerts(first: 3, unacknowledged: true) {
  ${ALERT_FIELDS} } } } } } }
  sessions(first: 50, filter: { status: DISPUTED }) { edges { node {
    id energyWh cost currency startedAt stoppedAt disputeReason charger { identity } } } } }`;
const RAISED = `subscription($s: ID!) { chargerAlertRaised(stationId: $s) { ${ALERT_FIELDS} } }`;
const ACKNOWLEDGE = `mutation($id: ID!) { acknowledgeChargerAlert(id: $id) { id } }`;
const RESOLVE = `mutation($id: ID!, $settle: Boolean!) { resolveSessionDispute(sessionId: $id, settle: $settle) { id } }`;

/**
 * What needs the operator: chargers and connectors faulted or out of service now (live), the chargers'
 * alerts nobody acknowledged (new ones arrive live over `chargerAlertRaised`), and disputed sessions
 * (more energy than the EVSE can deliver in the time) to settle as metered or write off.
 */
export function Alerts({
  api,
  stationIds,
  identities,
  faults,
  version,
}: {
  api: Api;
  /** Bumped on every status change: a session may have ended disputed; read again. */
  version: number;
  stationIds: string[];
  /** Charger id → OCPP identity, to name the charger of an alert. */
  identities: Record<string, string>;
  faults: Fault[];
}) {
  const stationCount = stationIds.length;
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [disputed, setDisputed] = useState<Disputed[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api
        .request<{
          me: { stations: { edges: { node: { chargers: { alerts: Alert[] }[] } }[] } };
          sessions: { edges: { node: Disputed }[] };
        }>(openAlerts(Math.max(1, stationCount)))
        .then((d) => {
          setAlerts(
            d.me.stations.edges
              .flatMap((e) => e.node.chargers.flatMap((c) => c.alerts))
              .sort((a, b) => b.at.localeCompare(a.at)),
          );
          setDisputed(d.sessions.edges.map((e) => e.node));
        })
        .catch((e: ApiError) => setError(e.message)),
    [api, stationCount],
  );
  useEffect(() => void load(), [load, version]);

  const stations = stationIds.join(',');
  useEffect(() => {
    if (!stations) return;
    const stops = stations.split(',').map((s) =>
      api.subscribe<{ chargerAlertRaised: Alert }>(
        RAISED,
        { s },
        ({ chargerAlertRaised: a }) => setAlerts((all) => [a, ...(all ?? []).filter((x) => x.id !== a.id)]),
        () => {},
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [api, stations]);

  const act = async (query: string, variables: Record<string, unknown>) => {
    setError(null);
    try {
      await api.request(query, variables);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const count = faults.length + (alerts?.length ?? 0) + (disputed?.length ?? 0);
  return (
    <section data-testid="alerts">
      <h2>
        Alerts {alerts && disputed && <small className={count ? 'offline' : 'live'}>{count || 'none'}</small>}
      </h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {faults.length > 0 && (
        <ul>
          {faults.map((f) => (
            <li key={f.key} data-testid="fault">
              <span className={`badge ${f.status.toLowerCase()}`}>{f.status.toLowerCase()}</span> {f.identity}{' '}
              {f.where}
            </li>
          ))}
        </ul>
      )}
      {!alerts || !disputed ? (
        <p className="loading">Loading alerts…</p>
      ) : (
        <>
          {alerts.length > 0 && (
            <ul>
              {alerts.map((a) => (
                <li key={a.id} data-testid="charger-alert" data-kind={a.kind}>
                  <strong>{identities[a.chargerId] ?? a.chargerId}</strong>
                  {a.evseId != null && ` EVSE ${a.evseId}`}: {a.message}
                  {a.errorCode && !a.message.includes(a.errorCode) && <code> {a.errorCode}</code>}{' '}
                  <small className="muted">{new Date(a.at).toLocaleString()}</small>{' '}
                  <button className="link" onClick={() => void act(ACKNOWLEDGE, { id: a.id })}>
                    acknowledge
                  </button>
                </li>
              ))}
            </ul>
          )}
          {disputed.length > 0 && (
            <>
              <h3>Disputed sessions</h3>
              <ul>
                {disputed.map((s) => (
                  <li key={s.id} data-testid={`disputed-${s.id}`}>
                    {s.charger.identity}: {(s.energyWh / 1000).toFixed(2)} kWh,{' '}
                    {new Date(s.startedAt).toLocaleString()} –{' '}
                    {s.stoppedAt ? new Date(s.stoppedAt).toLocaleTimeString() : '…'}
                    {s.cost && ` (${s.cost} ${s.currency})`}
                    {s.disputeReason && <small className="muted"> — {s.disputeReason}</small>}{' '}
                    <button onClick={() => void act(RESOLVE, { id: s.id, settle: true })}>
                      Settle as metered
                    </button>{' '}
                    <button onClick={() => void act(RESOLVE, { id: s.id, settle: false })}>Write off</button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {count === 0 && <p>Nothing needs you.</p>}
        </>
      )}
    </section>
  );
}
