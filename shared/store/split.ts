// The Store port in two parts: the observation store (observations, series, the views and zones
// analysts join them with) and the control store (watermarks, leases, worker config, fetch log, raw
// payload index, dead letters, ledger). Both can be one database (the default), or observations can
// live in StarRocks while the control plane lives on a transactional database (MySQL/MariaDB,
// DuckDB): its leases are then a real compare-and-set, not StarRocks' read-then-write.
import type { Store } from './types.ts';

/** The Store methods that read or write observations; `migrate`, `ping` and `close` go to both parts. */
export const OBSERVATION_METHODS = [
  'upsertObservations',
  'queryObservations',
  'countObservations',
  'newestObservations',
  'listSeries',
  'observationPages',
  'listAllSeries',
  'replaceViews',
  'syncZones',
  'listZones',
  // vintages and plausibility flags sit beside the values they describe
  'listRevisions',
  'pruneRevisions',
  'replaceQualityFlags',
  'listQualityFlags',
] as const satisfies readonly (keyof Store)[];

const BOTH = ['migrate', 'ping', 'close'] as const satisfies readonly (keyof Store)[];

/** Every other method: the control plane. */
export const CONTROL_METHODS = [
  'getWatermark',
  'advanceWatermark',
  'listWatermarks',
  'appendFetchLog',
  'setFetchRows',
  'listFetchLog',
  'listFetchLogSince',
  'listUnlandedWindows',
  'listLandedWindows',
  'listWorkerConfig',
  'seedWorkerConfig',
  'setWorkerEnabled',
  'acquireLease',
  'renewLease',
  'releaseLease',
  'recordRawPayload',
  'listRawPayloads',
  'recordDeadLetter',
  'listDeadLetters',
  'markDeadLetterReplayed',
  'listFileDrops',
  'recordFileDrop',
  'upsertLedger',
  'listLedger',
  'addKnownGap',
  'listKnownGaps',
  'recordRawPayloads',
  'setFetchRowsMany',
  'recordDeadLetters',
  // the paper-trading desk: transactional bookkeeping
  'saveOrders',
  'listOrders',
  'saveFills',
  'listFills',
  'saveBookState',
  'listBookStates',
  'replaceValuation',
  'listPositions',
  'listPnl',
] as const satisfies readonly (keyof Store)[];

type ObservationMethod = (typeof OBSERVATION_METHODS)[number];
export type ObservationStore = Pick<Store, ObservationMethod | (typeof BOTH)[number]>;
export type ControlStore = Omit<Store, ObservationMethod>;

// A method added to Store must be placed in one list (a new Store method fails to typecheck here until it is).
type Unplaced = Exclude<keyof Store, ObservationMethod | (typeof CONTROL_METHODS)[number] | (typeof BOTH)[number]>;
const everyMethodPlaced: [Unplaced] extends [never] ? true : { unplaced: Unplaced } = true;
void everyMethodPlaced;

/** One Store whose observation methods go to `observations` and the rest to `control`. */
export function splitStore(observations: ObservationStore, control: ControlStore): Store {
  if ((observations as object) === control) return control as Store;
  const routed: Record<string, unknown> = {};
  const route = (from: object, names: readonly string[]) => {
    for (const name of names) {
      const f = (from as Record<string, unknown>)[name];
      if (typeof f === 'function') routed[name] = (f as (...a: unknown[]) => unknown).bind(from);
    }
  };
  route(observations, OBSERVATION_METHODS);
  route(control, CONTROL_METHODS);
  routed.migrate = async () => {
    await control.migrate();
    await observations.migrate();
  };
  routed.close = async () => {
    try {
      await observations.close();
    } finally {
      await control.close();
    }
  };
  if (observations.ping || control.ping) {
    routed.ping = async () => {
      await control.ping?.();
      await observations.ping?.();
    };
  }
  return routed as Store;
}
