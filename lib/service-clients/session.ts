/**
 * The session subgraph's internal operations, one function each, for the settlement worker. The
 * fields are `@inaccessible` in the supergraph and check the calling service.
 */
import type { ServiceClient } from '../service-client.js';

/** What became of a settlement (the worker's report). */
export interface SettlementReport {
  status: string;
  txHash?: string | null;
  blockNumber?: number | null;
  fee?: string | null;
  failureReason?: string | null;
}

export class SessionServiceClient {
  constructor(private readonly client: ServiceClient) {}

  async recordSettlement(sessionId: string, report: SettlementReport): Promise<void> {
    await this.client.request(
      'mutation($s: ID!, $st: String!, $tx: String, $b: Int, $f: String, $r: String) { recordSettlement(sessionId: $s, status: $st, txHash: $tx, blockNumber: $b, fee: $f, failureReason: $r) }',
      {
        s: sessionId,
        st: report.status,
        tx: report.txHash ?? null,
        b: report.blockNumber ?? null,
        f: report.fee ?? null,
        r: report.failureReason ?? null,
      },
    );
  }
}
