// The Cache port: the latest value of every series, and a feed of changes a live view can follow.

export type LatestValue = {
  dataset: string;
  seriesKey: string;
  series: Readonly<Record<string, string>>;
  ts: Date;
  value: number | null;
  unit: string;
  resolution: string;
};

export type CacheListener = (changed: readonly LatestValue[]) => void;

export type Cache = {
  /** Keeps, per series, the value with the latest ts; older values never replace newer ones. Returns what changed. */
  refresh(values: readonly LatestValue[]): Promise<LatestValue[]>;
  latest(dataset: string, seriesKey?: string): Promise<LatestValue[]>;
  /** Follows changes; returns a function that stops following. */
  onChange(listener: CacheListener): () => void;
  /** Resolves when the cache answers (readiness probe). */
  ping?(): Promise<void>;
  close(): Promise<void>;
};
