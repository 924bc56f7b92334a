import { useCallback, useEffect, useState } from 'react';
import type { Api, ApiError } from './api.js';

interface Window {
  id: string;
  evseId: number | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  status: string;
  startOutcome: string | null;
  endOutcome: string | null;
}

const WINDOWS = `query($id: ID!) { charger(id: $id) { maintenanceWindows {
  id evseId startsAt endsAt reason status startOutcome endOutcome } } }`;
const SCHEDULE = `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!, $r: String!, $evse: Int) {
  scheduleMaintenance(chargerId: $c, startsAt: $s, endsAt: $e, reason: $r, evseId: $evse) { id } }`;
const CANCEL = `mutation($id: ID!) { cancelMaintenance(id: $id) { id } }`;

const localInput = (d: Date) =>
  new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * A charger's maintenance windows (planned downtime: Inoperative at the start, Operative at the end)
 * with the charger's answers, scheduling a new one and cancelling or ending one. Read again every few
 * seconds while one is scheduled or running, to show the charger's answers as they come.
 */
export function Maintenance({ api, chargerId, identity }: { api: Api; chargerId: string; identity: string }) {
  const [windows, setWindows] = useState<Window[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState(() => ({
    startsAt: localInput(new Date()),
    endsAt: localInput(new Date(Date.now() + 3600_000)),
    reason: '',
    evseId: '',
  }));
  const load = useCallback(
    () =>
      api
        .request<{ charger: { maintenanceWindows: Window[] } }>(WINDOWS, { id: chargerId })
        .then((d) => setWindows(d.charger.maintenanceWindows))
        .catch((e: ApiError) => setError(e.message)),
    [api, chargerId],
  );
  useEffect(() => void load(), [load]);
  const pending = windows?.some((w) => w.status === 'SCHEDULED' || w.status === 'ACTIVE');
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [pending, load]);

  const schedule = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.request(SCHEDULE, {
        c: chargerId,
        s: new Date(form.startsAt).toISOString(),
        e: new Date(form.endsAt).toISOString(),
        r: form.reason,
        evse: form.evseId ? Number(form.evseId) : null,
      });
      setForm((f) => ({ ...f, reason: '' }));
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const cancel = async (id: string) => {
    try {
      await api.request(CANCEL, { id });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="maintenance" data-testid={`maintenance-${identity}`}>
      <h3>Maintenance of {identity}</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!windows ? (
        <p className="loading">Loading…</p>
      ) : windows.length === 0 ? (
        <p>No maintenance windows.</p>
      ) : (
        <ul>
          {windows.map((w) => (
            <li key={w.id} data-testid="maintenance-window" data-status={w.status}>
              {new Date(w.startsAt).toLocaleString()} – {new Date(w.endsAt).toLocaleString()}
              {w.evseId ? ` (EVSE ${w.evseId})` : ' (whole charger)'}: {w.reason} — {w.status.toLowerCase()}
              {w.startOutcome && `; Inoperative: ${w.startOutcome}`}
              {w.endOutcome && `; Operative: ${w.endOutcome}`}{' '}
              {(w.status === 'SCHEDULED' || w.status === 'ACTIVE') && (
                <button onClick={() => void cancel(w.id)}>
                  {w.status === 'ACTIVE' ? 'End now' : 'Cancel'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="inline" onSubmit={schedule}>
        <label>
          From{' '}
          <input
            type="datetime-local"
            name="startsAt"
            value={form.startsAt}
            onChange={(e) => setForm({ ...form, startsAt: e.target.value })}
            required
          />
        </label>
        <label>
          to{' '}
          <input
            type="datetime-local"
            name="endsAt"
            value={form.endsAt}
            onChange={(e) => setForm({ ...form, endsAt: e.target.value })}
            required
          />
        </label>
        <label>
          EVSE{' '}
          <input
            name="evseId"
            type="number"
            min={1}
            placeholder="all"
            value={form.evseId}
            onChange={(e) => setForm({ ...form, evseId: e.target.value })}
          />
        </label>
        <input
          name="reason"
          placeholder="reason"
          value={form.reason}
          onChange={(e) => setForm({ ...form, reason: e.target.value })}
          required
        />
        <button type="submit">Schedule</button>
      </form>
    </div>
  );
}
