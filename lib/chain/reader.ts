import type { Contract } from 'ethers';
import { newestEvent } from './events.js';
import { connectChain } from './connection.js';
import type { Deployment } from './contracts.js';
import { notFound } from '../errors.js';

/** The kinds of record the contract settles payer → payee: its settled check and event. */
const SETTLED_KIND = {
  session: { isSettled: 'isSessionSettled', event: 'SessionSettled' },
  planFee: { isSettled: 'isPlanFeeSettled', event: 'PlanFeeSettled' },
  trade: { isSettled: 'isTradeSettled', event: 'TradeSettled' },
} as const;
export type SettledKind = keyof typeof SETTLED_KIND;

/** Read-only access to the payments contract named in the deployment file (loaded on first use). */
export class ChainReader {
  private loaded: Promise<{ deployment: Deployment; payments: Contract }> | null = null;

  constructor(
    private readonly rpcUrl: string,
    private readonly network: string,
  ) {}

  load() {
    this.loaded ??= (async () => {
      const { deployment, payments } = await connectChain({
        rpcUrl: this.rpcUrl,
        network: this.network,
      }).catch(() => {
        throw notFound('Settlement deployment', this.network);
      });
      return { deployment, payments };
    })().catch((err) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  /** Whether the chain (at its head) has a record of this kind settled. */
  async isSettled(kind: SettledKind, recordId: string): Promise<boolean> {
    const { payments } = await this.load();
    return (await payments.getFunction(SETTLED_KIND[kind].isSettled)(BigInt(recordId))) as boolean;
  }

  /**
   * A wallet's limits in force, what may still be settled from it today, and when lowered limits take
   * effect (PaymentLedger `limitsOf`, one call), token base units.
   */
  async limitsOf(wallet: string) {
    const { payments } = await this.load();
    const [recordLimit, dayLimit, spendableToday, , , pendingFrom] = (await payments.limitsOf(
      wallet,
    )) as bigint[];
    return {
      recordLimit: recordLimit!,
      dayLimit: dayLimit!,
      spendableToday: spendableToday!,
      limitsLowerAt: pendingFrom ? new Date(Number(pendingFrom) * 1000) : null,
    };
  }

  /** A wallet's escrow (PaymentLedger `escrowOf`) and its limits ({@link limitsOf}), token base units. */
  async escrowOf(wallet: string) {
    const { payments } = await this.load();
    const [[balance, committed, available], limits] = (await Promise.all([
      payments.escrowOf(wallet),
      this.limitsOf(wallet),
    ])) as [bigint[], Awaited<ReturnType<ChainReader['limitsOf']>>];
    return { balance: balance!, committed: committed!, available: available!, ...limits };
  }

  /**
   * Where the chain has a record's settlement: the log of `txHash` that settled this record id in
   * this deployment's contract (SessionSettled, PlanFeeSettled or TradeSettled), with its block, index
   * and confirmations now. Null when the transaction or such a log is not on the chain (any more).
   */
  async settlementLog(kind: SettledKind, recordId: string, txHash: string) {
    const { payments, deployment } = await this.load();
    const provider = payments.runner!.provider!;
    const receipt = await provider.getTransactionReceipt(txHash);
    if (!receipt) return null;
    const topic = payments.interface.getEvent(SETTLED_KIND[kind].event)!.topicHash;
    const log = receipt.logs.find(
      (l) =>
        l.address.toLowerCase() === deployment.paymentsContract.toLowerCase() &&
        l.topics[0] === topic &&
        BigInt(l.topics[1]!) === BigInt(recordId),
    );
    if (!log) return null;
    const head = await provider.getBlockNumber();
    return {
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      logIndex: log.index,
      confirmations: head - log.blockNumber + 1,
    };
  }

  /**
   * A refund record's SessionRefunded event, when the chain has recorded it (`isRefunded`): found
   * newest first in pages of 1,000 blocks down to the deployment block. Null when not recorded.
   */
  async refundEvent(recordId: string) {
    const { payments, deployment } = await this.load();
    if (!((await payments.getFunction('isRefunded')(BigInt(recordId))) as boolean)) return null;
    const e = await newestEvent(
      payments,
      payments.filters.SessionRefunded!(BigInt(recordId)),
      deployment.blockNumber,
    );
    if (e)
      return {
        sessionRecordId: e.args[1] as bigint,
        operator: String(e.args[2]),
        payer: String(e.args[3]),
        amount: e.args[4] as bigint,
        recordHash: String(e.args[5]),
        txHash: e.transactionHash,
        blockNumber: e.blockNumber,
      };
    return null;
  }
}
