/**
 * The subscriptions between the node's services, in one place: the composition root calls
 * these, and so do tests and benchmarks that assemble a chain and a mempool by hand.
 */
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';

/**
 * The mempool follows the chain's tip (mined transfers leave, disconnected ones come back),
 * and block import reuses the signatures it verified on admission (the fast path).
 * Returns the function that undoes both.
 */
export function connectMempoolToChain(chain: Chain, mempool: Mempool): () => void {
  const unsubscribe = chain.onTipChange((change) => mempool.applyTipChange(change));
  chain.setKnownSignatures(mempool);
  return () => {
    unsubscribe();
    chain.setKnownSignatures(undefined);
  };
}
