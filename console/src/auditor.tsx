import { useEffect, useState } from 'react';
import type { Api, ApiError } from './api.js';

interface Summary {
  sessionRecords: number;
  sessionsConfirmed: number;
  sessionAmount: string;
  sessionFees: string;
  planFeeRecords: number;
  planFeesConfirmed: number;
  planFeeAmount: string;
  trades: { records: number; confirmed: number; amount: string; fees: string };
}
interface Proof {
  recordId: string;
  sessionId: string;
  status: string;
  typedData: string;
  recordHash: string;
  txHash: string | null;
  blockNumber: number | null;
  logIndex: number | null;
  confirmations: number | null;
}

const SUMMARY = `query($from: DateTimeISO!, $to: DateTimeISO!) { ledgerSummary(from: $from, to: $to) {
  sessionRecords sessionsConfirmed sessionAmount sessionFees planFeeRecords planFeesConfirmed planFeeAmount
  trades { records confirmed amount fees } } }`;
const PROOF = `query($r: ID!) { settlementProof(recordId: $r) { recordId sessionId status typedData recordHash txHash
  blockNumber logIndex confirmations } }`;

/**
 * An auditor's view: the ledger over the last 30 days per record kind (token base units), and one
 * session record's proof: its EIP-712 typed data, hash and where the chain has it.
 */
export function Auditor({ api }: { api: Api }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [recordId, setRecordId] = useState('');
  const [proof, setProof] = useState<Proof | null>(null);
  const [proofError, setProofError] = useState<string | null>(null);
  useEffect(() => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - 30 * 24 * 3600_000).toISOString();
    api
      .request<{ ledgerSummary: Summary }>(SUMMARY, { from, to })
      .then((d) => setSummary(d.ledgerSummary))
      .catch((e: ApiError) => setError(e.message));
  }, [api]);
  const look = async (e: React.FormEvent) => {
    e.preventDefault();
    setProof(null);
    setProofError(null);
    try {
      setProof(
        (await api.request<{ settlementProof: Proof }>(PROOF, { r: recordId.trim() })).settlementProof,
      );
    } catch (err) {
      setProofError((err as Error).message);
    }
  };
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!summary) return <p className="loading">Loading the ledger…</p>;
  const s = summary;
  return (
    <div className="operator">
      <section>
        <h2>Ledger, last 30 days</h2>
        <table className="sessions" data-testid="ledger-summary">
          <thead>
            <tr>
              <th>kind</th>
              <th>records</th>
              <th>confirmed</th>
              <th>amount</th>
              <th>fees</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>charging sessions</td>
              <td>{s.sessionRecords}</td>
              <td>{s.sessionsConfirmed}</td>
              <td>{s.sessionAmount}</td>
              <td>{s.sessionFees}</td>
            </tr>
            <tr>
              <td>plan fees</td>
              <td>{s.planFeeRecords}</td>
              <td>{s.planFeesConfirmed}</td>
              <td>{s.planFeeAmount}</td>
              <td />
            </tr>
            <tr>
              <td>energy trades</td>
              <td>{s.trades.records}</td>
              <td>{s.trades.confirmed}</td>
              <td>{s.trades.amount}</td>
              <td>{s.trades.fees}</td>
            </tr>
          </tbody>
        </table>
        <p className="muted">Amounts in token base units (6 decimals).</p>
      </section>
      <section>
        <h2>Proof of one session record</h2>
        <form onSubmit={look} className="inline">
          <input
            name="recordId"
            placeholder="record number"
            value={recordId}
            onChange={(e) => setRecordId(e.target.value)}
            required
          />
          <button type="submit">Show</button>
        </form>
        {proofError && (
          <p className="error" role="alert">
            {proofError}
          </p>
        )}
        {proof && (
          <div data-testid="proof">
            <dl>
              <dt>Status</dt>
              <dd>{proof.status}</dd>
              <dt>Record hash</dt>
              <dd>
                <code>{proof.recordHash}</code>
              </dd>
              <dt>Transaction</dt>
              <dd>
                <code>{proof.txHash ?? '—'}</code> (block {proof.blockNumber ?? '—'}, log{' '}
                {proof.logIndex ?? '—'}, {proof.confirmations ?? 0} confirmations)
              </dd>
            </dl>
            <pre className="typed">{typedSummary(proof.typedData)}</pre>
          </div>
        )}
      </section>
    </div>
  );
}

/** The record's primary type, domain and message (its type definitions are docs/ledger-format.md's). */
function typedSummary(typedData: string): string {
  const { primaryType, domain, message } = JSON.parse(typedData) as Record<string, unknown>;
  return JSON.stringify({ primaryType, domain, message }, null, 2);
}
