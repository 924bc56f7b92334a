import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Logger } from '../../../lib/logger.js';
import type { UserServiceClient } from '../../../lib/service-clients/user.js';
import { LIVE_TOPIC, type LiveEventBus, type SessionUpdatedLive } from '../../../lib/live-events.js';
import {
  jobId,
  OUTCOME_REPLACES,
  outcomeColumns,
  SETTLE_JOB_OPTIONS,
  SETTLE_SESSION,
  traced,
  type SettlementOutcomeJob,
  type SettlementStatus,
} from '../../../lib/queues.js';
import { type SettleSessionJob } from '../../../lib/settlement.js';
import type { LedgerDomain } from '../../../lib/ledger.js';
import { sessionRecordHash } from './ledger-record.js';
import { CLEARABLE_FAILURES } from '../../../lib/chain/contracts.js';
import type { ChainReader } from '../../../lib/chain/reader.js';
import { ChargingSession } from '../entities/charging-session.entity.js';

export type { SettlementStatus };

/**
 * Turns completed sessions into on-chain settlement jobs. A session is settled when it cost something
 * in the settlement currency and both the driver and the operator have a linked wallet. The record
 * number comes from a database sequence and the job id is the session id, so a session is queued and
 * numbered once however often its completion is processed.
 */
export class SettlementService {
  constructor(
    private readonly em: EntityManager,
    private readonly opts: {
      users: UserServiceClient;
      queue: Queue;
      currency: string;
      logger: Logger;
      /** Where the session's SETTLEMENT updates go once stored. */
      live: LiveEventBus;
      /** The deployment's ledger domain (lib/ledger.ts), which every record hash is bound to. */
      domain: () => Promise<LedgerDomain>;
    },
  ) {}

  /** The account's first linked wallet, if any (asked of the user subgraph). */
  async walletOf(userId: string): Promise<string | null> {
    return (await this.opts.users.primaryWallets([userId]))[0]?.address ?? null;
  }

  async prepare(session: ChargingSession): Promise<void> {
    if (session.settlementRecordId) {
      // Numbered before, but the job may not have reached Redis (the completion is being retried):
      // queue it again; the job id makes this a no-op when it is there.
      if (session.settlementStatus === 'PENDING') await this.enqueue(this.jobOf(session));
      return;
    }
    if (!session.userId || !session.costMicros || session.costMicros <= 0) return;
    // Disputed: settled only once resolved to SETTLE (a write-off is never charged).
    if (session.status !== 'COMPLETED' || session.disputeResolution === 'WRITE_OFF') return;
    if (session.currency !== this.opts.currency) {
      this.opts.logger.info(
        { sessionId: session.id, currency: session.currency },
        'not settled: currency differs from the token’s',
      );
      return;
    }
    const primaryWallets = await this.opts.users.primaryWallets([session.userId, session.operatorId]);
    const payer = primaryWallets.find((w) => w.userId === session.userId)?.address;
    const payee = primaryWallets.find((w) => w.userId === session.operatorId)?.address;
    if (!payer || !payee) {
      this.opts.logger.info(
        { sessionId: session.id, payer: !!payer, payee: !!payee },
        'not settled: a party has no wallet',
      );
      return;
    }
    // The record's hash binds it to the deployment (lib/ledger.ts): without one, nothing is numbered
    // and the completion is retried (BullMQ) until the deployment can be read.
    const domain = await this.opts.domain();
    const [{ id }] = await this.em.execute<{ id: string }[]>(
      `select nextval('"session"."settlement_record_seq"')::text as id`,
    );
    const job: SettleSessionJob = {
      sessionId: session.id,
      recordId: id!,
      payer,
      payee,
      amount: String(session.costMicros),
      recordHash: sessionRecordHash(domain, session, { recordId: id!, payer, payee }),
      stoppedAt: session.stoppedAt!.toISOString(),
    };
    // Only the first completion numbers the session (a concurrent one finds it numbered).
    const updated = await this.em.nativeUpdate(
      ChargingSession,
      { id: session.id, settlementRecordId: null },
      {
        settlementRecordId: id!,
        settlementStatus: 'PENDING',
        settlementPayer: payer,
        settlementPayee: payee,
        settlementRecordHash: job.recordHash,
      },
    );
    if (updated === 0) return;
    await this.enqueue(job);
  }

  private jobOf(session: ChargingSession): SettleSessionJob {
    return {
      sessionId: session.id,
      recordId: session.settlementRecordId!,
      payer: session.settlementPayer!,
      payee: session.settlementPayee!,
      amount: String(session.costMicros),
      recordHash: session.settlementRecordHash!,
      stoppedAt: session.stoppedAt?.toISOString(),
    };
  }

  /**
   * Queues a FAILED settlement again (the payer has topped up or raised the authorization, say). Only
   * one retry at a time: the FAILED → PENDING change is conditional, so a second concurrent call finds
   * nothing to retry. The record keeps its number and hash; the worker asks the chain first whether
   * the record is settled, so a retry never pays twice. Null when the session's settlement is not FAILED.
   */
  async retry(session: ChargingSession): Promise<ChargingSession | null> {
    if (session.settlementStatus !== 'FAILED' || !session.settlementRecordId) return null;
    return (await this.requeue(session, 'FAILED', 'retry requested')) ? session : null;
  }

  /**
   * Back to PENDING from `from` (one conditional UPDATE: a concurrent requeue finds nothing to do) and
   * queued again; false when the status was no longer `from`. The record keeps its number and hash.
   */
  private async requeue(session: ChargingSession, from: SettlementStatus, why: string): Promise<boolean> {
    const changed = await this.em.nativeUpdate(
      ChargingSession,
      { id: session.id, settlementStatus: from },
      {
        settlementStatus: 'PENDING',
        settlementFailureReason: null,
        settlementTxHash: null,
        settlementBlock: null,
      },
    );
    if (!changed) return false;
    await this.em.refresh(session);
    // A job id of its own: the first job's id (the session id) is kept for a week after it ran.
    await this.enqueue(this.jobOf(session), jobId(session.id, 'retry', Date.now()));
    await this.published(session);
    this.opts.logger.info(
      { sessionId: session.id, recordId: session.settlementRecordId, why },
      'settlement queued again',
    );
    return true;
  }

  private async enqueue(job: SettleSessionJob, id: string = job.sessionId): Promise<void> {
    await this.opts.queue.add(SETTLE_SESSION, traced(job), { ...SETTLE_JOB_OPTIONS, jobId: id });
  }

  /**
   * Stores what the settlement worker reported (SETTLEMENT_OUTCOMES_QUEUE) and publishes the session's
   * update. CONFIRMED is final; an outcome older than the stored status (a SUBMITTED that arrives
   * after the CONFIRMED, say) changes nothing, so outcomes may be applied in any order and twice.
   */
  async record(outcome: SettlementOutcomeJob): Promise<boolean> {
    // One conditional UPDATE that returns what the update to followers needs (no read after it): two
    // outcomes of one session applied at once (consumers run several jobs in parallel) cannot both
    // read the old status and the older one win.
    const { set, values } = outcomeColumns(outcome, 'settlement_');
    const rows = await this.em.execute<{ id: string; user_id: string | null }[]>(
      `update "session"."charging_session"
          set settlement_status = ?, settlement_updated_at = now(), ${set}
        where id = ? and settlement_record_id is not null and settlement_status in (?)
        returning id, user_id`,
      [outcome.status, ...values, outcome.sessionId, OUTCOME_REPLACES[outcome.status]],
    );
    const [row] = rows;
    if (row) await this.published({ id: row.id, userId: row.user_id });
    return !!row;
  }

  /**
   * The settlement sweeper's pass (consumers/settlement-sweeper.ts), three checks against the chain:
   * - CONFIRMED records of the last `recent` blocks' worth (newest first) that the chain no longer has
   *   (a reorganisation took their transaction out): back to PENDING and queued again, with an alert;
   * - SUBMITTED records untouched for `stuckMs` (their job ended without a word): queued again;
   * - FAILED records whose cause the payer can clear (limits, escrow): queued again once the chain
   *   shows the payer can pay them.
   * Every re-queue is safe: the worker asks the chain before it sends, so nothing is paid twice.
   */
  async sweep(chain: ChainReader, opts: { recent: number; stuckMs: number }): Promise<{ requeued: number }> {
    let requeued = 0;
    const requeue = async (session: ChargingSession, from: SettlementStatus, why: string) => {
      if (await this.requeue(session, from, why)) requeued++;
    };
    const confirmed = await this.em.find(
      ChargingSession,
      { settlementStatus: 'CONFIRMED' },
      { orderBy: { settlementBlock: 'desc' }, limit: opts.recent },
    );
    for (const s of confirmed) {
      if (await chain.isSettled('session', s.settlementRecordId!)) continue;
      this.opts.logger.error(
        { sessionId: s.id, recordId: s.settlementRecordId, txHash: s.settlementTxHash },
        'ALERT: a CONFIRMED settlement is no longer on chain (reorganised out); settling it again',
      );
      await requeue(s, 'CONFIRMED', 'reorganised out');
    }
    const stuck = await this.em.find(
      ChargingSession,
      { settlementStatus: 'SUBMITTED', settlementUpdatedAt: { $lt: new Date(Date.now() - opts.stuckMs) } },
      { limit: 100 },
    );
    for (const s of stuck) await requeue(s, 'SUBMITTED', 'submitted long ago');
    const failed = await this.em.find(
      ChargingSession,
      { settlementStatus: 'FAILED', settlementFailureReason: { $in: CLEARABLE_FAILURES } },
      { orderBy: { stoppedAt: 'asc' }, limit: 100 },
    );
    for (const s of failed) {
      const e = await chain.limitsOf(s.settlementPayer!);
      const amount = BigInt(s.costMicros ?? 0);
      if (e.recordLimit >= amount && e.spendableToday >= amount)
        await requeue(s, 'FAILED', 'the payer can pay now');
    }
    return { requeued };
  }

  /** Tells the session's followers that its settlement changed (after the change is stored). */
  private published(session: Pick<ChargingSession, 'id' | 'userId'>) {
    return this.opts.live.publish<SessionUpdatedLive>(LIVE_TOPIC.sessionUpdated, {
      sessionId: session.id,
      userId: session.userId,
      kind: 'SETTLEMENT',
      at: new Date().toISOString(),
    });
  }
}
