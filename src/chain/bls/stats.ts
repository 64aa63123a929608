/** Transfer jobs by size, for `BlsVerifierStats.batchSizes`: bucket i counts sizes 2^i to 2^(i+1) - 1. */
export class BatchSizes {
  private readonly buckets: number[] = [];

  add(size: number): void {
    if (size < 1) return;
    const i = 31 - Math.clz32(size);
    while (this.buckets.length <= i) this.buckets.push(0);
    this.buckets[i]!++;
  }

  counts(): number[] {
    return [...this.buckets];
  }
}
