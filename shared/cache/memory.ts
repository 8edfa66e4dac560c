import type { Cache, CacheListener, LatestValue } from './types.ts';

export class MemoryCache implements Cache {
  readonly #values = new Map<string, LatestValue>();
  readonly #listeners = new Set<CacheListener>();

  async ping(): Promise<void> {}

  async refresh(values: readonly LatestValue[]): Promise<LatestValue[]> {
    const changed: LatestValue[] = [];
    for (const v of values) {
      const k = `${v.dataset}\u0000${v.seriesKey}`;
      const old = this.#values.get(k);
      if (old && old.ts > v.ts) continue;
      if (old && old.ts.getTime() === v.ts.getTime() && old.value === v.value) continue;
      this.#values.set(k, v);
      changed.push(v);
    }
    if (changed.length > 0) for (const l of this.#listeners) l(changed);
    return changed;
  }

  async latest(dataset: string, seriesKey?: string): Promise<LatestValue[]> {
    return [...this.#values.values()]
      .filter((v) => v.dataset === dataset && (seriesKey === undefined || v.seriesKey === seriesKey))
      .sort((a, b) => a.seriesKey.localeCompare(b.seriesKey));
  }

  onChange(listener: CacheListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
