/** Block subsidy: `initialSubsidy` halved every `halvingInterval` blocks (integer shift), 0 after 64 halvings. */
import type { NetworkParams } from '../networks.js';

export function blockSubsidy(height: number, network: NetworkParams): bigint {
  const halvings = Math.floor(height / network.halvingInterval);
  return halvings >= 64 ? 0n : network.initialSubsidy >> BigInt(halvings);
}
