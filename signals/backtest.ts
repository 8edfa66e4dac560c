// Rolling-origin backtest of the imbalance-price forecast: for every delivery day in [from, to) the
// model is refitted on the 28 days before that day's origin and predicts the day (forecastZone does
// exactly this), beside the persistence and climatology baselines known at the same origin. Scored
// on the same slots for all three: the slots where the outcome and every prediction exist.
import type { Dataset } from '../shared/dataset.ts';
import { ConfigError } from '../shared/errors.ts';
import type { Store } from '../shared/store/index.ts';
import { addDuration } from '../shared/time.ts';
import { TRAINING_DAYS, forecastInputs, forecastZone, zoneInputs, type ForecastSlot } from './imbalance-forecast.ts';
import { labelled } from './inputs.ts';
import type { SignalContext } from './signal.ts';

export type Score = { model: 'ridge' | 'persistence' | 'climatology'; mae: number; rmse: number; hitRate: number };
export type BacktestReport = { zone: string; from: Date; to: Date; slots: number; days: number; scores: Score[] };

/**
 * Pure. MAE and RMSE of each prediction against the outcome (EUR/MWh); hit rate: the share of slots
 * whose predicted side of the day-ahead price (above / below) is the outcome's, slots where the
 * outcome equals the day-ahead price left out of it.
 */
export function scoreBacktest(slots: readonly ForecastSlot[]): { slots: number; scores: Score[] } {
  const scored = slots.filter((s) => s.actual !== undefined && s.persistence !== undefined && s.climatology !== undefined);
  const predictions = { ridge: (s: ForecastSlot) => s.level, persistence: (s: ForecastSlot) => s.persistence!, climatology: (s: ForecastSlot) => s.climatology! };
  const scores = (Object.keys(predictions) as Score['model'][]).map((model): Score => {
    let abs = 0;
    let sq = 0;
    let hits = 0;
    let sided = 0;
    for (const s of scored) {
      const e = predictions[model](s) - s.actual!;
      abs += Math.abs(e);
      sq += e * e;
      const side = Math.sign(s.actual! - s.dayAhead);
      if (side !== 0) {
        sided++;
        if (Math.sign(predictions[model](s) - s.dayAhead) === side) hits++;
      }
    }
    const n = scored.length;
    return { model, mae: n ? abs / n : NaN, rmse: n ? Math.sqrt(sq / n) : NaN, hitRate: sided ? hits / sided : NaN };
  });
  return { slots: scored.length, scores };
}

/** Reads the zone's inputs from the store (training history included) and scores [from, to). */
export async function backtestImbalance(
  deps: { store: Store; datasets: readonly Dataset[]; ctx: SignalContext },
  o: { zone: string; from: Date; to: Date },
): Promise<BacktestReport> {
  const tz = deps.ctx.timeZoneOf(o.zone);
  if (!tz) throw new ConfigError(`backtest: ${o.zone} is not a zone of the vocabulary`);
  if (o.to <= o.from) throw new ConfigError('backtest: --to must be after --from');
  const inputs = forecastInputs(deps.datasets);
  const readFrom = addDuration(o.from, `P${TRAINING_DAYS + 2}D`, 'UTC', -1);
  const rows = await Promise.all(inputs.map((i) => deps.store.queryObservations({ dataset: i.dataset, from: readFrom, to: o.to, where: { ...i.where, zone: o.zone } })));
  const data = zoneInputs(labelled(inputs, rows), [o.zone]).get(o.zone);
  const slots = data ? forecastZone(data, tz, o.from, o.to) : [];
  const { slots: n, scores } = scoreBacktest(slots);
  const days = new Set(slots.filter((s) => s.actual !== undefined).map((s) => s.ts.toISOString().slice(0, 10))).size;
  return { zone: o.zone, from: o.from, to: o.to, slots: n, days, scores };
}
