import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { validateObservations } from '../../ingestion/validate.ts';
import { ParseError, ValidationError } from '../../shared/errors.ts';
import { seriesKey, type Observation } from '../../shared/observation.ts';
import { dedupeLastWins } from '../../shared/store/rows.ts';
import { entsoeDatasets, parseEntsoeDocument as parseEntsoe } from './datasets.ts';
import { AcknowledgementError, MAX_NOTES } from './parse.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const parse = (name: string) => parseEntsoe(fixture(name));
/** Observations of one series (matching every given dimension), in time order. */
const seriesOf = (obs: Observation[], dims: Record<string, string>) =>
  obs.filter((o) => Object.entries(dims).every(([k, v]) => o.series[k] === v)).sort((a, b) => a.ts.getTime() - b.ts.getTime());
const at = (obs: Observation[], ts: string) => obs.find((o) => o.ts.toISOString() === ts)?.value;

describe('ENTSO-E A44 day-ahead prices', () => {
  it('FR, A01: two daily series of 24 hours, exact first and last values', () => {
    const doc = parse('a44_fr_a01_pt60m_2ts.xml');
    assert.equal(doc.dataset, 'entsoe.day_ahead_prices');
    assert.equal(doc.observations.length, 48);
    const fr = seriesOf(doc.observations, { area: '10YFR-RTE------C', resolution: 'PT60M', sequence: '1' });
    assert.equal(fr.length, 48);
    assert.deepEqual([fr[0]!.ts.toISOString(), fr[0]!.value, fr[0]!.unit], ['2023-05-06T22:00:00.000Z', 106.78, 'EUR/MWh']);
    assert.equal(at(fr, '2023-05-07T21:00:00.000Z'), 97.99);
    assert.equal(at(fr, '2023-05-07T22:00:00.000Z'), 98.24);
    assert.equal(at(fr, '2023-05-08T21:00:00.000Z'), 104.04);
  });

  it('ES, A03 across the 15-minute switch: hourly and quarter-hourly series kept apart, omitted points filled', () => {
    const obs = parse('a44_es_a03_mtu_switch_2025-10-01.xml').observations;
    assert.equal(obs.length, 240);
    const hourly = seriesOf(obs, { resolution: 'PT60M' });
    const quarter = seriesOf(obs, { resolution: 'PT15M' });
    assert.deepEqual([hourly.length, quarter.length], [48, 192]);
    assert.equal(at(hourly, '2025-09-28T22:00:00.000Z'), 51.6);
    assert.equal(at(hourly, '2025-09-30T21:00:00.000Z'), 101.5);
    assert.equal(quarter[0]!.ts.toISOString(), '2025-09-30T22:00:00.000Z');
    assert.equal(quarter[0]!.value, 105.1);
    assert.equal(at(quarter, '2025-10-01T21:45:00.000Z'), 101.52);
    assert.equal(at(quarter, '2025-10-01T22:00:00.000Z'), 105.68);
    assert.equal(quarter.at(-1)!.ts.toISOString(), '2025-10-02T21:45:00.000Z');
    assert.equal(quarter.at(-1)!.value, 103.27);
    // every quarter-hour of both days present once
    assert.equal(new Set(quarter.map((o) => o.ts.getTime())).size, 192);
  });

  it('keeps auction sequences as separate series (DE-LU SDAC and EXAA)', () => {
    const doc = `<?xml version="1.0"?><Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"><type>A44</type>
      ${[1, 2].map((seq) => `<TimeSeries><mRID>${seq}</mRID><businessType>A62</businessType><in_Domain.mRID>10Y1001A1001A82H</in_Domain.mRID><out_Domain.mRID>10Y1001A1001A82H</out_Domain.mRID><classificationSequence_AttributeInstanceComponent.position>${seq}</classificationSequence_AttributeInstanceComponent.position><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A01</curveType><Period><timeInterval><start>2025-10-01T22:00Z</start><end>2025-10-01T23:00Z</end></timeInterval><resolution>PT15M</resolution>${[1, 2, 3, 4].map((p) => `<Point><position>${p}</position><price.amount>${seq * 10 + p}</price.amount></Point>`).join('')}</Period></TimeSeries>`).join('')}
      </Publication_MarketDocument>`;
    const obs = parseEntsoe(doc).observations;
    assert.deepEqual(seriesOf(obs, { sequence: '1' }).map((o) => o.value), [11, 12, 13, 14]);
    assert.deepEqual(seriesOf(obs, { sequence: '2' }).map((o) => o.value), [21, 22, 23, 24]);
  });
});

describe('ENTSO-E units', () => {
  const a44 = (priceUnit: string) => `<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"><type>A44</type>
    <TimeSeries><mRID>1</mRID><businessType>A62</businessType><in_Domain.mRID>10YFR-RTE------C</in_Domain.mRID><out_Domain.mRID>10YFR-RTE------C</out_Domain.mRID><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>${priceUnit}</price_Measure_Unit.name><curveType>A01</curveType>
    <Period><timeInterval><start>2025-10-01T22:00Z</start><end>2025-10-01T22:15Z</end></timeInterval><resolution>PT15M</resolution><Point><position>1</position><price.amount>0.1</price.amount></Point></Period></TimeSeries></Publication_MarketDocument>`;
  const dayAheadPrices = entsoeDatasets.find((d) => d.id === 'entsoe.day_ahead_prices')!;

  it('labels a price per unknown unit with its code, never as per MWh, so validation refuses it', () => {
    const obs = parseEntsoe(a44('KWH')).observations;
    assert.deepEqual(obs.map((o) => [o.value, o.unit]), [[0.1, 'EUR/KWH']]);
    assert.throws(() => validateObservations(dayAheadPrices, obs, new Date('2025-10-03T00:00:00Z')), (e: unknown) => e instanceof ValidationError && /unit EUR\/KWH is not one of EUR\/MWh/.test(e.message));
  });

  it('A85 alike: an unknown price unit keeps its code', () => {
    const doc = `<Balancing_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:balancingdocument:4:4"><type>A85</type><area_Domain.mRID>10YBE----------2</area_Domain.mRID>
      <TimeSeries><mRID>1</mRID><businessType>A19</businessType><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>KWH</price_Measure_Unit.name><curveType>A01</curveType>
      <Period><timeInterval><start>2025-10-13T22:00Z</start><end>2025-10-13T22:15Z</end></timeInterval><resolution>PT15M</resolution><Point><position>1</position><imbalance_Price.amount>0.09</imbalance_Price.amount><imbalance_Price.category>A04</imbalance_Price.category></Point></Period></TimeSeries></Balancing_MarketDocument>`;
    assert.deepEqual(parseEntsoe(doc).observations.map((o) => o.unit), ['EUR/KWH']);
  });

  it('reads MWH as per MWh', () => {
    assert.deepEqual(parseEntsoe(a44('MWH')).observations.map((o) => o.unit), ['EUR/MWh']);
  });
});

describe('ENTSO-E load, generation, forecasts, capacity, flows, balancing', () => {
  it('A65 actual load DK1: 47 hours, period ends where publication stops', () => {
    const doc = parse('a65_dk1_actual_load_a16.xml');
    assert.equal(doc.dataset, 'entsoe.load_actual');
    const obs = doc.observations;
    assert.equal(obs.length, 47);
    assert.deepEqual([obs[0]!.ts.toISOString(), obs[0]!.value, obs[0]!.unit], ['2023-12-28T15:00:00.000Z', 3031, 'MW']);
    assert.deepEqual([obs.at(-1)!.ts.toISOString(), obs.at(-1)!.value], ['2023-12-30T13:00:00.000Z', 2723]);
  });

  it('A75 SE4 A03: 329 points expand to 355 rows, filled to the end of each period', () => {
    const obs = parse('a75_se4_a03_pt60m.xml').observations;
    assert.equal(obs.length, 355);
    const gas = seriesOf(obs, { psr_type: 'B04' });
    assert.equal(gas.length, 71);
    assert.equal(gas[0]!.value, 0.9);
    assert.deepEqual([gas.at(-1)!.ts.toISOString(), gas.at(-1)!.value], ['2025-10-23T09:00:00.000Z', 0.9]);
    assert.equal(at(seriesOf(obs, { psr_type: 'B12' }), '2025-10-23T09:00:00.000Z'), 80.24725);
    assert.equal(at(seriesOf(obs, { psr_type: 'B19' }), '2025-10-20T11:00:00.000Z'), 1434.47);
    assert.equal(at(seriesOf(obs, { psr_type: 'B20' }), '2025-10-23T09:00:00.000Z'), 149.37175);
  });

  it('A75 BE keeps pumped-storage consumption (outBiddingZone) apart from its generation', () => {
    const obs = parse('a75_be_with_consumption_outbiddingzone.xml').observations;
    assert.equal(obs.length, 26);
    assert.deepEqual(seriesOf(obs, { psr_type: 'B10', direction: 'generation' }).map((o) => o.value), [200, 0]);
    assert.deepEqual(seriesOf(obs, { psr_type: 'B10', direction: 'consumption' }).map((o) => o.value), [50, 715]);
  });

  it('A75 LU PT15M: one psrType split over two TimeSeries joins into one series without a gap', () => {
    const obs = parse('a75_lu_pt15m_split_timeseries.xml').observations;
    assert.equal(obs.length, 2011);
    const biomass = seriesOf(obs, { psr_type: 'B01' });
    assert.equal(biomass.length, 287);
    assert.equal(at(biomass, '2024-05-24T03:30:00.000Z'), 42);
    assert.equal(at(biomass, '2024-05-24T03:45:00.000Z'), undefined); // a real gap (A01): not filled
    assert.equal(at(biomass, '2024-05-24T04:00:00.000Z'), 45);
    assert.equal(seriesOf(obs, { psr_type: 'B16' }).length, 288);
  });

  it('A69 FI: solar and wind per day, 96 quarter-hours each', () => {
    const doc = parse('a69_fi_day_ahead_pt15m.xml');
    assert.equal(doc.dataset, 'entsoe.wind_solar_forecast');
    const wind = seriesOf(doc.observations, { psr_type: 'B19', horizon: 'day_ahead' });
    assert.equal(wind.length, 288);
    assert.equal(at(wind, '2024-02-07T23:00:00.000Z'), 2224);
    assert.equal(at(wind, '2024-02-09T22:45:00.000Z'), 492);
    assert.equal(at(wind, '2024-02-10T22:45:00.000Z'), 1362);
  });

  it('A68 BE installed capacity: one P1Y point per production type', () => {
    const obs = parse('a68_be_installed_capacity_p1y_truncated.xml').observations;
    assert.deepEqual(obs.map((o) => [o.series.psr_type, o.ts.toISOString(), o.resolution, o.value]), [
      ['B01', '2022-12-31T23:00:00.000Z', 'P1Y', 712],
      ['B04', '2022-12-31T23:00:00.000Z', 'P1Y', 6915],
    ]);
  });

  it('A11 DK1→GB: three TimeSeries around outages, never filled across them', () => {
    const obs = parse('a11_dk1_to_gb_multi_ts_gaps.xml').observations;
    assert.equal(obs.length, 44);
    assert.ok(obs.every((o) => o.series.from_area === '10YDK-1--------W' && o.series.to_area === '10YGB----------A'));
    assert.equal(at(obs, '2023-12-20T17:00:00.000Z'), 1362);
    assert.equal(at(obs, '2023-12-22T07:00:00.000Z'), 1);
    assert.equal(at(obs, '2023-12-22T08:00:00.000Z'), undefined);
    assert.equal(at(obs, '2023-12-22T11:00:00.000Z'), undefined);
    assert.equal(at(obs, '2023-12-22T15:00:00.000Z'), 0);
  });

  it('A86 CZ: PT1M balancing volumes with the area from the document header', () => {
    const obs = parse('a86_cz_imbalance_volume_pt1m.xml').observations;
    assert.equal(obs.length, 10);
    assert.deepEqual(obs[0]!.series, { area: '10YCZ-CEPS-----N', business_type: 'B33', direction: 'down', resolution: 'PT1M' });
    assert.deepEqual([obs[0]!.value, obs.at(-1)!.ts.toISOString(), obs.at(-1)!.value], [78.39, '2019-12-19T00:09:00.000Z', 72.1]);
  });

  it('A86 volumes published in MWH are MWh, which the dataset validates', () => {
    const imbalanceVolumes = entsoeDatasets.find((d) => d.id === 'entsoe.imbalance_volumes')!;
    const doc = `<Balancing_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:balancingdocument:4:4"><type>A86</type><process.processType>A16</process.processType><area_Domain.mRID>10YFR-RTE------C</area_Domain.mRID>
      <TimeSeries><mRID>1</mRID><businessType>A19</businessType><flowDirection.direction>A01</flowDirection.direction><quantity_Measure_Unit.name>MWH</quantity_Measure_Unit.name><curveType>A01</curveType>
      <Period><timeInterval><start>2025-04-01T00:00Z</start><end>2025-04-01T00:15Z</end></timeInterval><resolution>PT15M</resolution><Point><position>1</position><quantity>12.5</quantity></Point></Period></TimeSeries></Balancing_MarketDocument>`;
    const obs = imbalanceVolumes.parse(new TextEncoder().encode(doc));
    assert.deepEqual(obs.map((o) => [o.value, o.unit, o.series.direction]), [[12.5, 'MWh', 'up']]);
    validateObservations(imbalanceVolumes, obs, new Date('2025-04-02T00:00:00Z'));
  });

  it('A85 imbalance prices: one series per price category', () => {
    const doc = `<Balancing_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:balancingdocument:4:4"><type>A85</type><process.processType>A16</process.processType><area_Domain.mRID>10YBE----------2</area_Domain.mRID>
      <TimeSeries><mRID>1</mRID><businessType>A19</businessType><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A01</curveType>
      <Period><timeInterval><start>2025-10-13T22:00Z</start><end>2025-10-13T22:30Z</end></timeInterval><resolution>PT15M</resolution>
      <Point><position>1</position><imbalance_Price.amount>87.773</imbalance_Price.amount><imbalance_Price.category>A04</imbalance_Price.category><imbalance_Price.amount>118.8</imbalance_Price.amount><imbalance_Price.category>A05</imbalance_Price.category></Point>
      <Point><position>2</position><imbalance_Price.amount>-30.258</imbalance_Price.amount><imbalance_Price.category>A04</imbalance_Price.category><imbalance_Price.amount>-30.258</imbalance_Price.amount><imbalance_Price.category>A05</imbalance_Price.category></Point>
      </Period></TimeSeries></Balancing_MarketDocument>`;
    const obs = parseEntsoe(doc).observations;
    assert.deepEqual(seriesOf(obs, { category: 'A04' }).map((o) => o.value), [87.773, -30.258]);
    assert.deepEqual(seriesOf(obs, { category: 'A05' }).map((o) => [o.value, o.unit]), [[118.8, 'EUR/MWh'], [-30.258, 'EUR/MWh']]);
  });
});

describe('ENTSO-E A85 imbalance prices by (position, category)', () => {
  /** One Point per price, as entsoe-py reads A85: A04 and A05 are two Points at the same position. */
  const price = (position: number, category: string | null, amount: number) =>
    `<Point><position>${position}</position><imbalance_Price.amount>${amount}</imbalance_Price.amount>${category ? `<imbalance_Price.category>${category}</imbalance_Price.category>` : ''}</Point>`;
  /** One Point holding several amount/category pairs (the repository's first documented-shape fixture). */
  const pairs = (position: number, prices: [string, number][]) =>
    `<Point><position>${position}</position>${prices.map(([c, v]) => `<imbalance_Price.amount>${v}</imbalance_Price.amount><imbalance_Price.category>${c}</imbalance_Price.category>`).join('')}</Point>`;
  const a85 = (curve: string, points: string[]) => `<Balancing_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:balancingdocument:4:4"><type>A85</type><process.processType>A16</process.processType><area_Domain.mRID>10YPL-AREA-----S</area_Domain.mRID>
    <TimeSeries><mRID>7</mRID><businessType>A19</businessType><currency_Unit.name>PLN</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>${curve}</curveType>
    <Period><timeInterval><start>2025-01-20T01:00Z</start><end>2025-01-20T02:00Z</end></timeInterval><resolution>PT15M</resolution>
    ${points.join('\n')}
    </Period></TimeSeries></Balancing_MarketDocument>`;
  const byCategory = (obs: Observation[]) => ({ A04: seriesOf(obs, { category: 'A04' }).map((o) => o.value), A05: seriesOf(obs, { category: 'A05' }).map((o) => o.value) });
  const imbalancePrices = entsoeDatasets.find((d) => d.id === 'entsoe.imbalance_prices')!;

  it('A01, one price per Point: A04 and A05 at the same position are two series, not a conflict', () => {
    const points = [price(1, 'A04', 547.15), price(1, 'A05', 547.15), price(2, 'A04', 605.91), price(2, 'A05', 610), price(3, 'A04', 600), price(3, 'A05', 600), price(4, 'A04', 696.98), price(4, 'A05', 696.98)];
    const obs = parseEntsoe(a85('A01', points)).observations;
    assert.deepEqual(byCategory(obs), { A04: [547.15, 605.91, 600, 696.98], A05: [547.15, 610, 600, 696.98] });
    assert.ok(obs.every((o) => o.unit === 'PLN/MWh' && o.series.area === '10YPL-AREA-----S'));
  });

  it('A01: a category missing at a position is a gap in that series only', () => {
    const obs = parseEntsoe(a85('A01', [price(1, 'A04', 10), price(1, 'A05', 11), price(2, 'A05', 21), price(3, 'A04', 30)])).observations;
    assert.deepEqual(seriesOf(obs, { category: 'A04' }).map((o) => o.ts.toISOString()), ['2025-01-20T01:00:00.000Z', '2025-01-20T01:30:00.000Z']);
    assert.deepEqual(seriesOf(obs, { category: 'A05' }).map((o) => o.ts.toISOString()), ['2025-01-20T01:00:00.000Z', '2025-01-20T01:15:00.000Z']);
  });

  it('A03, one price per Point: a Point naming one category leaves the other\'s price held', () => {
    const obs = parseEntsoe(a85('A03', [price(1, 'A04', 547.15), price(1, 'A05', 547.15), price(3, 'A05', 700)])).observations;
    assert.deepEqual(byCategory(obs), { A04: [547.15, 547.15, 547.15, 547.15], A05: [547.15, 547.15, 700, 700] });
  });

  it('A03, two pairs per Point then a Point with one pair: the unnamed category stays held', () => {
    const obs = parseEntsoe(a85('A03', [pairs(1, [['A04', 547.15], ['A05', 547.15]]), pairs(3, [['A05', 700]])])).observations;
    assert.deepEqual(byCategory(obs), { A04: [547.15, 547.15, 547.15, 547.15], A05: [547.15, 547.15, 700, 700] });
  });

  it('reads the two documented shapes of the same prices alike', () => {
    const twoPairs = new TextDecoder().decode(fixture('a85_be_imbalance_prices_documented.xml'));
    // Each Point's two pairs become two Points at its position, A05 first: the order of Points does not matter.
    const onePair = twoPairs.replace(
      /<Point>\s*<position>(\d+)<\/position>\s*(<imbalance_Price\.amount>[^<]*<\/imbalance_Price\.amount>\s*<imbalance_Price\.category>A04<\/imbalance_Price\.category>)\s*(<imbalance_Price\.amount>[^<]*<\/imbalance_Price\.amount>\s*<imbalance_Price\.category>A05<\/imbalance_Price\.category>)\s*<\/Point>/g,
      '<Point><position>$1</position>$3</Point><Point><position>$1</position>$2</Point>',
    );
    assert.equal(onePair.match(/<Point>/g)!.length, 16, 'every Point was split');
    assert.deepEqual(parseEntsoe(onePair).observations, parseEntsoe(twoPairs).observations);
  });

  it('the same category twice at a position: the last wins, and the parse says so', () => {
    const notes: string[] = [];
    const body = new TextEncoder().encode(a85('A01', [price(1, 'A04', 10), price(1, 'A05', 11), price(1, 'A04', 12), price(2, 'A04', 20), price(2, 'A04', 20)]));
    const obs = imbalancePrices.parse(body, { partition: 'PL', notes });
    assert.deepEqual(byCategory(obs), { A04: [12, 20], A05: [11] });
    // The repeat at position 2 says the same: nothing to note.
    assert.deepEqual(notes, ['ENTSO-E A85 TimeSeries 7 Period 2025-01-20T01:00:00Z/2025-01-20T02:00:00Z: position 1 category A04 given twice (10, then 12): the last kept']);
  });

  it('a price without a category is a series of its own beside the categorised ones', () => {
    const obs = parseEntsoe(a85('A01', [price(1, null, 5), price(1, 'A04', 6)])).observations;
    assert.deepEqual(obs.map((o) => [o.series.category ?? null, o.value]), [[null, 5], ['A04', 6]]);
  });
});

describe('ENTSO-E calendar resolutions and curve types', () => {
  const a61 = (resolution: string, start: string, end: string, points: string) => `<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:0"><type>A61</type>
    <TimeSeries><mRID>1</mRID><businessType>A27</businessType><contract_MarketAgreement.type>A01</contract_MarketAgreement.type><in_Domain.mRID>10YFR-RTE------C</in_Domain.mRID><out_Domain.mRID>10YBE----------2</out_Domain.mRID><quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name><curveType>A03</curveType>
    <Period><timeInterval><start>${start}</start><end>${end}</end></timeInterval><resolution>${resolution}</resolution>${points}</Period></TimeSeries></Publication_MarketDocument>`;

  it('counts a 41-day P1D period across the October DST change as 41 local days', () => {
    const obs = parseEntsoe(a61('P1D', '2025-10-09T22:00Z', '2025-11-19T23:00Z', '<Point><position>1</position><quantity>1800</quantity></Point>')).observations;
    assert.equal(obs.length, 41);
    assert.equal(obs[0]!.ts.toISOString(), '2025-10-09T22:00:00.000Z');
    assert.equal(obs[16]!.ts.toISOString(), '2025-10-25T22:00:00.000Z'); // 26 Oct, the 25-hour day
    assert.equal(obs[17]!.ts.toISOString(), '2025-10-26T23:00:00.000Z'); // winter time from here
    assert.equal(obs.at(-1)!.ts.toISOString(), '2025-11-18T23:00:00.000Z');
    assert.ok(obs.every((o) => o.value === 1800 && o.series.horizon === 'day_ahead' && o.series.from_area === '10YBE----------2'));
  });

  it('steps P1M and P7D in the local calendar', () => {
    const months = parseEntsoe(a61('P1M', '2025-01-31T23:00Z', '2025-04-30T22:00Z', '<Point><position>1</position><quantity>500</quantity></Point><Point><position>3</position><quantity>600</quantity></Point>')).observations;
    assert.deepEqual(months.map((o) => [o.ts.toISOString(), o.value]), [
      ['2025-01-31T23:00:00.000Z', 500], ['2025-02-28T23:00:00.000Z', 500], ['2025-03-31T22:00:00.000Z', 600],
    ]);
    const weeks = parseEntsoe(a61('P7D', '2025-10-19T22:00Z', '2025-11-02T23:00Z', '<Point><position>1</position><quantity>1</quantity></Point>')).observations;
    assert.deepEqual(weeks.map((o) => o.ts.toISOString()), ['2025-10-19T22:00:00.000Z', '2025-10-26T23:00:00.000Z']);
  });

  describe('a border whose areas count days in different zones: stepped where the Period starts at midnight', () => {
    const EIC = { GB: '10YGB----------A', FR: '10YFR-RTE------C', SE3: '10Y1001A1001A46L', FI: '10YFI-1--------U' };
    const border = (from: string, to: string, resolution: string, start: string, end: string, count: number) =>
      `<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"><type>A61</type>
      <TimeSeries><mRID>1</mRID><businessType>A27</businessType><contract_MarketAgreement.type>A04</contract_MarketAgreement.type><in_Domain.mRID>${to}</in_Domain.mRID><out_Domain.mRID>${from}</out_Domain.mRID><quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name><curveType>A01</curveType>
      <Period><timeInterval><start>${start}</start><end>${end}</end></timeInterval><resolution>${resolution}</resolution>${Array.from({ length: count }, (_, i) => `<Point><position>${i + 1}</position><quantity>${i + 1}</quantity></Point>`).join('')}</Period></TimeSeries></Publication_MarketDocument>`;
    const instants = (body: string) => parseEntsoe(body).observations.map((o) => o.ts.toISOString());
    // CET months March to May 2025 (summer time from 30 March)
    const cetMonths = ['2025-02-28T23:00:00.000Z', '2025-03-31T22:00:00.000Z', '2025-04-30T22:00:00.000Z'];

    it('P1M of GB>FR starting at Paris midnight: CET months (stepped in London, 1 March went on to 28 March)', () => {
      assert.deepEqual(instants(border(EIC.GB, EIC.FR, 'P1M', '2025-02-28T23:00Z', '2025-05-31T22:00Z', 3)), cetMonths);
      assert.deepEqual(instants(border(EIC.FR, EIC.GB, 'P1M', '2025-02-28T23:00Z', '2025-05-31T22:00Z', 3)), cetMonths);
    });

    it('P1M of SE3>FI starting at Helsinki midnight: Finnish months, and FI>SE3 at Stockholm midnight: Swedish ones', () => {
      const eetMonths = ['2025-02-28T22:00:00.000Z', '2025-03-31T21:00:00.000Z', '2025-04-30T21:00:00.000Z'];
      assert.deepEqual(instants(border(EIC.SE3, EIC.FI, 'P1M', '2025-02-28T22:00Z', '2025-05-31T21:00Z', 3)), eetMonths);
      assert.deepEqual(instants(border(EIC.FI, EIC.SE3, 'P1M', '2025-02-28T23:00Z', '2025-05-31T22:00Z', 3)), cetMonths);
    });

    it('P1M starting at midnight in both areas, or in neither, is stepped in the from area (out_Domain)', () => {
      // Stockholm and Paris share a calendar; 23:30Z is midnight in neither GB nor FR.
      assert.deepEqual(instants(border(EIC.SE3, EIC.FR, 'P1M', '2025-02-28T23:00Z', '2025-05-31T22:00Z', 3)), cetMonths);
      assert.deepEqual(instants(border(EIC.GB, EIC.FR, 'P1M', '2025-01-31T23:30Z', '2025-03-31T23:30Z', 2)), ['2025-01-31T23:30:00.000Z', '2025-02-28T23:30:00.000Z']);
    });

    it('P1Y of GB>FR from a CET 1 March: the next year starts on 1 March after the leap day, not on 28 February', () => {
      assert.deepEqual(instants(border(EIC.GB, EIC.FR, 'P1Y', '2023-02-28T23:00Z', '2025-02-28T23:00Z', 2)), ['2023-02-28T23:00:00.000Z', '2024-02-29T23:00:00.000Z']);
    });

    it('P1D and P7D of GB>FR at CET midnights across both DST changes: CET days and weeks', () => {
      const days = instants(border(EIC.GB, EIC.FR, 'P1D', '2025-03-28T23:00Z', '2025-04-01T22:00Z', 4));
      assert.deepEqual(days, ['2025-03-28T23:00:00.000Z', '2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z', '2025-03-31T22:00:00.000Z']);
      const weeks = instants(border(EIC.GB, EIC.FR, 'P7D', '2025-10-19T22:00Z', '2025-11-02T23:00Z', 2));
      assert.deepEqual(weeks, ['2025-10-19T22:00:00.000Z', '2025-10-26T23:00:00.000Z']);
    });

    it('a border Period at London midnight stays on London days (GB>FR and FR>GB)', () => {
      for (const [from, to] of [[EIC.GB, EIC.FR], [EIC.FR, EIC.GB]] as const) {
        assert.deepEqual(instants(border(from, to, 'P1D', '2025-03-29T00:00Z', '2025-03-31T23:00Z', 3)), ['2025-03-29T00:00:00.000Z', '2025-03-30T00:00:00.000Z', '2025-03-30T23:00:00.000Z']);
      }
    });
  });

  it('fills A03 forward inside a period and keeps negatives', () => {
    const points = [[1, '-5.5'], [3, '7']].map(([p, v]) => `<Point><position>${p}</position><quantity>${v}</quantity></Point>`).join('');
    const obs = parseEntsoe(a61('PT15M', '2025-10-26T00:00Z', '2025-10-26T01:00Z', points)).observations;
    assert.deepEqual(obs.map((o) => o.value), [-5.5, -5.5, 7, 7]);
  });

  it('steps PT60M over the spring DST change in UTC: 23 points on a 23-hour day', () => {
    const points = Array.from({ length: 23 }, (_, i) => `<Point><position>${i + 1}</position><quantity>${i}</quantity></Point>`).join('');
    const obs = parseEntsoe(a61('PT60M', '2026-03-28T23:00Z', '2026-03-29T22:00Z', points)).observations;
    assert.equal(obs.length, 23);
    assert.equal(obs.at(-1)!.ts.toISOString(), '2026-03-29T21:00:00.000Z');
  });
});

describe('ENTSO-E bodies that are not data', () => {
  it('reads the no-data acknowledgement as zero observations', () => {
    assert.deepEqual(parse('ack_999_no_matching_data.xml'), { documentType: null, dataset: null, observations: [] });
  });

  it('raises a typed error for any other acknowledgement, with its reason', () => {
    const ack = new TextDecoder().decode(fixture('ack_999_no_matching_data.xml')).replace('No matching data found', 'The amount of requested data exceeds allowed limit');
    assert.throws(() => parseEntsoe(ack), (e: unknown) => e instanceof AcknowledgementError && e.code === '999' && /exceeds allowed limit/.test(e.message));
  });

  const bad: [string, string, RegExp][] = [
    ['an HTML error page', '<html><body><h1>Unauthorized</h1><p>Missing or invalid security token</p></body></html>', /HTML page.*Missing or invalid security token/],
    ['malformed XML', '<Publication_MarketDocument xmlns="x"><type>A44</type><TimeSeries><mRID>1</mRID><Period><resolution>PT60M</Period></TimeSeries></Publication_MarketDocument>', /malformed XML/],
    ['a cut-off document', '<Publication_MarketDocument xmlns="x"><type>A44</type><TimeSeries><mRID>1', /cut off/],
    ['an unknown document type', '<Publication_MarketDocument xmlns="x"><type>A99</type></Publication_MarketDocument>', /document type A99 has no parser/],
    ['something else', '{"json": true}', /not an ENTSO-E XML document/],
    ['a document whose elements carry a namespace prefix (it would parse to nothing)',
      '<ns:Publication_MarketDocument xmlns:ns="x"><ns:type>A44</ns:type><ns:TimeSeries><ns:mRID>1</ns:mRID></ns:TimeSeries></ns:Publication_MarketDocument>', /namespace-prefixed/],
  ];
  for (const [what, body, message] of bad) {
    it(`rejects ${what} with a ParseError naming it`, () => {
      assert.throws(() => parseEntsoe(body), (e: unknown) => e instanceof ParseError && message.test(e.message));
    });
  }

  describe('a complete document followed by comments, processing instructions or whitespace (XML allows them after the root)', () => {
    const fr = new TextDecoder().decode(fixture('a44_fr_a01_pt60m_2ts.xml')).trimEnd();
    const tails: [string, string][] = [
      ['a comment', '\n<!-- generated 2023-05-08 -->\n'],
      ['a comment holding an end tag', '<!-- </Publication_MarketDocument> was here -->'],
      ['a processing instruction and a comment', '\n<?audit id="7"?>\n<!-- x -->\n\n'],
    ];
    for (const [what, tail] of tails) {
      it(`reads it whole after ${what}, from text and from bytes`, () => {
        assert.equal(parseEntsoe(fr + tail).observations.length, 48);
        assert.equal(parseEntsoe(new TextEncoder().encode(fr + tail)).observations.length, 48);
      });
    }

    it('still finds a document cut off before its root closes, a comment after the cut notwithstanding', () => {
      const cut = fr.slice(0, fr.lastIndexOf('</TimeSeries>') + '</TimeSeries>'.length) + '\n<!-- generated -->\n';
      for (const body of [cut, new TextEncoder().encode(cut)]) {
        assert.throws(() => parseEntsoe(body), (e: unknown) => e instanceof ParseError && /Publication_MarketDocument is cut off/.test(e.message));
      }
    });
  });

  it('reads a ZIP of several documents, deciding from the bytes', () => {
    const zip = zipSync({ 'a.xml': fixture('a44_fr_a01_pt60m_2ts.xml'), 'b.xml': fixture('ack_999_no_matching_data.xml'), 'c.xml': strToU8(new TextDecoder().decode(fixture('a44_es_a03_mtu_switch_2025-10-01.xml'))) });
    const doc = parseEntsoe(zip);
    assert.equal(doc.dataset, 'entsoe.day_ahead_prices');
    assert.equal(doc.observations.length, 48 + 240);
    assert.throws(() => parseEntsoe(zipSync({ 'a.xml': fixture('a44_fr_a01_pt60m_2ts.xml'), 'b.xml': fixture('a65_dk1_actual_load_a16.xml') })), /mixes datasets/);
  });
});

describe('ENTSO-E ZIP of several documents giving the same slots: the newest document last', () => {
  // One A85 document per docStatus (entsoe-py #47): the same quarter-hour, another value each.
  const a85 = (o: { mrid: string; created?: string; revision?: string; status?: string; value: number }) => strToU8(`<?xml version="1.0" encoding="UTF-8"?>
<Balancing_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:balancingdocument:4:4"><mRID>${o.mrid}</mRID>${o.revision === undefined ? '' : `<revisionNumber>${o.revision}</revisionNumber>`}<type>A85</type>
<process.processType>A16</process.processType>${o.created === undefined ? '' : `<createdDateTime>${o.created}</createdDateTime>`}${o.status === undefined ? '' : `<docStatus><value>${o.status}</value></docStatus>`}<area_Domain.mRID>10YBE----------2</area_Domain.mRID>
<TimeSeries><mRID>1</mRID><businessType>A19</businessType><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A01</curveType>
<Period><timeInterval><start>2025-10-13T22:00Z</start><end>2025-10-13T22:15Z</end></timeInterval><resolution>PT15M</resolution><Point><position>1</position><imbalance_Price.amount>${o.value}</imbalance_Price.amount><imbalance_Price.category>A04</imbalance_Price.category></Point></Period></TimeSeries></Balancing_MarketDocument>`);
  const values = (files: Record<string, Uint8Array>, notes?: string[]) => parseEntsoe(zipSync(files), notes).observations.map((o) => o.value);
  /** What the store keeps of a payload's observations: the last of duplicates in a batch. */
  const stored = (obs: Observation[]) => dedupeLastWins(obs.map((o) => ({ ...o, seriesKey: seriesKey(o.series), payloadSha256: 'x' }))).map((o) => o.value);

  it('orders documents by createdDateTime, not by entry name, so the store keeps the newest value', () => {
    const files = {
      'Imbalance Prices_A.xml': a85({ mrid: 'final', created: '2025-10-14T09:00:00Z', revision: '1', status: 'A02', value: 100 }),
      'Imbalance Prices_B.xml': a85({ mrid: 'intermediate', created: '2025-10-14T00:31:09Z', revision: '1', status: 'A01', value: 90 }),
    };
    assert.deepEqual(values(files), [90, 100]);
    assert.deepEqual(stored(parseEntsoe(zipSync(files)).observations), [100]);
  });

  it('at the same createdDateTime, the higher revisionNumber goes last; at the same both, the entry names decide', () => {
    const created = '2025-10-14T09:00:00Z';
    assert.deepEqual(values({ 'a.xml': a85({ mrid: 'r3', created, revision: '3', value: 3 }), 'b.xml': a85({ mrid: 'r2', created, revision: '2', value: 2 }), 'c.xml': a85({ mrid: 'r10', created, revision: '10', value: 10 }) }), [2, 3, 10]);
    assert.deepEqual(values({ 'b.xml': a85({ mrid: 'b', created, revision: '1', value: 2 }), 'a.xml': a85({ mrid: 'a', created, revision: '1', value: 1 }) }), [1, 2]);
  });

  it('at the same createdDateTime and revisionNumber, a final document (docStatus A02) goes after an intermediate one (A01)', () => {
    const created = '2025-10-14T09:00:00Z';
    const files = { 'Imbalance Prices_A.xml': a85({ mrid: 'final', created, revision: '1', status: 'A02', value: 100 }), 'Imbalance Prices_B.xml': a85({ mrid: 'intermediate', created, revision: '1', status: 'A01', value: 90 }) };
    assert.deepEqual(values(files), [90, 100]);
  });

  it('a document without createdDateTime or revisionNumber counts as the oldest; one not readable too, with a note', () => {
    assert.deepEqual(values({ 'a.xml': a85({ mrid: 'dated', created: '2025-10-14T09:00:00Z', revision: '1', value: 1 }), 'b.xml': a85({ mrid: 'undated', value: 2 }) }), [2, 1]);
    const notes: string[] = [];
    assert.deepEqual(values({ 'a.xml': a85({ mrid: 'dated', created: '2025-10-14T09:00:00Z', value: 1 }), 'b.xml': a85({ mrid: 'odd', created: '14.10.2025 09:30', value: 2 }) }, notes), [2, 1]);
    assert.deepEqual(notes, ['b.xml in ZIP: ENTSO-E A85 document odd: createdDateTime "14.10.2025 09:30" is not readable: ordered as the oldest of the ZIP']);
  });

  it('drops a withdrawn document (docStatus A13) whole, with a note, in a ZIP and alone', () => {
    const notes: string[] = [];
    const files = {
      'a.xml': a85({ mrid: 'final', created: '2025-10-14T09:00:00Z', status: 'A02', value: 100 }),
      'b.xml': a85({ mrid: 'gone', created: '2025-10-14T10:00:00Z', status: 'A13', value: 80 }),
    };
    assert.deepEqual(values(files, notes), [100]);
    assert.deepEqual(notes, ['b.xml in ZIP: ENTSO-E A85 document gone is withdrawn (docStatus A13): dropped, none of its values kept']);
    for (const body of [files['b.xml'], new TextDecoder().decode(files['b.xml'])]) {
      const alone: string[] = [];
      const doc = parseEntsoe(body, alone);
      assert.deepEqual([doc.dataset, doc.observations.length], ['entsoe.imbalance_prices', 0]);
      assert.deepEqual(alone, ['ENTSO-E A85 document gone is withdrawn (docStatus A13): dropped, none of its values kept']);
    }
  });

  it('keeps documents of every other docStatus (A01 intermediate, A02 final, X01 estimated, none)', () => {
    const created = '2025-10-14T09:00:00Z';
    assert.deepEqual(values({ 'a.xml': a85({ mrid: 'a', created, revision: '1', status: 'A01', value: 1 }), 'b.xml': a85({ mrid: 'b', created, revision: '2', status: 'A02', value: 2 }), 'c.xml': a85({ mrid: 'c', created, revision: '3', status: 'X01', value: 3 }), 'd.xml': a85({ mrid: 'd', created, revision: '4', value: 4 }) }), [1, 2, 3, 4]);
  });
});

describe('ENTSO-E documents that are impossible (strict parsing, bounded work)', () => {
  const fr = new TextDecoder().decode(fixture('a44_fr_a01_pt60m_2ts.xml'));
  const rejects = (body: string, message: RegExp) =>
    assert.throws(() => parseEntsoe(body), (e: unknown) => e instanceof ParseError && message.test(e.message), message.source);

  it('refuses a Period ending in the year 9999 at PT1M at once, without building its slots', () => {
    const doc = fr.replace('<end>2023-05-07T22:00Z</end>', '<end>9999-12-31T23:00Z</end>').replace('<resolution>PT60M</resolution>', '<resolution>PT1M</resolution>');
    assert.ok(doc.length < 7_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    rejects(doc, /TimeSeries 1: Period 2023-05-06T22:00:00.000Z\/9999-12-31T23:00:00.000Z is \d+ slots of PT1M, more than 527040/);
    assert.ok(performance.now() - started < 1000, 'parsing took more than a second');
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 2 ** 20, 'parsing held more than 64 MB');
  });

  it('refuses a calendar Period longer than ten years of its steps', () => {
    rejects(fr.replace('<end>2023-05-07T22:00Z</end>', '<end>2999-05-07T22:00Z</end>').replace('<resolution>PT60M</resolution>', '<resolution>P1D</resolution>'), /more than 3660 slots of P1D/);
  });

  const cases: [string, (doc: string) => string, RegExp][] = [
    ['a hex value', (d) => d.replace('<price.amount>106.78</price.amount>', '<price.amount>0x1A</price.amount>'), /position 1 price.amount: not a decimal number: "0x1A"/],
    ['an empty value', (d) => d.replace('<price.amount>106.78</price.amount>', '<price.amount></price.amount>'), /position 1 price.amount: not a decimal number: ""/],
    ['Infinity', (d) => d.replace('<price.amount>106.78</price.amount>', '<price.amount>Infinity</price.amount>'), /not a decimal number: "Infinity"/],
    ['a value overflowing to Infinity', (d) => d.replace('<price.amount>106.78</price.amount>', '<price.amount>1e999</price.amount>'), /not a finite number: "1e999"/],
    ['an impossible date', (d) => d.replace('<start>2023-05-06T22:00Z</start>\n\t\t\t\t\t<end>', '<start>2023-02-30T22:00Z</start>\n\t\t\t\t\t<end>'), /Period start: no such date or time: "2023-02-30T22:00Z"/],
    ['a two-digit year', (d) => d.replace('<start>2023-05-06T22:00Z</start>\n\t\t\t\t\t<end>', '<start>0099-05-06T22:00Z</start>\n\t\t\t\t\t<end>'), /year 0099 is out of range/],
    ['an instant off the resolution grid', (d) => d.replace('<start>2023-05-06T22:00Z</start>\n\t\t\t\t\t<end>', '<start>2023-05-06T22:15Z</start>\n\t\t\t\t\t<end>'), /Period start: 2023-05-06T22:15:00.000Z is not on the PT60M grid/],
    ['a Period ending before it starts', (d) => d.replace('<end>2023-05-07T22:00Z</end>', '<end>2023-05-06T21:00Z</end>'), /TimeSeries 1: Period ends \(2023-05-06T21:00:00.000Z\) before it starts/],
    ['a position that is not a whole number', (d) => d.replace('<position>2</position>', '<position>0x2</position>'), /Point position: not a whole number: "0x2"/],
    ['an unknown area code', (d) => d.replace('<in_Domain.mRID codingScheme="A01">10YFR-RTE------C', '<in_Domain.mRID codingScheme="A01">10YFR-RTE------D'), /TimeSeries 1: in_Domain "10YFR-RTE------D" is not a valid EIC area code/],
    ['a control character in an area code', (d) => d.replace('<in_Domain.mRID codingScheme="A01">10YFR-RTE------C', '<in_Domain.mRID codingScheme="A01">10YFR-RTE\u0001-----C'), /in_Domain .* is not a valid EIC area code/],
  ];
  for (const [what, mutate, message] of cases) {
    it(`refuses ${what}, naming the TimeSeries and the offending text`, () => {
      const doc = mutate(fr);
      assert.notEqual(doc, fr, 'the mutation applies to the fixture');
      rejects(doc, message);
    });
  }

  it('accepts a duplicate point that repeats the same value, with nothing to note', () => {
    const doc = fr.replace('<Point>\n\t\t\t\t\t\t<position>1</position>', '<Point><position>1</position><price.amount>106.78</price.amount></Point><Point>\n\t\t\t\t\t\t<position>1</position>');
    assert.notEqual(doc, fr);
    const notes: string[] = [];
    assert.deepEqual(parseEntsoe(doc, notes).observations, parse('a44_fr_a01_pt60m_2ts.xml').observations);
    assert.deepEqual(notes, []);
  });
});

describe('ENTSO-E Points outside their Period (dropped, with a note)', () => {
  const fr = new TextDecoder().decode(fixture('a44_fr_a01_pt60m_2ts.xml'));
  const a75 = (curve: string, solar: [number, number][]) => {
    const series = (mrid: number, psr: string, points: [number, number][]) => `<TimeSeries><mRID>${mrid}</mRID><businessType>A01</businessType><inBiddingZone_Domain.mRID>10Y1001A1001A47J</inBiddingZone_Domain.mRID><quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name><curveType>${curve}</curveType><MktPSRType><psrType>${psr}</psrType></MktPSRType>
      <Period><timeInterval><start>2025-10-20T11:00Z</start><end>2025-10-20T15:00Z</end></timeInterval><resolution>PT60M</resolution>${points.map(([p, v]) => `<Point><position>${p}</position><quantity>${v}</quantity></Point>`).join('')}</Period></TimeSeries>`;
    return `<GL_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:generationloaddocument:3:0"><type>A75</type><process.processType>A16</process.processType>
      ${series(1, 'B16', solar)}${series(2, 'B19', [[1, 1434.47], [2, 1400], [3, 1390], [4, 1380]])}</GL_MarketDocument>`;
  };

  it('A03: a Point after the last slot is dropped, the Point before it holds to the end, the other series lands whole', () => {
    const notes: string[] = [];
    const obs = parseEntsoe(a75('A03', [[1, 300.51], [3, 280], [5, 270]]), notes).observations;
    assert.deepEqual(seriesOf(obs, { psr_type: 'B16' }).map((o) => o.value), [300.51, 300.51, 280, 280]);
    assert.deepEqual(seriesOf(obs, { psr_type: 'B19' }).map((o) => o.value), [1434.47, 1400, 1390, 1380]);
    assert.deepEqual(notes, ['ENTSO-E A75 TimeSeries 1 Period 2025-10-20T11:00:00Z/2025-10-20T15:00:00Z: position 5 is outside the Period\'s 4 slots of PT60M: dropped']);
  });

  it('A01: position 0 is dropped', () => {
    const notes: string[] = [];
    const obs = parseEntsoe(a75('A01', [[0, 1], [1, 300.51], [2, 290], [3, 280], [4, 270]]), notes).observations;
    assert.deepEqual(seriesOf(obs, { psr_type: 'B16' }).map((o) => o.value), [300.51, 290, 280, 270]);
    assert.equal(obs.length, 8);
    assert.match(notes.join(), /TimeSeries 1 .*: position 0 is outside the Period's 4 slots of PT60M: dropped/);
  });

  it('a Point read tag by tag is dropped alike (the recorded FR prices with a 25th hour)', () => {
    const notes: string[] = [];
    const doc = fr.replace('<position>24</position>', '<position>25</position>').replace('<Point>', '<Point a="1">');
    const obs = parseEntsoe(doc, notes).observations;
    assert.equal(obs.length, 47);
    assert.equal(at(obs, '2023-05-07T21:00:00.000Z'), undefined);
    assert.deepEqual(notes, ['ENTSO-E A44 TimeSeries 1 Period 2023-05-06T22:00:00Z/2023-05-07T22:00:00Z: position 25 is outside the Period\'s 24 slots of PT60M: dropped']);
  });

  // A Period whose Points mostly miss it is mis-described (quarter-hours under PT60M): its
  // in-range Points cannot be placed either, and the notes would be as long as the document.
  for (const [shape, attribute] of [['common-shape Points', ''], ['Points read tag by tag', ' a="1"']] as const) {
    it(`${shape}: refuses a Period with more Points outside it than it has slots`, () => {
      const points = Array.from({ length: 4 }, (_, i) => `<Point${attribute}><position>${i + 1}</position><quantity>${i}</quantity></Point>`).join('');
      const doc = a75('A01', []).replace('<end>2025-10-20T15:00Z</end>', '<end>2025-10-20T12:00Z</end>').replace('<resolution>PT60M</resolution></Period>', `<resolution>PT60M</resolution>${points}</Period>`);
      assert.throws(() => parseEntsoe(doc), (e: unknown) => e instanceof ParseError && /TimeSeries 1: more Points outside the Period 2025-10-20T11:00:00Z\/2025-10-20T12:00:00Z than its 1 slots of PT60M \(position 3\)/.test(e.message));
    });
  }
});

describe('ENTSO-E Points given twice (the last wins, with a note)', () => {
  const a44 = (points: [number, number][], attribute = '') => `<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"><type>A44</type>
    <TimeSeries><mRID>1</mRID><businessType>A62</businessType><in_Domain.mRID>10YFR-RTE------C</in_Domain.mRID><out_Domain.mRID>10YFR-RTE------C</out_Domain.mRID><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A01</curveType>
    <Period><timeInterval><start>2025-10-01T22:00Z</start><end>2025-10-01T23:00Z</end></timeInterval><resolution>PT15M</resolution>
    ${points.map(([p, v]) => `<Point${attribute}><position>${p}</position><price.amount>${v}</price.amount></Point>`).join('\n')}
    </Period></TimeSeries></Publication_MarketDocument>`;
  // Points of the common shape are read into typed arrays; a Point with an attribute goes tag by tag.
  for (const [shape, attribute] of [['common-shape Points', ''], ['Points read tag by tag', ' a="1"']] as const) {
    it(`${shape}: a corrected position 2 replaces the first value, the note names the Period, position and both values`, () => {
      const notes: string[] = [];
      const obs = parseEntsoe(a44([[1, 10], [2, 20], [4, 40], [3, 30], [2, 99]], attribute), notes).observations;
      assert.deepEqual(obs.map((o) => o.value), [10, 99, 30, 40]);
      assert.deepEqual(notes, ['ENTSO-E A44 TimeSeries 1 Period 2025-10-01T22:00:00Z/2025-10-01T23:00:00Z: position 2 given twice (20, then 99): the last kept']);
    });
  }

  it(`keeps at most ${MAX_NOTES} note lines a payload, then one line counting the rest`, () => {
    const notes: string[] = [];
    const points = Array.from({ length: MAX_NOTES + 6 }, (_, i) => [1, i] as [number, number]);
    assert.deepEqual(parseEntsoe(a44(points), notes).observations.map((o) => o.value), [MAX_NOTES + 5]);
    assert.equal(notes.length, MAX_NOTES + 1);
    assert.equal(notes.at(-1), `ENTSO-E: 5 more Points dropped or overridden (the first ${MAX_NOTES} are listed)`);
  });

  it('a note from a ZIP entry names the entry', () => {
    const notes: string[] = [];
    const obs = parseEntsoe(zipSync({ 'a.xml': strToU8(a44([[1, 10], [1, 11]])), 'b.xml': fixture('ack_999_no_matching_data.xml') }), notes).observations;
    assert.deepEqual(obs.map((o) => o.value), [11]);
    assert.deepEqual(notes, ['a.xml in ZIP: ENTSO-E A44 TimeSeries 1 Period 2025-10-01T22:00:00Z/2025-10-01T23:00:00Z: position 1 given twice (10, then 11): the last kept']);
  });

  it('the same value twice is no override: nothing to note', () => {
    const notes: string[] = [];
    assert.deepEqual(parseEntsoe(a44([[1, 10], [2, 20], [3, 30], [4, 40], [2, 20]]), notes).observations.map((o) => o.value), [10, 20, 30, 40]);
    assert.deepEqual(notes, []);
  });
});

describe('ENTSO-E parse memory', () => {
  it('keeps no TimeSeries text alive through its observations: the strings series keep are copied out of it', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 20 TimeSeries of 1 MB each (whitespace between elements). Were an area code kept as a slice of
    // its TimeSeries' text, as V8 makes it, holding the observations would hold all 20 MB of that text.
    const pad = ' '.repeat(1 << 20);
    const series = Array.from({ length: 20 }, (_, i) => `<TimeSeries><mRID>${i}</mRID>${pad}<businessType>A27</businessType><contract_MarketAgreement.type>A01</contract_MarketAgreement.type><in_Domain.mRID>10YFR-RTE------C</in_Domain.mRID><out_Domain.mRID>10YBE----------2</out_Domain.mRID><quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name><curveType>A01</curveType>
      <Period><timeInterval><start>2025-10-${10 + i}T22:00Z</start><end>2025-10-${11 + i}T22:00Z</end></timeInterval><resolution>PT60M</resolution><Point><position>1</position><quantity>${i}</quantity></Point></Period></TimeSeries>`);
    const body = new TextEncoder().encode(`<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:0"><type>A61</type>${series.join('')}</Publication_MarketDocument>`);
    gc();
    const before = process.memoryUsage().heapUsed;
    const obs = parseEntsoe(body).observations;
    gc();
    const held = process.memoryUsage().heapUsed - before;
    assert.equal(obs.length, 20);
    assert.ok(held < 4 * 1024 * 1024, `${(held / 1048576).toFixed(1)} MB held by 20 observations`);
  });
});
