// The whole plugin API: a provider is data plus functions. Acquisition and ingestion only ever see
// these types, never a provider's name.
import type { HttpClient } from './http.ts';
import type { Logger } from './log.ts';
import type { Observation, Series } from './observation.ts';
import type { Secrets } from './secrets/index.ts';
import type { IsoDuration } from './time.ts';
import type { Interval } from './time.ts';
import type { FaultPlan } from './simulator.ts';
import type { ZoneMapping } from './zones.ts';

/** When a dataset's worker runs: a fixed period, or a cron expression in a time zone. */
export type Cadence = { every: IsoDuration } | { cron: string; tz: string };

export type WindowPolicy = {
  /** Windows start and end on steps of this length, counted in `tz`. */
  align: IsoDuration;
  tz: string;
  /** The longest window one request (or one paged request series) may cover. */
  maxSpan: IsoDuration;
  /** Every run re-fetches this much before the watermark, so late revisions overwrite. */
  lookback: IsoDuration;
  /** How far ahead of now the source can already have data (day-ahead: the next day). */
  horizon: IsoDuration;
  /** How far back a first run starts when no watermark exists. */
  backfill: IsoDuration;
  /** Instants outside [availableFrom, availableUntil) never hold data of this dataset. */
  availableFrom?: Date;
  availableUntil?: Date;
};

export type ValidationRules = {
  /**
   * Possible [min, max] per unit: a value outside it is provider garbage and rejects the payload.
   * Values that are possible but unusual are flagged instead, by `Dataset.plausibility`.
   */
  plausible: Readonly<Record<string, readonly [number, number]>>;
  /** How far after the fetch an interval may start (PT0S: no future instants at all). */
  maxLead: IsoDuration;
};

export type FetchContext = {
  http: HttpClient;
  secrets: Secrets;
  /** Provider endpoint, e.g. the simulator's address; the provider's public API when unset. */
  baseUrl?: string;
  /** Receives every HTTP attempt for `fetch_log`. */
  onAttempt: NonNullable<Parameters<HttpClient['get']>[1]>['onAttempt'];
  log: Logger;
  signal?: AbortSignal;
};

export type FetchedPayload = { body: Uint8Array; contentType: string };

/** One record a live stream delivered. `key` names it across reconnects: the stream worker drops repeats. */
export type StreamRecord = { key: string; at: Date; data: unknown };

export type StreamContext = {
  secrets: Secrets;
  http: HttpClient;
  /** Provider endpoint (the simulator); the provider's own stream endpoint when unset. */
  baseUrl?: string;
  /** The worker's partitions (e.g. delivery areas) the subscription covers. */
  partitions: readonly string[];
  log: Logger;
  signal: AbortSignal;
};

export type StreamConnection = {
  /** Settles when the connection ends: null for a clean close, otherwise why it broke. */
  readonly closed: Promise<Error | null>;
  close(): Promise<void>;
};

/**
 * A dataset fed by a long-lived subscription instead of windows. The stream worker connects (and
 * reconnects with backoff), de-duplicates by record key, and publishes batches of records as raw
 * messages through the same path as windows; `parse` reads what `encode` produced.
 */
export type StreamSource = {
  /** Connects and subscribes; resolves once records can flow, rejects when that fails. */
  connect(ctx: StreamContext, onRecords: (records: StreamRecord[]) => void): Promise<StreamConnection>;
  /** The bytes of one batch, as the source sent its records (e.g. a JSON array of them). */
  encode(records: readonly StreamRecord[]): FetchedPayload;
};

/** One regular file in a drop directory, as the server lists it. */
export type DroppedFile = { name: string; size: number; mtime: Date };

export type FileDropContext = {
  secrets: Secrets;
  /** Provider endpoint (the simulator's `sftp://host:port/dir`); the provider's own server when unset. */
  baseUrl?: string;
  log: Logger;
  signal?: AbortSignal;
};

/** One session on a file server: short-lived, one operation at a time, closed by the caller. */
export type FileDropSession = {
  /** Regular files in the drop directory (not sub-directories). */
  list(): Promise<DroppedFile[]>;
  read(name: string): Promise<Uint8Array>;
  /** Moves a landed file into `directory` (relative to the drop directory, created when missing). */
  move(name: string, directory: string): Promise<void>;
  /** Where a file lives, for fetch_log: never carries credentials. */
  describe(name: string): string;
  close(): Promise<void>;
};

/**
 * A dataset delivered as files into a drop directory instead of answering windows. The file-drop
 * worker polls it, lands each file (by name, size, mtime and sha256) once, and publishes the
 * file's bytes as the raw payload through the same path as windows; `parse` reads one file.
 */
export type FileSource = {
  open(ctx: FileDropContext): Promise<FileDropSession>;
  /** Does this file name belong to this dataset (several feeds may share one directory)? */
  matches(name: string): boolean;
  contentType: string;
  /** After landing: leave the file, or move it into a sub-directory (worker_config may override). */
  afterLanding: 'leave' | { moveTo: string };
};

/** A dataset's worker in one environment, before the worker YAML's overrides. */
export type WorkerDefaults = {
  enabled: boolean;
  /** Only these partitions; all of the dataset's when unset. */
  partitions?: readonly string[];
  /** First-run depth, overriding `window.backfill`. */
  backfill?: IsoDuration;
  /** A fixed period replacing the cadence. */
  every?: IsoDuration;
};

/**
 * A recorded (or documented-shape) payload of a dataset, under `providers/<provider>/fixtures/<file>`.
 * Its golden file is `<file without extension>.expected.jsonl` beside it: the parse output, reviewed
 * by hand once and regenerated only by `npm run golden`.
 */
/**
 * What a parse may be told beside the bytes. `partition`: the one the payload was fetched for, for the
 * request parameters an answer does not repeat (Nord Pool's aggregates name no currency). `notes`:
 * where a parser says what it dropped or overrode as its provider documents it (a Point outside its
 * Period, a position given twice): the caller logs them with the provider, dataset and window.
 */
export type ParseContext = { partition?: string; notes?: string[] };

export type DatasetFixture = {
  file: string;
  /** Where it came from; SOURCES.md beside the fixtures says more. */
  source: 'recorded' | 'documented-shape' | 'constructed';
  /** The partition it was fetched for, handed to `parse` as ingestion does (an answer that does not repeat its request). */
  partition?: string;
};

export type Dataset = {
  /** `provider.dataset`, snake_case. */
  id: string;
  provider: string;
  title: string;
  /** The resolution(s) its series use, for the catalogue. */
  resolution: string;
  /** Unit(s) of its series, for the catalogue. */
  unit: string;
  /** Dimensions every series of the dataset carries. */
  dimensions: readonly string[];
  /** Dimensions only some series carry (e.g. a price category some zones publish and others do not). */
  optionalDimensions?: readonly string[];
  cadence: Cadence;
  window: WindowPolicy;
  /** Independent slices with their own watermark (e.g. bidding zones); `['all']` when one request covers everything. */
  partitions: readonly string[];
  validation: ValidationRules;
  /** I/O only: the bytes of one window, as the source sent them. */
  fetch(window: Interval, partition: string, ctx: FetchContext): Promise<FetchedPayload>;
  /** Pure: bytes in, observations out; throws ParseError. */
  parse(body: Uint8Array, context?: ParseContext): Observation[];
  /**
   * Pure: does this payload belong to this dataset? Used by `scalar parse` detection: exactly one
   * dataset of a provider must claim a payload. Cheap (field sets, envelope keys), never throws.
   */
  detect(body: Uint8Array): boolean;
  /**
   * Datasets whose payloads this one's cannot be told apart from by content (JAO's per-border
   * tables share one shape); `scalar parse` then needs `--dataset`. Empty for almost every dataset.
   */
  sharesPayloadWith?: readonly string[];
  /**
   * Worker defaults per environment (`development`, `production`, ...); an environment not named runs
   * it disabled. `deployment/workers/<env>.yaml` overrides them by id.
   */
  workers: Readonly<Record<string, WorkerDefaults>>;
  /** At least one per dataset; the conformance suite parses each and compares with its golden file. */
  fixtures: readonly DatasetFixture[];
  /** A streaming dataset: the stream worker runs it, the window scheduler leaves it alone. */
  stream?: StreamSource;
  /** A file-drop dataset: the file-drop worker runs it, the window scheduler leaves it alone. */
  files?: FileSource;
  /** The slots a complete delivery day holds (completeness ledger, gap repair); unset: not tracked. */
  expected?: ExpectedSlots;
  /** What its series measure in the cross-provider vocabulary (signals, reconciliation); unset: nothing shared. */
  measures?: readonly Measure[];
  // --- quality ---
  /** Rules for values that are possible but suspicious: stored and flagged, never rejected (quality/plausibility.ts). */
  plausibility?: readonly PlausibilityRule[];
  // --- end quality ---
  /**
   * Traded-contract datasets (intraday trades): the delivery period a `contract` dimension value
   * stands for, from the provider's contract naming; undefined for a contract it cannot read.
   */
  deliveryOf?(contract: string): { start: Date; resolution: IsoDuration } | undefined;
};

/**
 * Quantities several providers publish. Signals and cross-provider reconciliation choose their
 * inputs by quantity and zone (`shared/measures.ts`), so neither names a provider.
 */
export type Quantity =
  | 'price.day_ahead'
  | 'price.intraday'
  | 'price.imbalance'
  | 'load'
  | 'generation.solar'
  | 'generation.wind_onshore'
  | 'generation.wind_offshore'
  | 'generation.total'
  | 'flow.physical'
  | 'flow.scheduled'
  | 'capacity.offered'
  | 'imbalance.volume'
  /** Individual intraday trades: `metric` price (EUR/MWh) and volume (MW) rows per trade, at the trade time, per `contract`. */
  | 'trades.intraday';

/** One quantity a dataset carries, and which of its series carry it. */
export type Measure = {
  quantity: Quantity;
  /** Metered/settled, forecast (then `horizon` says which) or scheduled (nominations, commercial schedules). */
  kind: 'actual' | 'forecast' | 'scheduled';
  horizon?: 'day_ahead' | 'intraday' | 'week_ahead';
  /** Dimension values a series must carry to be this quantity (`{ psrType: 'B16' }`); unset: every series. */
  where?: Readonly<Record<string, string>>;
  /** Unit of the values when the dataset mixes units (`EUR/MWh`); unset: every series of the measure shares one. */
  unit?: string;
  /**
   * `sum`: the matching series of one zone are parts (regions, grid connection types) that add up to
   * the zone's quantity per slot. Unset: each matching series is the quantity by itself.
   */
  aggregate?: 'sum';
};

export type Simulator = {
  /** Base URL the provider client should use instead of the public API. */
  url: string;
  /** Further endpoints of the same simulator by name (e.g. a WebSocket stream), for display. */
  urls?: Readonly<Record<string, string>>;
  /** Secrets the simulator expects (its token), for the demo to hand to the clients. */
  secrets?: Readonly<Record<string, string>>;
  /** Switches fault injection (rates per fault kind); simulators without faults leave it out. */
  setFaults?(plan: Partial<FaultPlan>): void;
  close(): Promise<void>;
};

export type Provider = {
  id: string;
  title: string;
  /** Public API base URL. */
  baseUrl: string;
  datasets: readonly Dataset[];
  /** Requests per minute all of its workers together may send (one limiter per process). */
  ratePerMinute?: number;
  /** Reference tables `scalar datasets` prints (area codes, production types, ...). */
  reference?: readonly { title: string; header: readonly string[]; rows: readonly (readonly string[])[] }[];
  /** Accepts readable names in `--where` filters (`area=FR` for the EIC code the data carries). */
  normalizeFilter?(key: string, value: string): string;
  /** A readable label of a dimension value (the zone code `FR` for an EIC), or undefined to show the value itself. */
  dimensionLabel?(key: string, value: string): string | undefined;
  /** How its series name bidding zones (providers/<p>/zones.ts); ingestion adds the canonical `zone` from it. */
  zones?: ZoneMapping;
  /** Raw value → readable code of a dimension (EIC → zone code), for tables and the analyst views; undefined when none. */
  displayCodes?(dimension: string): Readonly<Record<string, string>> | undefined;
  startSimulator(options?: { port?: number }): Promise<Simulator>;
};

/**
 * What a complete delivery day of a dataset holds, for the completeness ledger: per partition, the
 * series that must exist and one slot per step of the day's resolution (counted in `window.tz`, so a
 * DST day has 92/100 quarter-hours), and by when they are published.
 */
export type ExpectedSlots = {
  /** Slot length of delivery days starting at or after `from`; the last entry that applies wins. */
  resolutions: readonly { from?: Date; resolution: IsoDuration }[];
  /**
   * The series each partition must deliver, as dimension subsets: a slot is present when any stored
   * series carrying all of those dimensions has a row (a null value counts: the source said so).
   */
  series(partition: string, day: { start: Date; resolution: IsoDuration }): readonly Series[];
  /**
   * When a slot is due: `dayBefore` a local time (HH:mm) on the day before delivery (auction results),
   * or `afterSlot` this long after the slot ends (actuals).
   */
  due: { dayBefore: string } | { afterSlot: IsoDuration };
};

// --- quality ---
/** Dimension values a series must carry for a rule to apply to it; unset: every series. */
type SeriesFilter = Readonly<Record<string, string>>;

/**
 * A plausibility rule (quality/plausibility.ts evaluates them after a batch commits). A value that
 * breaks one is stored as it came and flagged with the rule's name and a readable detail.
 */
export type PlausibilityRule =
  /** Outside [min, max] of `unit`: possible (inside `validation.plausible`), but rare enough to look at. */
  | { rule: 'range'; unit: string; min: number; max: number; where?: SeriesFilter }
  /**
   * A step from the series' previous value larger than `maxStep`, or than `spreads` (10) × the robust
   * spread (1.4826 × the median absolute deviation) of its values over the preceding `history` (at
   * least `minHistory`, 8, values; `minSpread` keeps a flat series from flagging every change). A
   * value close to a flagged one is a new level, not another jump.
   */
  | { rule: 'jump'; history: IsoDuration; spreads?: number; maxStep?: number; minSpread?: number; minHistory?: number; where?: SeriesFilter }
  /**
   * Above (1 + tolerance) × the installed capacity: the newest value at or before the instant of
   * `capacity.dataset`'s series that carries the same values of the `match` dimensions.
   */
  | { rule: 'capacity'; capacity: { dataset: string; where?: SeriesFilter }; match: readonly string[]; tolerance: number; where?: SeriesFilter }
  /**
   * This dataset's value (per zone, hourly mean) against Σ sign × the hourly means of the terms'
   * series in the same zone: flagged when |value − Σ| > tolerance × |value|. `zone` names the
   * dimension holding the zone, in this dataset's series and in each term's. A required term
   * without values in an hour skips that hour (missing data is the ledger's business, not a flag).
   */
  | {
      rule: 'balance';
      zone: string;
      tolerance: number;
      terms: readonly { dataset: string; zone: string; sign: 1 | -1; where?: SeriesFilter; required?: boolean }[];
      where?: SeriesFilter;
    };
// --- end quality ---
