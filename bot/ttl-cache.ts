/** A small map whose entries expire, bounded by dropping the oldest entry. */
export class TtlCache<V> {
  private readonly map = new Map<string, { v: V; at: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return e.v;
  }

  /** Removes an entry; true when there was one. */
  delete(key: string): boolean {
    return this.map.delete(key);
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, { v, at: this.now() });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}
