// Volue Insight datasets: one per curve type, partitioned by curve name. Which curves a deployment
// reads is a worker setting (`partitions`); the catalogue below is what the simulator and the demo
// know. Each curve names the fixture the simulator serves it from.
import type { Dataset, ValidationRules, WindowPolicy } from '../../shared/dataset.ts';
import { fetchCurve, type CurveType } from './client.ts';
import { parseVolue, readVoluePayload } from './parse.ts';

export type VolueDataset = Dataset & { curveType: CurveType; curves: Readonly<Record<string, string>> };

const rules = (maxLead: string): ValidationRules => ({
  plausible: { MW: [-200_000, 300_000], 'EUR/MWh': [-10_000, 20_000], '°C': [-60, 60], MWh: [-1e9, 1e9], '%': [-1000, 1000] },
  maxLead,
});
// Actuals and spot prices: by delivery day, re-reading two days for revisions.
const seriesWindow: WindowPolicy = { align: 'P1D', tz: 'UTC', maxSpan: 'P31D', lookback: 'P2D', horizon: 'P2D', backfill: 'P7D' };
// Forecast instances: a window is the issues published in it (issue times up to now).
const instanceWindow: WindowPolicy = { align: 'PT6H', tz: 'UTC', maxSpan: 'P2D', lookback: 'PT12H', horizon: 'PT0S', backfill: 'P2D' };

function dataset(d: Omit<VolueDataset, 'provider' | 'fetch' | 'parse' | 'detect' | 'partitions' | 'dimensions' | 'unit'> & { unit?: string }): VolueDataset {
  return {
    provider: 'volue',
    dimensions: ['curve', 'area', 'tag'],
    unit: d.unit ?? 'MW, EUR/MWh, °C (from the curve)',
    ...d,
    partitions: Object.keys(d.curves),
    fetch: (window, curve, ctx) => fetchCurve(curve, d.curveType, window, ctx),
    parse: (body) => parseVolue(d.id, body),
    detect: (body) => {
      try {
        return readVoluePayload(body).curve.curve_type === d.curveType;
      } catch {
        return false;
      }
    },
  };
}

export const volueDatasets: readonly VolueDataset[] = [
  dataset({
    id: 'volue.series',
    title: 'Time series curves (actuals, spot prices) by curve name',
    resolution: 'the curve\'s frequency',
    curveType: 'TIME_SERIES',
    curves: { 'pri de spot €/mwh cet h a': 'volue_series_pri_de_spot_2025-10-26.json', 'wnd de mwh/h cet min15 a': 'volue_series_wnd_de_2025-03-30.json' },
    cadence: { cron: '15 * * * *', tz: 'UTC' },
    window: seriesWindow,
    validation: rules('P2D'),
    workers: { development: { enabled: true, backfill: 'P2D' }, production: { enabled: true, backfill: 'P30D' } },
    fixtures: [
      { file: 'volue_series_pri_de_spot_2025-10-26.json', source: 'documented-shape' },
      { file: 'volue_series_wnd_de_2025-03-30.json', source: 'documented-shape' },
    ],
  }),
  dataset({
    id: 'volue.tagged_series',
    title: 'Tagged curves (normals and bands, scenarios): one series per tag',
    resolution: 'the curve\'s frequency',
    curveType: 'TAGGED',
    curves: { 'tt de con °c cet h n': 'volue_tagged_tt_de_2025-11-05.json' },
    cadence: { cron: '20 5 * * *', tz: 'UTC' },
    window: { ...seriesWindow, horizon: 'P14D' },
    validation: rules('P400D'),
    workers: { development: { enabled: false }, production: { enabled: true, backfill: 'P30D' } },
    fixtures: [{ file: 'volue_tagged_tt_de_2025-11-05.json', source: 'documented-shape' }],
  }),
  dataset({
    id: 'volue.forecasts',
    title: 'Forecast instances (each issue\'s time as `issued`; the latest issue wins per instant)',
    resolution: 'the curve\'s frequency',
    curveType: 'INSTANCES',
    curves: { 'con de ec00 mwh/h cet min15 f': 'volue_instances_con_de_ec00_2025-11-05.json' },
    cadence: { cron: '40 */6 * * *', tz: 'UTC' },
    window: instanceWindow,
    validation: rules('P16D'),
    workers: { development: { enabled: true, backfill: 'P1D' }, production: { enabled: true, backfill: 'P7D' } },
    fixtures: [{ file: 'volue_instances_con_de_ec00_2025-11-05.json', source: 'documented-shape' }],
  }),
  dataset({
    id: 'volue.ensemble_forecasts',
    title: 'Tagged forecast instances (ensemble members and their average), one series per tag',
    resolution: 'the curve\'s frequency',
    curveType: 'TAGGED_INSTANCES',
    curves: { 'spv de ec00ens mwh/h cet min15 f': 'volue_tagged_instances_spv_de_ec00ens_2025-11-05.json' },
    cadence: { cron: '45 */6 * * *', tz: 'UTC' },
    window: instanceWindow,
    validation: rules('P16D'),
    workers: { development: { enabled: false }, production: { enabled: true, backfill: 'P7D' } },
    fixtures: [{ file: 'volue_tagged_instances_spv_de_ec00ens_2025-11-05.json', source: 'documented-shape' }],
  }),
];
