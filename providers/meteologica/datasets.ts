// Meteologica datasets: one per feed of the contract. Each feed is a file-name pattern in the drop
// directory plus the description its parser follows (parse.ts). Files carry their issue time in the
// name and on every row; the row's issue time becomes `issued`, so every vintage is kept apart from
// the value instant and the latest issue wins per instant in the store.
import type { Dataset, FileSource } from '../../shared/dataset.ts';
import { ConfigError } from '../../shared/errors.ts';
import { openMeteologicaSftp } from './client.ts';
import { matchesFeedHeader, parseForecastFile, type FeedDescription } from './parse.ts';

export type MeteologicaDataset = Dataset & { feed: FeedDescription; fileName: RegExp };

// Files are delivered a few times a day; a poll a minute notices one soon enough.
const window = { align: 'PT1H', tz: 'UTC', maxSpan: 'P1D', lookback: 'PT0S', horizon: 'P15D', backfill: 'P1D' } as const;

function dataset(d: Omit<MeteologicaDataset, 'provider' | 'fetch' | 'parse' | 'detect' | 'files' | 'partitions' | 'dimensions' | 'cadence' | 'window' | 'unit' | 'resolution'>): MeteologicaDataset {
  const files: FileSource = {
    open: (ctx) => openMeteologicaSftp(ctx),
    matches: (name) => d.fileName.test(name),
    contentType: 'text/csv',
    afterLanding: 'leave',
  };
  return {
    provider: 'meteologica',
    dimensions: ['area', 'variable', 'quantile'],
    partitions: ['all'],
    cadence: { every: 'PT1M' },
    window,
    unit: d.feed.unit,
    resolution: d.feed.resolution,
    ...d,
    files,
    fetch: () => Promise.reject(new ConfigError(`${d.id} is delivered as files: the file-drop worker lands it, there are no windows to fetch`)),
    parse: (body) => parseForecastFile(d.feed, body),
    detect: (body) => matchesFeedHeader(d.feed, body),
  };
}

export const meteologicaDatasets: readonly MeteologicaDataset[] = [
  dataset({
    id: 'meteologica.wind_power_forecasts',
    title: 'Wind power forecasts (point and P10/P50/P90), one file per issue',
    fileName: /^[A-Z]{2}_wind_power_\d{12}\.csv$/,
    feed: {
      dataset: 'meteologica.wind_power_forecasts',
      delimiter: ';',
      decimal: ',',
      timeZone: 'Europe/Berlin',
      resolution: 'PT60M',
      unit: 'MW',
      variable: 'wind_power',
      columns: { issued: 'IssueDate', valueTime: 'ForecastDate', area: 'Zone', point: 'Forecast', percentiles: { p10: 'P10', p50: 'P50', p90: 'P90' } },
    },
    validation: { plausible: { MW: [0, 200_000] }, maxLead: 'P16D' },
    workers: { development: { enabled: true }, production: { enabled: true } },
    fixtures: [{ file: 'DE_wind_power_202510250800.csv', source: 'documented-shape' }],
  }),
  dataset({
    id: 'meteologica.price_forecasts',
    title: 'Day-ahead price forecasts (point and 5 %/95 % quantiles), one file per issue',
    fileName: /^[A-Z]{2}_price_\d{12}\.csv$/,
    feed: {
      dataset: 'meteologica.price_forecasts',
      delimiter: ',',
      decimal: '.',
      timeZone: 'UTC',
      resolution: 'PT60M',
      unit: 'EUR/MWh',
      variable: 'price',
      columns: { issued: 'issue_time', valueTime: 'delivery_start', area: 'area', point: 'price', percentiles: { p05: 'q05', p95: 'q95' } },
    },
    validation: { plausible: { 'EUR/MWh': [-10_000, 20_000] }, maxLead: 'P16D' },
    workers: { development: { enabled: true }, production: { enabled: true } },
    fixtures: [{ file: 'ES_price_202511041000.csv', source: 'documented-shape' }],
  }),
];
