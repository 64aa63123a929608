/**
 * What every explorer page is rendered with: the node's status at the moment of rendering and
 * the network it runs, read fresh for each render.
 */
import { networkByName } from '../protocol/networks.js';
import type { NetworkParams } from '../protocol/networks.js';
import { getJson } from './api.js';
import type { Status } from './api.js';

export interface AppContext {
  readonly status: Status;
  readonly network: NetworkParams;
}

export async function loadContext(): Promise<AppContext> {
  const status = await getJson<Status>('/status');
  return { status, network: networkByName(status.network) };
}
