/**
 * A small LRU cache on Map insertion order: a hit is re-inserted, the oldest entry is evicted
 * first. The BLS backends keep validated public keys in one, since senders recur and
 * deserialization plus subgroup check is the main per-key cost after the pairing.
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }
}
