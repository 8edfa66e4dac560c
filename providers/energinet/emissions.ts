// CO2 intensity of Danish electricity, g/kWh per price area and 5 minutes: measured (CO2Emis) and
// the prognosis (CO2EmisProg). The two share a field set, so a bare record array of either is
// ambiguous (`scalar parse --dataset` decides); their envelopes name them.
import type { ValidationRules } from '../../shared/dataset.ts';
import { ENERGINET_TZ } from './client.ts';
import { PRICE_AREAS, completedIntervals, dayAheadFrom, energinetDataset } from './descriptor.ts';
import type { RecordLayout } from './records.ts';

const layout = (datasetId: string, apiName: string): RecordLayout => ({
  datasetId,
  apiName,
  timeField: 'Minutes5UTC',
  resolution: 'PT5M',
  keys: { PriceArea: 'area' },
  values: { wide: { dimension: 'metric', unitOf: () => 'g/kWh' } },
});

// Coal-fired power is ~1 000 g/kWh; a mix cannot exceed its dirtiest source.
const rules = (maxLead: string): ValidationRules => ({ plausible: { 'g/kWh': [0, 1500] }, maxLead });

export const co2Emission = energinetDataset({
  id: 'energinet.co2_emission',
  title: 'CO2 emission intensity per price area, 5-minute (CO2Emis)',
  unit: 'g/kWh',
  dimensions: ['area', 'metric'],
  cadence: { every: 'PT5M' },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P2D', lookback: 'P2D', horizon: 'P1D', backfill: 'P7D' },
  partitions: PRICE_AREAS,
  validation: rules('PT1H'),
  workers: { development: { enabled: true, backfill: 'PT6H' }, production: { enabled: true, backfill: 'P30D' } },
  fixtures: [{ file: 'CO2Emis_DK1-DK2_2025-11-05T10-12.json', source: 'documented-shape' }],
  layout: layout('energinet.co2_emission', 'CO2Emis'),
  signature: ['Minutes5UTC', 'CO2Emission'],
  partitionField: 'PriceArea',
  simulation: { profiles: ['CO2Emis_DK1-DK2_2025-11-05T10-12.json'], publishedUntil: completedIntervals('PT5M') },
});

export const co2EmissionForecast = energinetDataset({
  id: 'energinet.co2_emission_forecast',
  title: 'CO2 emission intensity prognosis per price area, 5-minute (CO2EmisProg)',
  unit: 'g/kWh',
  dimensions: ['area', 'metric'],
  cadence: { cron: '40 * * * *', tz: ENERGINET_TZ },
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P2D', lookback: 'P2D', horizon: 'P2D', backfill: 'P7D' },
  partitions: PRICE_AREAS,
  validation: rules('P2D'),
  workers: { development: { enabled: false, backfill: 'P2D' }, production: { enabled: true, backfill: 'P30D' } },
  fixtures: [{ file: 'CO2EmisProg_DK1-DK2_2025-10-26_fall_back.json', source: 'documented-shape' }],
  layout: layout('energinet.co2_emission_forecast', 'CO2EmisProg'),
  signature: ['Minutes5UTC', 'CO2Emission'],
  partitionField: 'PriceArea',
  // The prognosis covers today and tomorrow once tomorrow's day-ahead result is in (VERIFY the hour).
  simulation: { profiles: ['CO2EmisProg_DK1-DK2_2025-10-26_fall_back.json'], publishedUntil: dayAheadFrom(15) },
});
