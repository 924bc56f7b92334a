import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api, ApiError } from './api.js';
import { Alerts, type Fault } from './alerts.js';
import { Commands } from './commands.js';
import { Maintenance } from './maintenance.js';
import { StationMap, type MapStation } from './station-map.js';

interface Connector {
  evseId: number;
  connectorId: number;
  status: string;
}
interface Charger {
  id: string;
  identity: string;
  status: string;
  statusAt: string | null;
  connectors: Connector[];
}
interface Station extends MapStation {
  address: string;
  chargers: Charger[];
}
interface Session {
  id: string;
  status: string;
  energyWh: number;
  cost: string | null;
  /** `cost` once completed; while active, what it would cost if it stopped now (an estimate). */
  costSoFar: string;
  currency: string;
  startedAt: string;
  stoppedAt: string | null;
  charger: { id: string; identity: string };
  settlement: { status: string; txHash: string | null } | null;
}

const STATIONS = `{ me { stations(first: 100) { edges { node { id name address location { lat lng }
  chargers { id identity status statusAt connectors { evseId connectorId status } } } } } }
  settlementConfig { chainId } }`;
const STATUS_CHANGED = `subscription($s: ID!) { chargerStatusChanged(stationId: $s) {
  chargerId evseId connectorId status at charger { id status statusAt } } }`;
const SESSIONS = `{ sessions(first: 25) { edges { node { id status energyWh cost costSoFar currency startedAt stoppedAt
  charger { id identity } settlement { status txHash } } } } }`;
const SESSION_UPDATED = `subscription($id: ID!) { sessionUpdated(sessionId: $id) { kind session {
  id status energyWh cost costSoFar currency startedAt stoppedAt charger { id identity } settlement { status txHash } } } }`;

/** Block explorers of the networks that have one (transaction links). */
const EXPLORER: Record<number, string> = {
  137: 'https://polygonscan.com/tx/',
  80002: 'https://amoy.polygonscan.com/tx/',
};

/**
 * An operator's stations on a map and in a list, each charger's status changing live
 * (`chargerStatusChanged`), its sessions with energy and cost updating live (`sessionUpdated`), remote
 * stop with the charger's answer, and each finished session's settlement transaction.
 */
export function Operator({ api }: { api: Api }) {
  const [stations, setStations] = useState<Station[] | null>(null);
  const [chainId, setChainId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<'connecting' | 'live' | string>('connecting');
  /** The charger whose maintenance windows, or whose commands, are open. */
  const [opened, setOpened] = useState<{ chargerId: string; panel: 'maintenance' | 'commands' } | null>(null);
  const toggle = (chargerId: string, panel: 'maintenance' | 'commands') =>
    setOpened((o) => (o?.chargerId === chargerId && o.panel === panel ? null : { chargerId, panel }));

  useEffect(() => {
    api
      .request<{
        me: { stations: { edges: { node: Station }[] } };
        settlementConfig: { chainId: number } | null;
      }>(STATIONS)
      .then((d) => {
        setStations(d.me.stations.edges.map((e) => e.node));
        setChainId(d.settlementConfig?.chainId ?? null);
      })
      .catch((e: ApiError) => setError(e.message));
  }, [api]);

  const stationIds = useMemo(() => stations?.map((s) => s.id).join(',') ?? '', [stations]);
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const bump = useCallback(() => setSessionsVersion((v) => v + 1), []);
  useEffect(() => {
    if (!stationIds) return;
    const stops = stationIds.split(',').map((id) =>
      api.subscribe<{
        chargerStatusChanged: {
          chargerId: string;
          evseId: number;
          connectorId: number;
          status: string;
          charger: { id: string; status: string; statusAt: string | null };
        };
      }>(
        STATUS_CHANGED,
        { s: id },
        ({ chargerStatusChanged: e }) => {
          setLive('live');
          setStations((all) =>
            all!.map((s) => ({
              ...s,
              chargers: s.chargers.map((c) =>
                c.id !== e.chargerId
                  ? c
                  : {
                      ...c,
                      status: e.charger.status,
                      statusAt: e.charger.statusAt,
                      connectors: c.connectors.map((k) =>
                        k.evseId === e.evseId && k.connectorId === e.connectorId
                          ? { ...k, status: e.status }
                          : k,
                      ),
                    },
              ),
            })),
          );
          // A status change often means a session began or ended.
          setSessionsVersion((v) => v + 1);
        },
        (err) => setLive(err.message),
      ),
    );
    setLive('live');
    return () => stops.forEach((stop) => stop());
  }, [api, stationIds]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!stations) return <p className="loading">Loading your stations…</p>;
  const chargers = stations.flatMap((s) =>
    s.chargers.map((c) => ({ ...c, station: s, shown: shownStatus(c) })),
  );
  return (
    <div className="operator">
      <section>
        <h2>
          Stations{' '}
          <small className={live === 'live' ? 'live' : 'offline'}>{live === 'live' ? '● live' : live}</small>
        </h2>
        {stations.length === 0 ? (
          <p>No stations yet.</p>
        ) : (
          <StationMap
            stations={stations}
            markers={chargers.map((c) => ({
              id: c.id,
              stationId: c.station.id,
              label: c.identity,
              status: c.shown,
            }))}
          />
        )}
        <ul className="stations">
          {stations.map((s) => (
            <li key={s.id}>
              <strong>{s.name}</strong> <span className="muted">{s.address}</span>
              <ul>
                {s.chargers.map((c) => (
                  <li key={c.id} data-testid={`charger-${c.identity}`} data-status={c.status}>
                    {c.identity} <Badge status={c.status} />
                    <button className="link" onClick={() => toggle(c.id, 'commands')}>
                      commands
                    </button>
                    <button className="link" onClick={() => toggle(c.id, 'maintenance')}>
                      maintenance
                    </button>
                    {c.connectors.map((k) => (
                      <span key={`${k.evseId}/${k.connectorId}`} className="connector">
                        EVSE {k.evseId}: <Badge status={k.status} />
                      </span>
                    ))}
                    {opened?.chargerId === c.id && opened.panel === 'commands' && (
                      <Commands
                        api={api}
                        chargerId={c.id}
                        identity={c.identity}
                        evses={[...new Set(c.connectors.map((k) => k.evseId))].sort((a, b) => a - b)}
                      />
                    )}
                    {opened?.chargerId === c.id && opened.panel === 'maintenance' && (
                      <Maintenance api={api} chargerId={c.id} identity={c.identity} />
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>
      <Alerts
        api={api}
        stationIds={stations.map((s) => s.id)}
        identities={Object.fromEntries(chargers.map((c) => [c.id, c.identity]))}
        faults={faultsOf(stations)}
        version={sessionsVersion}
      />
      <Sessions
        api={api}
        chainId={chainId}
        version={sessionsVersion}
        statusChanged={bump}
        inUse={chargers
          .filter((c) => c.connectors.some((k) => CHARGING.includes(k.status)))
          .map((c) => c.id)
          .join(',')}
      />
    </div>
  );
}

function Sessions({
  api,
  chainId,
  version,
  statusChanged,
  inUse,
}: {
  api: Api;
  chainId: number | null;
  version: number;
  /** Ids of the chargers whose connectors say a vehicle is charging, comma-separated. */
  inUse: string;
  /** A followed session changed status (e.g. stopped DISPUTED): the alerts read again. */
  statusChanged: () => void;
}) {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  /** Each listed session's status as last seen, to tell a change of status from other updates. */
  const statuses = useRef(new Map<string, string>());
  const load = useCallback(
    () =>
      api
        .request<{ sessions: { edges: { node: Session }[] } }>(SESSIONS)
        .then((d) => {
          const list = d.sessions.edges.map((e) => e.node);
          statuses.current = new Map(list.map((s) => [s.id, s.status]));
          setSessions(list);
        })
        .catch((e: ApiError) => setError(e.message)),
    [api],
  );
  useEffect(() => void load(), [load, version]);

  // A charger reports Charging as soon as it has sent StartTransaction, and may do so before the
  // platform has recorded the session: while a charger in use has no active session listed, read
  // again (after 0.5, 1, 2, 4 s…, ten times at most).
  const missing = inUse
    .split(',')
    .filter((id) => id && sessions && !sessions.some((x) => x.status === 'ACTIVE' && x.charger.id === id))
    .join(',');
  const retries = useRef(0);
  useEffect(() => {
    if (!missing) {
      retries.current = 0;
      return;
    }
    if (retries.current >= 10) return;
    const timer = setTimeout(() => void load(), 500 * 2 ** Math.min(retries.current++, 4));
    return () => clearTimeout(timer);
  }, [missing, sessions, load]);

  // Sessions in progress, and finished ones until settled, follow their updates live.
  const followed = sessions
    ?.filter(
      (s) => s.status === 'ACTIVE' || (s.settlement && s.settlement.status !== 'CONFIRMED') || !s.settlement,
    )
    .slice(0, 20)
    .map((s) => s.id)
    .join(',');
  useEffect(() => {
    if (!followed) return;
    const stops = followed.split(',').map((id) =>
      api.subscribe<{ sessionUpdated: { session: Session | null } }>(
        SESSION_UPDATED,
        { id },
        ({ sessionUpdated: { session } }) => {
          if (!session) return;
          setSessions((all) => all!.map((s) => (s.id === session.id ? session : s)));
          if (statuses.current.get(session.id) !== session.status) statusChanged();
          statuses.current.set(session.id, session.status);
        },
        () => {},
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [api, followed, statusChanged]);

  const stop = async (s: Session) => {
    setAnswer(`Asking ${s.charger.identity} to stop…`);
    try {
      await api.request('mutation($id: ID!) { stopCharging(sessionId: $id) { id } }', { id: s.id });
      setAnswer(`${s.charger.identity} accepted the stop`);
    } catch (e) {
      setAnswer(`${s.charger.identity} did not stop: ${(e as Error).message}`);
    }
  };

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!sessions) return <p className="loading">Loading sessions…</p>;
  return (
    <section>
      <h2>Sessions</h2>
      {answer && (
        <p className="answer" data-testid="command-answer" role="status">
          {answer}
        </p>
      )}
      {sessions.length === 0 ? (
        <p>No sessions yet.</p>
      ) : (
        <table className="sessions">
          <thead>
            <tr>
              <th>Charger</th>
              <th>Started</th>
              <th>Status</th>
              <th>Energy</th>
              <th>Cost</th>
              <th>Settlement</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-testid={`session-${s.id}`} data-status={s.status}>
                <td>{s.charger.identity}</td>
                <td>{new Date(s.startedAt).toLocaleString()}</td>
                <td>{s.status.toLowerCase()}</td>
                <td>{(s.energyWh / 1000).toFixed(2)} kWh</td>
                <td className="cost">
                  {s.cost != null ? `${s.cost} ${s.currency}` : `${s.costSoFar} ${s.currency} so far`}
                </td>
                <td className="tx">
                  {!s.settlement ? (
                    '—'
                  ) : s.settlement.txHash ? (
                    chainId && EXPLORER[chainId] ? (
                      <a href={`${EXPLORER[chainId]}${s.settlement.txHash}`} rel="noreferrer" target="_blank">
                        {s.settlement.txHash}
                      </a>
                    ) : (
                      <code>{s.settlement.txHash}</code>
                    )
                  ) : (
                    s.settlement.status.toLowerCase()
                  )}
                </td>
                <td>{s.status === 'ACTIVE' && <button onClick={() => void stop(s)}>Stop</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Connector statuses that mean a transaction is running. */
const CHARGING = ['CHARGING', 'SUSPENDED_EV', 'SUSPENDED_EVSE'];

/** Most telling first: a charger's marker shows the first of these its charger or connectors has. */
const PRECEDENCE = [
  'FAULTED',
  'UNAVAILABLE',
  'CHARGING',
  'SUSPENDED_EV',
  'SUSPENDED_EVSE',
  'PREPARING',
  'FINISHING',
  'OCCUPIED',
  'RESERVED',
  'AVAILABLE',
];

/**
 * What a charger's marker shows: the charger's own status when it is out of order as a whole
 * (connector 0), else the most telling of its connectors' (one charging makes it CHARGING).
 */
function shownStatus(c: Charger): string {
  if (c.status === 'FAULTED' || c.status === 'UNAVAILABLE') return c.status;
  const all = c.connectors.map((k) => k.status);
  return PRECEDENCE.find((s) => all.includes(s)) ?? c.status;
}

/** Chargers and connectors out of order or out of service now. */
function faultsOf(stations: Station[]): Fault[] {
  const down = (status: string) => status === 'FAULTED' || status === 'UNAVAILABLE';
  return stations.flatMap((s) =>
    s.chargers.flatMap((c) =>
      down(c.status)
        ? [{ key: c.id, identity: c.identity, where: `(whole charger, ${s.name})`, status: c.status }]
        : c.connectors
            .filter((k) => down(k.status))
            .map((k) => ({
              key: `${c.id}/${k.evseId}/${k.connectorId}`,
              identity: c.identity,
              where: `EVSE ${k.evseId} connector ${k.connectorId} (${s.name})`,
              status: k.status,
            })),
    ),
  );
}

export function Badge({ status }: { status: string }) {
  return <span className={`badge ${status.toLowerCase()}`}>{status.replace('_', ' ').toLowerCase()}</span>;
}
