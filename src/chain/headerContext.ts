/**
 * A parent's branch as the header rules see it (`HeaderContext`), read from the store.
 *
 * Ancestors on the main chain are found by height in one look-up; on a side branch we walk
 * back through parents until the branch meets the main chain.
 */
import type { BlockRecord, ChainStore } from '../store/interface.js';
import type { BlockHeader } from '../protocol/block.js';
import type { HeaderContext } from '../protocol/rules/header.js';
import { bytesEqual } from '../protocol/bytes.js';

export function isOnMainChain(store: ChainStore, rec: BlockRecord): boolean {
  const main = store.mainHashAt(rec.height);
  return main !== undefined && bytesEqual(main, rec.hash);
}

export function headerContext(store: ChainStore, parent: BlockRecord): HeaderContext {
  let cursor = parent;
  return {
    parent: parent.header,
    ancestor(height: number): BlockHeader {
      if (height > parent.height || height < 0) throw new RangeError(`no ancestor at height ${height}`);
      if (height > cursor.height) cursor = parent;
      while (cursor.height > height) {
        if (isOnMainChain(store, cursor)) {
          cursor = store.getRecord(store.mainHashAt(height)!)!;
          break;
        }
        cursor = store.getRecord(cursor.header.prevHash)!;
      }
      return cursor.header;
    },
  };
}
