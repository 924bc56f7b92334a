import { useCallback, useEffect, useState } from 'react';
import type { Api, ApiError } from './api.js';
import { DriverAccount, type Account } from './driver-account.js';

interface ReceiptLine {
  kind: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  amount: string;
}
interface Session {
  id: string;
  status: string;
  startedAt: string;
  energyWh: number;
  cost: string | null;
  costSoFar: string;
  currency: string;
  station: { name: string };
  receipt: { total: string; lines: ReceiptLine[] } | null;
  settlement: { status: string; txHash: string | null } | null;
}
interface Mine {
  me: Account;
  myEscrow: {
    wallet: string;
    balance: string;
    available: string;
    recordLimit: string;
    dayLimit: string;
    spendableToday: string;
    limitsLowerAt: string | null;
  } | null;
  mySessions: { edges: { node: Session }[] };
}

const MINE = `{ me { idTokens { id token status expiresAt } vehicles { id make model batteryWh connectorTypes }
  wallets { address } }
  myEscrow { wallet balance available recordLimit dayLimit spendableToday limitsLowerAt }
  mySessions(first: 20) { edges { node { id status startedAt energyWh cost costSoFar currency station { name }
    receipt { total lines { kind description quantity unit unitPrice amount } } settlement { status txHash } } } } }`;

/** A driver's own: sessions with their receipts, the wallet's escrow and authorization, id tokens, vehicles. */
export function Driver({ api }: { api: Api }) {
  const [mine, setMine] = useState<Mine | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      void api
        .request<Mine>(MINE)
        .then(setMine)
        .catch((e: ApiError) => setError(e.message)),
    [api],
  );
  useEffect(() => {
    reload();
    // New sessions and their updates arrive live; the account is read again on each.
    return api.subscribe('subscription { mySessionUpdates { sessionId kind } }', {}, reload, () => {});
  }, [api, reload]);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!mine) return <p className="loading">Loading your account…</p>;
  const e = mine.myEscrow;
  return (
    <div className="operator">
      <section data-testid="escrow">
        <h2>My wallet</h2>
        {!e ? (
          <p>No wallet linked: link one to pay for charging from its escrow.</p>
        ) : (
          <dl>
            <dt>Wallet</dt>
            <dd>
              <code>{e.wallet}</code>
            </dd>
            <dt>Escrow</dt>
            <dd>{e.balance}</dd>
            <dt>Withdrawable now</dt>
            <dd>{e.available}</dd>
            <dt>Authorized per session / per day</dt>
            <dd>
              {e.recordLimit} / {e.dayLimit}
            </dd>
            <dt>Left today</dt>
            <dd>{e.spendableToday}</dd>
            {e.limitsLowerAt && (
              <>
                <dt>Lower limits from</dt>
                <dd>{new Date(e.limitsLowerAt).toLocaleString()}</dd>
              </>
            )}
          </dl>
        )}
        <DriverAccount api={api} account={mine.me} changed={reload} />
      </section>
      <section>
        <h2>My sessions</h2>
        {mine.mySessions.edges.length === 0 ? (
          <p>No sessions yet.</p>
        ) : (
          <ul className="receipts">
            {mine.mySessions.edges.map(({ node: s }) => (
              <li key={s.id} data-testid={`my-session-${s.id}`} data-status={s.status}>
                <button className="link" onClick={() => setOpen(open === s.id ? null : s.id)}>
                  {new Date(s.startedAt).toLocaleString()} · {s.station.name} ·{' '}
                  {(s.energyWh / 1000).toFixed(2)} kWh · {s.cost ?? `${s.costSoFar} so far`} {s.currency} ·{' '}
                  {s.status.toLowerCase()}
                </button>
                {open === s.id && s.receipt && (
                  <table className="sessions" data-testid="receipt">
                    <tbody>
                      {s.receipt.lines.map((l, i) => (
                        <tr key={i}>
                          <td>{l.description}</td>
                          <td>
                            {l.quantity} {l.unit}
                          </td>
                          <td>{l.unitPrice}</td>
                          <td>{l.amount}</td>
                        </tr>
                      ))}
                      <tr>
                        <th colSpan={3}>Total</th>
                        <th>
                          {s.receipt.total} {s.currency}
                        </th>
                      </tr>
                    </tbody>
                  </table>
                )}
                {open === s.id && s.settlement?.txHash && (
                  <p className="tx">
                    Paid on chain in <code>{s.settlement.txHash}</code>
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
