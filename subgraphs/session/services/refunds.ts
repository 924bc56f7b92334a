import type { EntityManager } from '@mikro-orm/postgresql';
import { Interface, type InterfaceAbi } from 'ethers';
import type { ChainReader } from '../../../lib/chain/reader.js';
import { conflict, forbidden } from '../../../lib/errors.js';
import { ledgerHash, unixSeconds, type LedgerDomain, type LedgerMessage } from '../../../lib/ledger.js';
import type { Logger } from '../../../lib/logger.js';
import type { ChargingSession } from '../entities/charging-session.entity.js';

export interface RefundRow {
  record_id: string;
  session_id: string;
  session_record_id: string;
  operator_wallet: string;
  payer: string;
  amount: string;
  reason: string;
  record_hash: string;
  status: string;
  tx_hash: string | null;
  block: string | null;
  created_at: Date | string;
}

/** A refund as the ledger's SessionRefund record (docs/ledger-format.md), from its stored row. */
export const refundLedgerMessage = (r: RefundRow): LedgerMessage => ({
  recordId: BigInt(r.record_id),
  sessionRecordId: BigInt(r.session_record_id),
  operator: r.operator_wallet,
  payer: r.payer,
  amount: BigInt(r.amount),
  reason: r.reason,
  createdAt: unixSeconds(r.created_at),
});

export const REFUND_COLUMNS = `f.record_id::text, f.session_id, c.settlement_record_id::text as session_record_id,
  f.operator_wallet, f.payer, f.amount::text, f.reason, f.record_hash, f.status, f.tx_hash, f.block, f.created_at`;
export const REFUND_FROM = `"session"."refund" f join "session"."charging_session" c on c.id = f.session_id`;

/**
 * Refunds as records of their own. The platform numbers and hashes a refund (prepare); the operator
 * sends `refundSession` from the wallet the session paid, with the record number and hash given; the
 * sweeper (confirm) finds its SessionRefunded event and marks it CONFIRMED, or FAILED when the event's
 * terms are not the record's. The contract takes the refund from the operator's own credits.
 */
export class RefundService {
  constructor(
    private readonly em: EntityManager,
    private readonly logger?: Logger,
  ) {}

  /**
   * Numbers a refund of `amount` micro-units of a CONFIRMED session for its operator, at most what the
   * session cost less its other refunds (not FAILED); returns the record and the call to send.
   */
  async prepare(
    session: ChargingSession,
    operatorId: string,
    amount: number,
    reason: string,
    chain: { domain: LedgerDomain; abi: InterfaceAbi },
  ) {
    if (session.operatorId !== operatorId) throw forbidden('Only the session’s operator refunds it');
    if (session.settlementStatus !== 'CONFIRMED' || !session.settlementRecordId)
      throw conflict(
        `The session's settlement is ${session.settlementStatus ?? 'not started'}, not CONFIRMED`,
      );
    return this.em.transactional(async (em) => {
      // One refund at a time per session, so that two cannot both fit under its cost.
      await em.execute('select id from "session"."charging_session" where id = ? for update', [session.id]);
      const [{ refunded }] = await em.execute<{ refunded: string }[]>(
        `select coalesce(sum(amount), 0)::text as refunded from "session"."refund" where session_id = ? and status <> 'FAILED'`,
        [session.id],
      );
      const left = (session.costMicros ?? 0) - Number(refunded);
      if (amount > left) throw conflict(`At most ${left} micro-units of this session are left to refund`);
      const [{ id }] = await em.execute<{ id: string }[]>(
        `select nextval('"session"."refund_record_seq"')::text as id`,
      );
      const row: RefundRow = {
        record_id: id!,
        session_id: session.id,
        session_record_id: session.settlementRecordId!,
        operator_wallet: session.settlementPayee!,
        payer: session.settlementPayer!,
        amount: String(amount),
        reason,
        record_hash: '',
        status: 'PENDING',
        tx_hash: null,
        block: null,
        // Whole seconds: the record commits to the time in Unix seconds.
        created_at: new Date(Math.floor(Date.now() / 1000) * 1000),
      };
      row.record_hash = ledgerHash('SessionRefund', chain.domain, refundLedgerMessage(row));
      await em.execute(
        `insert into "session"."refund" (record_id, session_id, operator_wallet, payer, amount, reason, record_hash, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, session.id, row.operator_wallet, row.payer, amount, reason, row.record_hash, row.created_at],
      );
      const data = new Interface(chain.abi).encodeFunctionData('refundSession', [
        BigInt(id!),
        BigInt(row.session_record_id),
        row.payer,
        BigInt(amount),
        row.record_hash,
      ]);
      return { row, to: chain.domain.verifyingContract, data };
    });
  }

  /**
   * PENDING refunds the chain has recorded: CONFIRMED when the SessionRefunded event's operator, payer,
   * amount and hash are the record's, else FAILED with the difference (and an alert).
   */
  async confirm(chain: ChainReader): Promise<number> {
    const rows = await this.em.execute<RefundRow[]>(
      `select ${REFUND_COLUMNS} from ${REFUND_FROM} where f.status = 'PENDING' order by f.record_id limit 200`,
    );
    let done = 0;
    for (const r of rows) {
      const event = await chain.refundEvent(r.record_id);
      if (!event) continue;
      const differences = [
        event.operator.toLowerCase() !== r.operator_wallet.toLowerCase() && `operator ${event.operator}`,
        event.payer.toLowerCase() !== r.payer.toLowerCase() && `payer ${event.payer}`,
        event.amount !== BigInt(r.amount) && `amount ${event.amount}`,
        event.sessionRecordId !== BigInt(r.session_record_id) && `session record ${event.sessionRecordId}`,
        event.recordHash !== r.record_hash && `record hash ${event.recordHash}`,
      ].filter((d): d is string => typeof d === 'string');
      if (differences.length)
        this.logger?.error(
          { recordId: r.record_id, differences },
          'ALERT: a refund was recorded with other terms',
        );
      await this.em.execute(
        `update "session"."refund" set status = ?, tx_hash = ?, block = ?, failure_reason = ? where record_id = ? and status = 'PENDING'`,
        [
          differences.length ? 'FAILED' : 'CONFIRMED',
          event.txHash,
          event.blockNumber,
          differences.length ? `Recorded on chain with other terms: ${differences.join('; ')}` : null,
          r.record_id,
        ],
      );
      done++;
    }
    return done;
  }
}
