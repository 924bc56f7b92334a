import { useState } from 'react';
import type { Api } from './api.js';

export interface Account {
  idTokens: { id: string; token: string; status: string; expiresAt: string | null }[];
  vehicles: { id: string; make: string; model: string; batteryWh: number; connectorTypes: string[] }[];
  wallets: { address: string }[];
}

const ADD_TOKEN = `mutation($t: String!, $x: DateTimeISO) { addIdToken(token: $t, expiresAt: $x) { id } }`;
const BLOCK_TOKEN = `mutation($t: String!) { blockIdToken(token: $t) { id } }`;
const ADD_VEHICLE = `mutation($i: AddVehicleInput!) { addVehicle(input: $i) { id } }`;
const REMOVE_VEHICLE = `mutation($id: ID!) { removeVehicle(id: $id) }`;
const CHALLENGE = `mutation($a: String!) { walletLinkChallenge(address: $a) { message expiresAt } }`;
const LINK = `mutation($a: String!, $s: String!) { linkWallet(address: $a, signature: $s) { address } }`;

const CONNECTOR_TYPES = ['TYPE2', 'CCS2', 'TYPE1', 'CCS1', 'CHADEMO', 'NACS', 'GBT', 'DOMESTIC'];

/**
 * A driver's own id tokens (add, block a lost card), vehicles (add, remove) and wallets (link one by
 * signing the platform's challenge in the wallet app and pasting the signature). `changed` reads the
 * account again after each change.
 */
export function DriverAccount({
  api,
  account,
  changed,
}: {
  api: Api;
  account: Account;
  changed: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState({ token: '', expiresAt: '' });
  const [vehicle, setVehicle] = useState({
    make: '',
    model: '',
    batteryKwh: '',
    maxAcKw: '11',
    type: 'TYPE2',
  });
  const [wallet, setWallet] = useState({ address: '', message: '', signature: '' });

  const run = async (query: string, variables: Record<string, unknown>, then?: () => void) => {
    setError(null);
    try {
      const data = await api.request<Record<string, unknown>>(query, variables);
      then?.();
      changed();
      return data;
    } catch (e) {
      setError((e as Error).message);
      return null;
    }
  };

  return (
    <div data-testid="driver-account">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Id tokens</h3>
      <ul>
        {account.idTokens.map((t) => (
          <li key={t.id} data-testid={`id-token-${t.token}`} data-status={t.status}>
            {t.token} <small className="muted">{t.status.toLowerCase()}</small>
            {t.expiresAt && (
              <small className="muted"> until {new Date(t.expiresAt).toLocaleDateString()}</small>
            )}{' '}
            {t.status === 'ACCEPTED' && (
              <button
                className="link"
                onClick={() =>
                  confirm(`Block ${t.token}? It cannot be unblocked.`) &&
                  void run(BLOCK_TOKEN, { t: t.token })
                }
              >
                block
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="inline"
        data-testid="add-id-token"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            ADD_TOKEN,
            { t: token.token.trim(), x: token.expiresAt ? new Date(token.expiresAt).toISOString() : null },
            () => setToken({ token: '', expiresAt: '' }),
          );
        }}
      >
        <input
          name="token"
          placeholder="card UID or token"
          value={token.token}
          onChange={(e) => setToken({ ...token, token: e.target.value })}
          required
        />
        <label>
          expires{' '}
          <input
            name="expiresAt"
            type="date"
            value={token.expiresAt}
            onChange={(e) => setToken({ ...token, expiresAt: e.target.value })}
          />
        </label>
        <button type="submit">Add</button>
      </form>

      <h3>Vehicles</h3>
      {account.vehicles.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {account.vehicles.map((v) => (
            <li key={v.id} data-testid={`vehicle-${v.make} ${v.model}`}>
              {v.make} {v.model}{' '}
              <small className="muted">
                {(v.batteryWh / 1000).toFixed(0)} kWh, {v.connectorTypes.join(', ')}
              </small>{' '}
              <button className="link" onClick={() => void run(REMOVE_VEHICLE, { id: v.id })}>
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline"
        data-testid="add-vehicle"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            ADD_VEHICLE,
            {
              i: {
                make: vehicle.make.trim(),
                model: vehicle.model.trim(),
                // kWh as typed → Wh, whole (the API's unit).
                batteryWh: Math.round(Number(vehicle.batteryKwh) * 1000),
                maxAcPowerW: Math.round(Number(vehicle.maxAcKw) * 1000),
                connectorTypes: [vehicle.type],
              },
            },
            () => setVehicle({ ...vehicle, make: '', model: '', batteryKwh: '' }),
          );
        }}
      >
        <input
          name="make"
          placeholder="make"
          value={vehicle.make}
          onChange={(e) => setVehicle({ ...vehicle, make: e.target.value })}
          required
        />
        <input
          name="model"
          placeholder="model"
          value={vehicle.model}
          onChange={(e) => setVehicle({ ...vehicle, model: e.target.value })}
          required
        />
        <input
          name="batteryKwh"
          type="number"
          min={1}
          step="0.1"
          placeholder="battery kWh"
          value={vehicle.batteryKwh}
          onChange={(e) => setVehicle({ ...vehicle, batteryKwh: e.target.value })}
          required
        />
        <label>
          max AC kW{' '}
          <input
            name="maxAcKw"
            type="number"
            min={1}
            step="0.1"
            title="highest AC power, kW"
            value={vehicle.maxAcKw}
            onChange={(e) => setVehicle({ ...vehicle, maxAcKw: e.target.value })}
            required
          />
        </label>
        <select
          name="connectorType"
          value={vehicle.type}
          onChange={(e) => setVehicle({ ...vehicle, type: e.target.value })}
        >
          {CONNECTOR_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <button type="submit">Add</button>
      </form>

      <h3>Wallets</h3>
      <ul>
        {account.wallets.map((w) => (
          <li key={w.address}>
            <code>{w.address}</code>
          </li>
        ))}
      </ul>
      <form
        className="inline"
        data-testid="link-wallet"
        onSubmit={(e) => {
          e.preventDefault();
          if (!wallet.message)
            void api
              .request<{ walletLinkChallenge: { message: string } }>(CHALLENGE, { a: wallet.address.trim() })
              .then((d) => setWallet({ ...wallet, message: d.walletLinkChallenge.message }))
              .catch((err: Error) => setError(err.message));
          else
            void run(LINK, { a: wallet.address.trim(), s: wallet.signature.trim() }, () =>
              setWallet({ address: '', message: '', signature: '' }),
            );
        }}
      >
        <input
          name="address"
          placeholder="wallet address 0x…"
          value={wallet.address}
          onChange={(e) => setWallet({ address: e.target.value, message: '', signature: '' })}
          required
        />
        {wallet.message && (
          <>
            <p>
              Sign this message in your wallet (personal_sign), then paste the signature:
              <textarea name="challenge" readOnly value={wallet.message} rows={4} />
            </p>
            <input
              name="signature"
              placeholder="signature 0x…"
              value={wallet.signature}
              onChange={(e) => setWallet({ ...wallet, signature: e.target.value })}
              required
            />
          </>
        )}
        <button type="submit">{wallet.message ? 'Link' : 'Get the message to sign'}</button>
      </form>
    </div>
  );
}
