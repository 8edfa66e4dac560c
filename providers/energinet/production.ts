// Production and exchange: the 5-minute real-time measurements and the hourly settlement.
// Wide records: one series per value field, the provider's field name as `metric`, per price area.
import { ENERGINET_TZ } from './client.ts';
import { PRICE_AREAS, completedIntervals, energinetDataset, settledDays } from './descriptor.ts';

/**
 * ElectricityProdex5MinRealtime: production by type and exchange per connection, MW, every 5 minutes.
 * Exchange signs are per area (the Great Belt flow is -x in DK1 and +x in DK2); a connection an area
 * does not have is null there (DK2 ExchangeNorway), never 0.
 */
export const productionExchange5Min = energinetDataset({
  id: 'energinet.production_exchange_5min',
  title: 'Real-time production and exchange per price area, 5-minute (ElectricityProdex5MinRealtime)',
  unit: 'MW',
  dimensions: ['area', 'metric'],
  cadence: { every: 'PT5M' },
  // Day-aligned windows (the API's start/end are local time; a sub-day window could land in the
  // repeated fall-back hour). Two days of lookback re-read yesterday's last intervals after midnight.
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P2D', lookback: 'P2D', horizon: 'P1D', backfill: 'P7D' },
  partitions: PRICE_AREAS,
  // Danish offshore wind is ~2.7 GW, the largest interconnector ~1.7 GW: a wide margin around both.
  validation: { plausible: { MW: [-10_000, 15_000] }, maxLead: 'PT1H' },
  // The settlement splits solar and wind by plant size (no single column): only this feed carries them whole.
  measures: [
    { quantity: 'generation.solar', kind: 'actual', where: { metric: 'SolarPower' } },
    { quantity: 'generation.wind_onshore', kind: 'actual', where: { metric: 'OnshoreWindPower' } },
    { quantity: 'generation.wind_offshore', kind: 'actual', where: { metric: 'OffshoreWindPower' } },
  ],
  workers: { development: { enabled: true, backfill: 'PT6H' }, production: { enabled: true, backfill: 'P30D' } },
  fixtures: [{ file: 'ElectricityProdex5MinRealtime_limit100.json', source: 'recorded' }],
  layout: {
    datasetId: 'energinet.production_exchange_5min',
    apiName: 'ElectricityProdex5MinRealtime',
    timeField: 'Minutes5UTC',
    resolution: 'PT5M',
    keys: { PriceArea: 'area' },
    values: { wide: { dimension: 'metric', unitOf: () => 'MW' } },
  },
  signature: ['Minutes5UTC', 'ExchangeGreatBelt'],
  partitionField: 'PriceArea',
  simulation: { profiles: ['ElectricityProdex5MinRealtime_limit100.json'], publishedUntil: completedIntervals('PT5M') },
});

/**
 * ProductionConsumptionSettlement: settled hourly production by type, exchange and consumption,
 * MWh per hour and price area (column names as Energi Data Service documents them, e.g.
 * `OffshoreWindGe100MW_MWh`, `GrossConsumptionMWh`).
 */
export const productionConsumptionSettlement = energinetDataset({
  id: 'energinet.production_consumption_settlement',
  title: 'Settled production, exchange and consumption per price area, hourly (ProductionConsumptionSettlement)',
  unit: 'MWh',
  dimensions: ['area', 'metric'],
  cadence: { cron: '0 7 * * *', tz: ENERGINET_TZ },
  // Settlement arrives days after the operating day and is revised: re-read ten days every run.
  window: { align: 'P1D', tz: ENERGINET_TZ, maxSpan: 'P31D', lookback: 'P10D', horizon: 'PT0S', backfill: 'P60D' },
  partitions: PRICE_AREAS,
  validation: { plausible: { MWh: [-10_000, 15_000] }, maxLead: 'PT1H' },
  workers: { development: { enabled: false, backfill: 'P7D' }, production: { enabled: true, backfill: 'P90D' } },
  fixtures: [{ file: 'ProductionConsumptionSettlement_DK1-DK2_2025-10-26_fall_back.json', source: 'documented-shape' }],
  // signals: settled gross consumption (MWh per hour = mean MW) is the zone's load for its residual load.
  measures: [{ quantity: 'load', kind: 'actual', where: { metric: 'GrossConsumptionMWh' } }],
  layout: {
    datasetId: 'energinet.production_consumption_settlement',
    apiName: 'ProductionConsumptionSettlement',
    timeField: 'HourUTC',
    resolution: 'PT60M',
    keys: { PriceArea: 'area' },
    values: { wide: { dimension: 'metric', unitOf: () => 'MWh' } },
  },
  signature: ['HourUTC', 'GrossConsumptionMWh'],
  partitionField: 'PriceArea',
  // The publication lag is not documented where we could read it (VERIFY); three days is assumed.
  simulation: { profiles: ['ProductionConsumptionSettlement_DK1-DK2_2025-10-26_fall_back.json'], publishedUntil: settledDays(3) },
});
