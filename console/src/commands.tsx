import { useState } from 'react';
import type { Api } from './api.js';

interface Props {
  api: Api;
  chargerId: string;
  identity: string;
  /** The charger's EVSE numbers (from its connectors). */
  evses: number[];
}

/** One answer of the charger, newest first in the panel. */
interface Answer {
  command: string;
  text: string;
  ok: boolean;
}

const START = `mutation($c: ID!, $e: Int!, $t: String!) { startCharging(chargerId: $c, evseId: $e, idToken: $t) { status } }`;
const RESET = `mutation($c: ID!, $t: ResetType!) { resetCharger(chargerId: $c, type: $t) { status } }`;
const UNLOCK = `mutation($c: ID!, $e: Int!) { unlockConnector(chargerId: $c, evseId: $e) { status } }`;
const AVAILABILITY = `mutation($c: ID!, $e: Int, $o: Boolean!) {
  changeAvailability(chargerId: $c, evseId: $e, operative: $o) { status } }`;

type CommandResult = Record<string, { status: string }>;
/** Answers that mean the charger does (or will do, once its sessions end) what it was asked. */
const DONE = ['Accepted', 'Scheduled', 'Unlocked'];

/**
 * Remote commands to one charger — start for an id token, reset, unlock, availability of an EVSE or
 * of the whole charger — each with the charger's answer as it gave it (Accepted, Rejected, Scheduled…)
 * or why it was not sent (offline, no answer in time, refused by the platform).
 */
export function Commands({ api, chargerId, identity, evses }: Props) {
  const [evse, setEvse] = useState(evses[0] ?? 1);
  const [idToken, setIdToken] = useState('');
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [busy, setBusy] = useState(false);

  const send = async (command: string, query: string, variables: Record<string, unknown>) => {
    setBusy(true);
    try {
      const data = await api.request<CommandResult>(query, { c: chargerId, ...variables });
      const { status } = Object.values(data)[0]!;
      setAnswers((a) => [{ command, text: `${identity}: ${status}`, ok: DONE.includes(status) }, ...a]);
    } catch (e) {
      setAnswers((a) => [{ command, text: `not done: ${(e as Error).message}`, ok: false }, ...a]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="commands" data-testid={`commands-${identity}`}>
      <h3>Commands to {identity}</h3>
      <label>
        EVSE{' '}
        <select name="evse" value={evse} onChange={(e) => setEvse(Number(e.target.value))}>
          {evses.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void send(`Start on EVSE ${evse}`, START, { e: evse, t: idToken.trim() });
        }}
      >
        <input
          name="idToken"
          placeholder="id token"
          value={idToken}
          onChange={(e) => setIdToken(e.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          Start
        </button>
      </form>
      <div className="buttons">
        <button disabled={busy} onClick={() => void send(`Unlock EVSE ${evse}`, UNLOCK, { e: evse })}>
          Unlock
        </button>
        <button
          disabled={busy}
          onClick={() => void send(`EVSE ${evse} inoperative`, AVAILABILITY, { e: evse, o: false })}
        >
          EVSE out of service
        </button>
        <button
          disabled={busy}
          onClick={() => void send(`EVSE ${evse} operative`, AVAILABILITY, { e: evse, o: true })}
        >
          EVSE in service
        </button>
        <button
          disabled={busy}
          onClick={() => void send('Charger inoperative', AVAILABILITY, { e: null, o: false })}
        >
          Charger out of service
        </button>
        <button
          disabled={busy}
          onClick={() => void send('Charger operative', AVAILABILITY, { e: null, o: true })}
        >
          Charger in service
        </button>
        <button disabled={busy} onClick={() => void send('Soft reset', RESET, { t: 'SOFT' })}>
          Soft reset
        </button>
        <button
          disabled={busy}
          onClick={() =>
            confirm(`Reboot ${identity} now? Sessions in progress end.`) &&
            void send('Hard reset', RESET, { t: 'HARD' })
          }
        >
          Hard reset
        </button>
      </div>
      {answers.length > 0 && (
        <ol className="answers" role="status">
          {answers.map((a, i) => (
            <li key={answers.length - i} data-testid="charger-answer" className={a.ok ? 'ok' : 'failed'}>
              {a.command} — {a.text}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
