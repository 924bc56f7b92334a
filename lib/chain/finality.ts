import type { JsonRpcApiProvider } from 'ethers';

/**
 * When a settlement counts as final, per network:
 * - `finalized`: its block is at or below the chain's `finalized` block (Polygon PoS and Amoy: the
 *   block a milestone has finalized; a reorganisation cannot remove it), and still the block the
 *   receipt named;
 * - `depth`: it is `confirmations` blocks deep (a local chain: 1).
 * `npm start` and the config pick `finalized` for the polygon networks and `depth` elsewhere
 * (CHAIN_FINALITY overrides).
 */
export type Finality = 'depth' | 'finalized';

export interface FinalityRule {
  finality: Finality;
  confirmations: number;
}

/** Whether the block `blockNumber` with hash `blockHash` is final under `rule`, and where things stand. */
export async function finalityOf(
  provider: JsonRpcApiProvider,
  blockNumber: number,
  blockHash: string,
  rule: FinalityRule,
): Promise<{ final: boolean; detail: string }> {
  if (rule.finality === 'finalized') {
    const finalized = await provider.getBlock('finalized');
    if (!finalized || finalized.number < blockNumber)
      return { final: false, detail: `finalized block ${finalized?.number ?? 'unknown'} < ${blockNumber}` };
  } else {
    const depth = (await provider.getBlockNumber()) - blockNumber + 1;
    if (depth < rule.confirmations)
      return { final: false, detail: `${depth} of ${rule.confirmations} confirmations` };
  }
  // The block at that height must still be the one the receipt or event named.
  const block = await provider.getBlock(blockNumber);
  if (block?.hash !== blockHash)
    return { final: false, detail: `block ${blockNumber} was reorganised (now ${block?.hash ?? 'none'})` };
  return { final: true, detail: 'final' };
}
