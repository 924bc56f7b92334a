/**
 * Sends transactions from one account, one at a time, and sees each through: the nonce comes from
 * the chain, a stuck transaction of ours (left pending by a crash) is replaced, a transaction not mined
 * in time is sent again at the same nonce with higher fees, and the receipt of whichever of our
 * transactions is mined is returned once it has its confirmations. Pure ethers 6.
 */
import { isError, parseUnits, type JsonRpcApiProvider, type Signer, type TransactionReceipt } from 'ethers';
import type { Logger } from '../logger.js';
import { finalityOf, type Finality } from './finality.js';

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface TxSenderOptions {
  /** How long one transaction may stay unmined before it is sent again with higher fees. */
  timeoutMs: number;
  /** No transaction pays more than this per gas (gwei). */
  maxFeeGwei: number;
  /** Blocks the mined transaction must have (1 = mined), with `depth` finality. */
  confirmations: number;
  /** When the receipt counts (lib/chain/finality.ts); default `depth`. */
  finality?: Finality;
  /** With `finalized`: the longest wait for the chain's finalized block to reach the transaction's. */
  finalityTimeoutMs?: number;
  logger: Logger;
  /** How often the chain is asked whether a transaction was mined. */
  pollMs?: number;
  /** Called for every replacement sent (a stuck transaction of ours, or one not mined in time). */
  onReplaced?: () => void;
  /** Runs right before every transaction is broadcast; throwing stops it (the settler lease's check). */
  beforeBroadcast?: () => Promise<void>;
}

/** The nonce of a transaction was used by another transaction of the account: nothing of ours ran. */
export class NonceTakenError extends Error {
  override name = 'NonceTakenError';
}

/** A mined transaction of ours that reverted; `outOfGas` when it used all the gas it was given. */
export class RevertedError extends Error {
  override name = 'RevertedError';
  constructor(
    readonly receipt: TransactionReceipt,
    readonly outOfGas: boolean,
  ) {
    super(`transaction ${receipt.hash} reverted${outOfGas ? ' (out of gas)' : ''}`);
  }
}

/** Nodes refuse a replacement paying less than 10 % more (geth, Hardhat); 12.5 % is safe everywhere. */
const bump = (v: bigint) => (v * 1125n + 999n) / 1000n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const gwei = (wei: bigint) => Number(wei) / 1e9;

export class TxSender {
  private readonly cap: bigint;
  private readonly pollMs: number;
  /** Our transactions in flight, by nonce: the hashes sent at each (a pipeline of sends). */
  private readonly inFlight = new Map<number, string[]>();
  private locked: Promise<void> = Promise.resolve();

  constructor(
    private readonly signer: Signer,
    private readonly provider: JsonRpcApiProvider,
    private readonly options: TxSenderOptions,
  ) {
    this.cap = parseUnits(options.maxFeeGwei.toFixed(9), 'gwei');
    this.pollMs = options.pollMs ?? Math.min(1000, options.timeoutMs);
  }

  /**
   * Sends the call and resolves with the receipt of the mined transaction (after the confirmations).
   * Rejects when the call reverts, when its nonce is taken by a transaction that is not one of those
   * sent here ({@link NonceTakenError}), or when the fee cap allows no replacement of a transaction
   * that is not mined in time. The gas limit is the caller's, else the node's estimate plus 20 %; a
   * transaction that reverts rejects with {@link RevertedError}.
   */
  async send(call: { to: string; data: string; gasLimit?: bigint }): Promise<TransactionReceipt> {
    const { logger } = this.options;
    const from = await this.signer.getAddress();
    const gasLimit = call.gasLimit ?? ((await this.estimate(call.to, call.data, from)) * 12n) / 10n;
    const current = await this.currentFees();
    let fees = this.capped(current);
    // What the next transaction replaces: a pending one of ours, then each one sent here in turn.
    let replaced: { hash?: string; fees: Fees } | null = null;
    const hashes: string[] = [];
    // The nonce is chosen and the first broadcast made one send at a time, so that sends in flight
    // together (a pipeline) take consecutive nonces.
    const unlock = await this.lock();
    let nonce: number;
    try {
      const [latest, pendingNonce] = await Promise.all([
        this.provider.getTransactionCount(from, 'latest'),
        this.provider.getTransactionCount(from, 'pending'),
      ]);
      if (this.inFlight.size) {
        // Behind our own transactions in flight: the lowest free nonce from the chain's next one (a
        // gap left by one of ours that failed is filled first, else everything after it would wait).
        nonce = latest;
        while (this.inFlight.has(nonce)) nonce++;
      } else {
        nonce = latest;
        if (pendingNonce > nonce) {
          // A transaction of ours from before a crash holds the nonce: price ours to replace it.
          const stuck = await this.pendingTx(from, nonce);
          replaced = stuck ?? { fees: current };
          fees = this.replacing(replaced.fees, stuck ? current : this.raised(current));
        }
      }
      this.inFlight.set(nonce, hashes);
    } catch (err) {
      unlock();
      throw err;
    }
    try {
      for (;;) {
        const hash = await this.broadcast(
          { to: call.to, data: call.data, nonce, gasLimit, ...fees },
          hashes.length > 0,
        ).finally(unlock);
        if (hash) {
          if (replaced) this.options.onReplaced?.();
          if (replaced)
            logger.warn(
              {
                nonce,
                oldHash: replaced.hash ?? null,
                newHash: hash,
                oldFees: this.describe(replaced.fees),
                newFees: this.describe(fees),
              },
              hashes.length
                ? 'transaction not mined in time: sent again with higher fees'
                : 'a pending transaction of the account held the nonce: replaced',
            );
          hashes.push(hash);
          replaced = { hash, fees };
        }
        const receipt = await this.minedOne(from, nonce, hashes, Date.now() + this.options.timeoutMs);
        if (receipt) return await this.confirmed(receipt);
        fees = this.replacing(fees, await this.currentFees());
      }
    } finally {
      this.inFlight.delete(nonce);
    }
  }

  /** The node's gas estimate, against the latest block (a pending state would already contain the transaction we replace). */
  private async estimate(to: string, data: string, from: string): Promise<bigint> {
    return BigInt(
      await this.provider.send('eth_estimateGas', [
        this.provider.getRpcTransaction({ to, data, from }),
        'latest',
      ]),
    );
  }

  /** Waits for the nonce lock; resolves with its release (safe to call more than once). */
  private async lock(): Promise<() => void> {
    const previous = this.locked;
    let release!: () => void;
    this.locked = new Promise<void>((r) => (release = r));
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  /** Fees above `old` by the bump (and at least `floor`), within the cap; throws when the cap forbids. */
  private replacing(old: Fees, floor: Fees): Fees {
    const wanted = this.capped({
      maxFeePerGas: max(bump(old.maxFeePerGas), floor.maxFeePerGas),
      maxPriorityFeePerGas: max(bump(old.maxPriorityFeePerGas), floor.maxPriorityFeePerGas),
    });
    if (
      wanted.maxFeePerGas < bump(old.maxFeePerGas) ||
      wanted.maxPriorityFeePerGas < bump(old.maxPriorityFeePerGas)
    )
      throw new Error(
        `a pending transaction paying ${this.describe(old).maxFeeGwei} gwei cannot be replaced within ` +
          `the fee cap of ${this.options.maxFeeGwei} gwei (SETTLEMENT_MAX_FEE_GWEI); it may still be mined`,
      );
    return wanted;
  }

  private capped(f: Fees): Fees {
    const maxFeePerGas = min(f.maxFeePerGas, this.cap);
    return { maxFeePerGas, maxPriorityFeePerGas: min(f.maxPriorityFeePerGas, maxFeePerGas) };
  }

  private raised(f: Fees): Fees {
    return { maxFeePerGas: bump(f.maxFeePerGas), maxPriorityFeePerGas: bump(f.maxPriorityFeePerGas) };
  }

  private describe(f: Fees) {
    return { maxFeeGwei: gwei(f.maxFeePerGas), maxPriorityFeeGwei: gwei(f.maxPriorityFeePerGas) };
  }

  private async currentFees(): Promise<Fees> {
    const data = await this.provider.getFeeData();
    if (data.maxFeePerGas == null || data.maxPriorityFeePerGas == null)
      throw new Error('the chain reports no EIP-1559 fees');
    return { maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas };
  }

  /** Our pending transaction at `nonce`, where the node shows its pending transactions. */
  private async pendingTx(from: string, nonce: number): Promise<{ hash?: string; fees: Fees } | null> {
    const sources: [string, unknown[]][] = [
      ['eth_getBlockByNumber', ['pending', true]],
      ['txpool_contentFrom', [from]],
    ];
    for (const [method, params] of sources) {
      const result = await this.provider.send(method, params).catch(() => null);
      const txs: Record<string, string>[] = result?.transactions ?? [
        ...Object.values(result?.pending ?? {}),
        ...Object.values(result?.queued ?? {}),
      ];
      const tx = txs.find((t) => t.from?.toLowerCase() === from.toLowerCase() && Number(t.nonce) === nonce);
      const maxFee = tx?.maxFeePerGas ?? tx?.gasPrice;
      if (tx && maxFee)
        return {
          hash: tx.hash,
          fees: {
            maxFeePerGas: BigInt(maxFee),
            maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas ?? maxFee),
          },
        };
    }
    return null;
  }

  /**
   * Sends one transaction; its hash, or null when the node refused it while earlier ones are still
   * pending (too low a replacement, a node hiccup): the wait goes on, and the next round bumps again.
   */
  private async broadcast(
    tx: Fees & { to: string; data: string; nonce: number; gasLimit: bigint },
    resend: boolean,
  ): Promise<string | null> {
    await this.options.beforeBroadcast?.();
    try {
      return (await this.signer.sendTransaction({ ...tx, type: 2 })).hash;
    } catch (err) {
      if (!resend && !isError(err, 'REPLACEMENT_UNDERPRICED')) throw err;
      this.options.logger.warn({ err, nonce: tx.nonce }, 'the node refused a transaction; waiting on');
      return null;
    }
  }

  /**
   * The receipt of whichever of `hashes` is mined, or null when none is by `deadline`. Throws when
   * the nonce was used by a transaction that is not one of them.
   */
  private async minedOne(from: string, nonce: number, hashes: string[], deadline: number) {
    const receiptOf = async () => {
      for (const hash of hashes) {
        const receipt = await this.provider.getTransactionReceipt(hash);
        if (receipt) return receipt;
      }
      return null;
    };
    for (;;) {
      const receipt = await receiptOf();
      if (receipt) return receipt;
      if ((await this.provider.getTransactionCount(from, 'latest')) > nonce) {
        // Mined just now, between the two questions?
        const late = await receiptOf();
        if (late) return late;
        throw new NonceTakenError(
          `nonce ${nonce} of ${from} was used by a transaction that is not one of ours (replaced or ` +
            `cancelled elsewhere); none of ours was mined: ${hashes.join(', ') || 'none sent'}`,
        );
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /**
   * Waits until the mined transaction is final (lib/chain/finality.ts: `confirmations` deep, or at or
   * below the chain's `finalized` block, and its block unchanged), asking the chain every `pollMs`,
   * for at most `timeoutMs` per confirmation (`finalityTimeoutMs` for `finalized`). Throws when its
   * receipt disappears (the block was reorganised out) or when the wait runs out: the caller's job is
   * retried, and checks the chain for the record before it sends again. (ethers' waitForTransaction
   * has no bound and never notices a receipt that went away.)
   */
  private async confirmed(receipt: TransactionReceipt): Promise<TransactionReceipt> {
    if (receipt.status !== 1) {
      const tx = await this.provider.getTransaction(receipt.hash);
      throw new RevertedError(receipt, tx != null && receipt.gasUsed >= tx.gasLimit);
    }
    const wanted = this.options.confirmations;
    const finality = this.options.finality ?? 'depth';
    if (wanted <= 1 && finality === 'depth') return receipt;
    const budgetMs =
      finality === 'finalized'
        ? (this.options.finalityTimeoutMs ?? 600_000)
        : this.options.timeoutMs * wanted;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const current = await this.provider.getTransactionReceipt(receipt.hash);
      if (!current) throw new Error(`transaction ${receipt.hash} is no longer on chain (reorganised out)`);
      const state = await finalityOf(this.provider, current.blockNumber, current.blockHash, {
        finality,
        confirmations: wanted,
      });
      if (state.final) return current;
      if (Date.now() >= deadline)
        throw new Error(
          finality === 'finalized'
            ? `transaction ${receipt.hash} did not become final within ${budgetMs} ms (${state.detail})`
            : `transaction ${receipt.hash} did not reach ${wanted} confirmations within ${budgetMs} ms (${state.detail})`,
        );
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
