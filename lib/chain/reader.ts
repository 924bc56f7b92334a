import type { Contract } from 'ethers';
import { connectChain } from './connection.js';
import type { Deployment } from './contracts.js';
import { notFound } from '../errors.js';

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
  async isSettled(kind: 'session' | 'trade', recordId: string): Promise<boolean> {
    const { payments } = await this.load();
    return (await payments.getFunction(kind === 'trade' ? 'isTradeSettled' : 'isSessionSettled')(
      BigInt(recordId),
    )) as boolean;
  }

  /** A wallet's escrow and limits (PaymentLedger `escrowOf` and `limitsOf`), token base units. */
  async escrowOf(wallet: string) {
    const { payments } = await this.load();
    const [[balance, committed, available], [recordLimit, dayLimit, spendableToday, , , pendingFrom]] =
      (await Promise.all([payments.escrowOf(wallet), payments.limitsOf(wallet)])) as [bigint[], bigint[]];
    return {
      balance: balance!,
      committed: committed!,
      available: available!,
      recordLimit: recordLimit!,
      dayLimit: dayLimit!,
      spendableToday: spendableToday!,
      limitsLowerAt: pendingFrom ? new Date(Number(pendingFrom) * 1000) : null,
    };
  }
}
