// JAO parsers on the recorded payloads (facts from fixtures/SOURCES.md) and documented-shape ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ParseError } from '../../shared/errors.ts';
import type { Observation } from '../../shared/observation.ts';
import { hourLabels, parseAuctions } from './auctions.ts';
import { jaoDatasets } from './datasets.ts';
import { jao } from './index.ts';
import { identifyDataset } from '../../shared/identify-dataset.ts';
import { borderOf, inferResolutions, parsePublication, regionOf, type ColumnLayout } from './publication.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const ds = (id: string) => jaoDatasets.find((d) => d.id === id)!;
const at = (obs: Observation[], series: Record<string, string>, ts: string) =>
  obs.find((o) => o.ts.toISOString() === ts && Object.entries(series).every(([k, v]) => o.series[k] === v));

describe('JAO Publication Tool', () => {
  it('MaxBEX: one series per directed border, 48 hourly rows of 132 borders', () => {
    const obs = ds('jao.max_exchanges').parse(fixture('pubtool_core_maxExchanges_2026-04-20_21.json'));
    assert.equal(obs.length, 48 * 132);
    assert.equal(new Set(obs.map((o) => o.series.border)).size, 132);
    assert.equal(obs[0]!.ts.toISOString(), '2026-04-20T00:00:00.000Z');
    assert.equal(obs.at(-1)!.ts.toISOString(), '2026-04-21T23:00:00.000Z');
    assert.ok(obs.every((o) => o.resolution === 'PT60M' && o.unit === 'MW' && o.series.region === 'core'));
    // Direction matters: BE→DE and DE→BE are different capacities.
    assert.equal(at(obs, { border: 'BE>DE' }, '2026-04-20T00:00:00.000Z')?.value, 2891);
    assert.equal(at(obs, { border: 'DE>BE' }, '2026-04-20T00:00:00.000Z')?.value, 7430);
    assert.equal(at(obs, { border: 'AT>BE' }, '2026-04-20T00:00:00.000Z')?.value, 4346);
  });

  it('shadow auction ATC: integers over 72 hourly rows', () => {
    const obs = ds('jao.shadow_auction_atc').parse(fixture('pubtool_core_shadowAuctionATC_2025-10-01_03.json'));
    const instants = [...new Set(obs.map((o) => o.ts.toISOString()))];
    assert.equal(instants.length, 72);
    assert.equal(instants[0], '2025-10-01T00:00:00.000Z');
    assert.equal(instants.at(-1), '2025-10-03T23:00:00.000Z');
    assert.equal(at(obs, { border: 'AT>DE' }, '2025-10-01T00:00:00.000Z')?.value, 3831);
    assert.equal(at(obs, { border: 'BE>FR' }, '2025-10-01T00:00:00.000Z')?.value, 498);
  });

  it('net positions on the fall-back day: 100 quarter-hours, a null kept as null, virtual hubs kept whole', () => {
    const obs = ds('jao.net_positions').parse(fixture('pubtool_core_netPos_2025-10-26_dst.json'));
    const de = obs.filter((o) => o.series.hub === 'DE');
    assert.equal(de.length, 100);
    assert.equal(de[0]!.ts.toISOString(), '2025-10-25T22:00:00.000Z');
    assert.equal(de.at(-1)!.ts.toISOString(), '2025-10-26T22:45:00.000Z');
    assert.ok(obs.every((o) => o.resolution === 'PT15M' && o.series.region === 'core'));
    const bigHub = obs.filter((o) => o.series.hub === 'DE_NO2_BigHub');
    assert.equal(bigHub.length, 100);
    assert.equal(bigHub.filter((o) => o.value === null).length, 1);
  });

  it('price spreads keep nulls as nulls, never 0', () => {
    const obs = ds('jao.price_spread').parse(fixture('pubtool_core_priceSpread_2026-04-20.json'));
    const nulls = obs.filter((o) => o.value === null);
    assert.deepEqual(nulls.map((o) => [o.series.border, o.ts.toISOString()]), [
      ['PL>SK', '2026-04-19T22:45:00.000Z'],
      ['PL>SK', '2026-04-19T23:00:00.000Z'],
    ]);
    assert.ok(obs.every((o) => o.unit === 'EUR/MWh'));
  });

  it('active constraints keep the CNEC identity as dimensions and skip PTDFs', () => {
    const obs = ds('jao.shadow_prices').parse(fixture('pubtool_core_shadowPrices_2026-04-20.json'));
    const sp = obs.filter((o) => o.series.metric === 'shadowPrice');
    assert.ok(sp.length > 0);
    assert.ok(sp.every((o) => o.unit === 'EUR/MW'));
    assert.ok(obs.every((o) => !o.series.metric!.startsWith('hub_')));
    const basecase = obs.find((o) => o.series.cnec === 'Avelin - Avelgem 380 kV');
    assert.equal(basecase?.series.contingency, 'basecase');
    assert.equal(basecase?.series.direction, 'OPPOSITE');
    assert.equal(obs.find((o) => o.series.metric === 'imax')?.unit, 'A');
  });

  it('min/max net positions become a hub and a bound', () => {
    const obs = ds('jao.max_net_positions').parse(fixture('pubtool_core_maxNetPos_2026-04-20.json'));
    assert.deepEqual(
      at(obs, { hub: 'FR', bound: 'max' }, '2026-04-19T22:00:00.000Z')?.value,
      3500 + 120 * 4,
    );
  });

  it('alpha factors carry lastModifiedOn as the issue time', () => {
    const obs = ds('jao.alpha_factor').parse(fixture('pubtool_core_alphaFactor_2026-04-20.json'));
    assert.equal(obs[0]!.issued?.toISOString(), '2026-04-19T10:31:07.000Z');
  });

  it('names the region from the hubs: Nordic price areas, not Core hubs that mention them', () => {
    assert.equal(regionOf([{ hub_SE3: 1, hub_NO1: 2 }]), 'nordic');
    assert.equal(regionOf([{ border_SE3_SWL_SE4: 1 }]), 'nordic');
    assert.equal(regionOf([{ hub_DE: 1, hub_DE_NO2_BigHub: 2 }]), 'core');
  });

  it('splits border columns on hub names', () => {
    assert.equal(borderOf('border_AT_BE'), 'AT>BE');
    assert.equal(borderOf('border_SE3_SWL_SE4'), 'SE3_SWL>SE4');
    assert.equal(borderOf('border_weird'), null);
  });

  it('infers the market time unit per Amsterdam business day from the rows', () => {
    const t = (s: string) => new Date(s);
    const mtus = (layout: ColumnLayout, ...instants: string[]) => [...inferResolutions(instants.map(t), layout, [{ resolution: 'PT60M' }], 'test').values()];
    const wide = { kind: 'hubs', unit: 'MW' } as const;
    assert.deepEqual(mtus(wide, '2026-01-01T00:00Z', '2026-01-01T00:15Z', '2026-01-01T01:00Z'), ['PT15M', 'PT15M', 'PT15M']);
    assert.deepEqual(mtus(wide, '2026-01-01T00:00Z', '2026-01-01T01:00Z'), ['PT60M', 'PT60M']);
    // 2026-01-01 is the business day from 2025-12-31T23:00Z: its quarter-hour shows, the next day's rows are hourly.
    assert.deepEqual(mtus(wide, '2025-12-31T23:00Z', '2025-12-31T23:15Z', '2026-01-01T23:00Z', '2026-01-02T00:00Z'), ['PT15M', 'PT15M', 'PT60M', 'PT60M']);
    assert.throws(() => mtus(wide, '2026-01-01T00:00Z', '2026-01-01T00:07Z'), (e: Error) => e instanceof ParseError && /00:07.*15-minute/.test(e.message));
  });

  it('rejects a rejected answer, a bad instant and a text value with a typed error', () => {
    const spec = { id: 'jao.atc', apiName: 'atc', layout: { kind: 'borders', unit: 'MW' }, mtu: { core: [{ resolution: 'PT60M' }] } } as const;
    const parse = (o: unknown) => parsePublication(spec, JSON.stringify(o));
    assert.throws(() => parse({ data: null, rejected: true, messages: ['FromUtc after ToUtc'] }), /rejected.*FromUtc after ToUtc/);
    assert.throws(() => parse({ data: [{ dateTimeUtc: '2026-02-30T00:00:00Z', border_AT_CZ: 1 }] }), /not a UTC instant/);
    assert.throws(() => parse({ data: [{ dateTimeUtc: '2026-02-01T00:00:00', border_AT_CZ: 1 }] }), /not a UTC instant/);
    assert.throws(() => parse({ data: [{ dateTimeUtc: '2026-02-01T00:00:00Z', border_AT_CZ: '0x1A' }] }), /border_AT_CZ: not a number/);
    assert.throws(() => parse('garbage'), ParseError);
  });
});

describe('JAO Publication Tool: the market time unit of each business day', () => {
  const answer = (rows: unknown[]) => new TextEncoder().encode(JSON.stringify({ data: rows, rejected: false, messages: null, totalRows: rows.length, totalRowsWithFilter: rows.length }));
  // An active constraint: a row only where a CNEC binds (Core PTDFs name Core hubs, Nordic ones Nordic hubs).
  const binding = (dateTimeUtc: string, hub = 'hub_AT') => ({ dateTimeUtc, tso: 'APG', cnecEic: '10T-AT-DE-00005A', cnecName: 'Westtirol - Memmingen 220 kV', contName: 'basecase', direction: 'DIRECT', shadowPrice: 4.25, ram: 310.0, [hub]: 0.1 });
  const constraints = (...rows: ReturnType<typeof binding>[]) => ds('jao.shadow_prices').parse(answer(rows));
  const labels = (obs: Observation[]) => [...new Set(obs.map((o) => `${o.ts.toISOString().slice(11, 16)} ${o.resolution}`))];

  it('sparse active constraints 45 or 75 minutes apart are quarter-hours, not a refused payload', () => {
    assert.deepEqual(labels(constraints(binding('2026-04-20T10:00:00Z'), binding('2026-04-20T10:45:00Z'))), ['10:00 PT15M', '10:45 PT15M']);
    assert.deepEqual(labels(constraints(binding('2026-04-20T10:00:00Z'), binding('2026-04-20T11:15:00Z'))), ['10:00 PT15M', '11:15 PT15M']);
  });

  it('active constraints 30 minutes apart are quarter-hours too: JAO has no 30-minute MTU', () => {
    assert.deepEqual(labels(constraints(binding('2026-04-20T10:00:00Z'), binding('2026-04-20T10:30:00Z'))), ['10:00 PT15M', '10:30 PT15M']);
  });

  it('a lone constraint at a quarter past is a quarter-hour, not an hour', () => {
    assert.deepEqual(labels(constraints(binding('2026-04-20T10:15:00Z'))), ['10:15 PT15M']);
  });

  it('constraints only on full hours take the MTU the descriptor gives their region and day', () => {
    // Core's capacity calculation stayed hourly; Nordic datasets are quarter-hourly since the SDAC go-live.
    assert.deepEqual(labels(constraints(binding('2026-04-20T10:00:00Z'), binding('2026-04-20T14:00:00Z'))), ['10:00 PT60M', '14:00 PT60M']);
    const nordic = (t: string) => binding(t, 'hub_SE3');
    assert.deepEqual(labels(constraints(nordic('2026-04-20T10:00:00Z'), nordic('2026-04-20T14:00:00Z'))), ['10:00 PT15M', '14:00 PT15M']);
    assert.deepEqual(labels(constraints(nordic('2025-09-29T10:00:00Z'))), ['10:00 PT60M']);
    // Business day 2025-10-01 starts at 2025-09-30T22:00Z.
    assert.deepEqual(labels(constraints(nordic('2025-09-30T21:00:00Z'), nordic('2025-09-30T22:00:00Z'))), ['21:00 PT60M', '22:00 PT15M']);
  });

  it('a two-day answer across the 15-minute go-live labels the hourly day hourly and the quarter-hour day quarter-hourly', () => {
    const rows = [];
    for (let t = Date.parse('2025-09-29T22:00:00Z'); t < Date.parse('2025-09-30T22:00:00Z'); t += 3_600_000) rows.push({ dateTimeUtc: new Date(t).toISOString().replace('.000', ''), hub_AT: 100, hub_BE: -100 });
    for (let t = Date.parse('2025-09-30T22:00:00Z'); t < Date.parse('2025-10-01T22:00:00Z'); t += 900_000) rows.push({ dateTimeUtc: new Date(t).toISOString().replace('.000', ''), hub_AT: 100, hub_BE: -100 });
    const obs = ds('jao.net_positions').parse(answer(rows)).filter((o) => o.series.hub === 'AT');
    assert.equal(obs.length, 24 + 96);
    assert.ok(obs.slice(0, 24).every((o) => o.resolution === 'PT60M'));
    assert.ok(obs.slice(24).every((o) => o.resolution === 'PT15M'));
  });

  it('a wide table of full hours stays hourly whatever the schedule says (MaxBEX after the go-live)', () => {
    const rows = ['2026-04-20T10:00:00Z', '2026-04-20T11:00:00Z'].map((dateTimeUtc) => ({ dateTimeUtc, hub_AT: 1, hub_BE: 2 }));
    assert.deepEqual(labels(ds('jao.net_positions').parse(answer(rows))), ['10:00 PT60M', '11:00 PT60M']);
  });
});

describe('JAO auction tool', () => {
  const daily = (name: string) => parseAuctions('jao.daily_auctions', 'daily', fixture(name));

  it('maps unordered CET hour labels to UTC hours (summer: 00:00-01:00 is 22:00Z the day before)', () => {
    const obs = daily('owsmp_getauctions_IF1-FR-GB_daily_2026-07-28_29.json');
    assert.equal(obs.length, 2 * 24 * 4);
    const price = (ts: string) => at(obs, { metric: 'price' }, ts)?.value;
    assert.equal(price('2026-07-27T22:00:00.000Z'), 0.43);
    assert.equal(price('2026-07-28T00:00:00.000Z'), 1.5);
    assert.equal(price('2026-07-28T01:00:00.000Z'), 6);
    assert.equal(at(obs, { metric: 'offered_capacity' }, '2026-07-27T22:00:00.000Z')?.value, 1868);
    assert.ok(obs.every((o) => o.issued !== undefined && o.series.corridor === 'IF1-FR-GB'));
  });

  it('the spring-forward day has 23 products and 03:00-04:00 is 01:00Z', () => {
    const obs = daily('owsmp_getauctions_IF1-FR-GB_daily_dst_short_2026-03-29.json');
    const day = obs.filter((o) => o.series.metric === 'price' && o.ts >= new Date('2026-03-28T23:00Z') && o.ts < new Date('2026-03-29T22:00Z'));
    assert.equal(day.length, 23);
    assert.equal(at(obs, { metric: 'offered_capacity' }, '2026-03-29T01:00:00.000Z')?.value, 810);
    assert.equal(at(obs, { metric: 'price' }, '2026-03-29T01:00:00.000Z')?.value, 32);
  });

  it('the fall-back day has 25 products: 02:00-03:00 and 02:00-03:00* are two UTC hours', () => {
    const obs = daily('owsmp_getauctions_IF1-FR-GB_daily_dst_long_2025-10-26.json');
    const prices = obs.filter((o) => o.series.metric === 'offered_capacity');
    assert.equal(prices.length, 25);
    assert.equal(at(obs, { metric: 'offered_capacity' }, '2025-10-26T00:00:00.000Z')?.value, 1502); // 02:00 CEST
    assert.equal(at(obs, { metric: 'offered_capacity' }, '2025-10-26T01:00:00.000Z')?.value, 1503); // 02:00 CET (*)
    assert.equal(at(obs, { metric: 'price' }, '2025-10-26T08:00:00.000Z')?.value, null); // no price: null, not 0
  });

  it('"No Data found" (HTTP 400 body) is an empty window', () => {
    assert.deepEqual(daily('owsmp_getauctions_no_data_400_body.json'), []);
  });

  it('long-term products cover their period', () => {
    const obs = parseAuctions('jao.long_term_auctions', 'long_term', fixture('owsmp_getauctions_IF1-FR-GB_monthly_2026-05.json'));
    assert.equal(obs.length, 4);
    assert.ok(obs.every((o) => o.ts.toISOString() === '2026-04-30T22:00:00.000Z' && o.resolution === 'P1M' && o.series.product === 'BASE'));
  });

  it('hour labels follow the local day', () => {
    const labels = hourLabels(new Date('2025-10-25T22:00Z'), new Date('2025-10-26T23:00Z'));
    assert.equal(labels.size, 25);
    assert.equal(labels.get('02:00-03:00*')?.toISOString(), '2025-10-26T01:00:00.000Z');
    assert.equal(labels.get('23:00-24:00')?.toISOString(), '2025-10-26T22:00:00.000Z');
  });

  it('an unknown hour label or a label twice is an error, not a guess', () => {
    const auction = (results: unknown[]) => JSON.stringify([{ identification: 'X', horizonName: 'Daily', corridorCode: 'IF1-FR-GB', marketPeriodStart: '2026-03-28T23:00:00.000+00:00', marketPeriodStop: '2026-03-29T22:00:00.000+00:00', results }]);
    const r = (productHour: string) => ({ productHour, offeredCapacity: 1, requestedCapacity: 1, allocatedCapacity: 1, auctionPrice: 1 });
    assert.throws(() => parseAuctions('jao.daily_auctions', 'daily', auction([r('02:00-03:00')])), /not an hour/);
    assert.throws(() => parseAuctions('jao.daily_auctions', 'daily', auction([r('01:00-02:00'), r('01:00-02:00')])), /twice/);
    assert.throws(() => parseAuctions('jao.long_term_auctions', 'long_term', auction([r('01:00-02:00')])), /does not belong/);
  });
});

describe('JAO Nordic constraints (fbDomainShadowPrice: cneName/cneEic, ptdf_ PTDFs)', () => {
  const answer = (rows: unknown[]) => new TextEncoder().encode(JSON.stringify({ data: rows, rejected: false, messages: null, totalRows: rows.length, totalRowsWithFilter: rows.length }));
  // The row shape public Nordic clients read (JAOPuTo_Nordic_shadowprices selects these fields).
  const row = (over: Record<string, unknown> = {}) => ({
    id: 1, dateTimeUtc: '2026-04-20T10:15:00Z', tso: 'SVK', cneName: 'SE3-SE4 cut', cneEic: '46Y000000000002Q', cnecType: 'BRANCH',
    biddingZoneFrom: 'SE3', biddingZoneTo: 'SE4', contName: null, contEic: null, contingencies: [], nonRedundant: true, significant: true,
    ram: 500, minFlow: -1000, maxFlow: 2000, fmax: 2000, imax: 3000, shadowPrice: 12.5, ptdf_SE3: 0.4, ptdf_SE4: -0.3, ...over,
  });
  const shadowPrices = ds('jao.shadow_prices');

  it('names the CNEC from cneName, or cneEic without a name, and reads the region from ptdf_ PTDFs', () => {
    const obs = shadowPrices.parse(answer([row(), row({ cneName: null, contingencies: null, dateTimeUtc: '2026-04-20T10:30:00Z' })]));
    const sp = obs.filter((o) => o.series.metric === 'shadowPrice');
    assert.deepEqual(sp.map((o) => [o.series.cnec, o.series.contingency, o.series.tso, o.series.region, o.resolution, o.value, o.unit]), [
      ['SE3-SE4 cut', 'basecase', 'SVK', 'nordic', 'PT15M', 12.5, 'EUR/MW'],
      ['46Y000000000002Q', 'basecase', 'SVK', 'nordic', 'PT15M', 12.5, 'EUR/MW'],
    ]);
    assert.ok(obs.every((o) => !o.series.metric!.startsWith('ptdf_')));
    assert.deepEqual([...new Set(obs.map((o) => o.series.metric))], ['ram', 'minFlow', 'maxFlow', 'fmax', 'imax', 'shadowPrice']);
  });

  it('a row naming its CNEC both ways keeps cnecName, as Core rows do', () => {
    const obs = shadowPrices.parse(answer([row({ cnecName: 'SE3-SE4 cut N-1' })]));
    assert.ok(obs.every((o) => o.series.cnec === 'SE3-SE4 cut N-1'));
  });

  it('takes the region from the partition it was fetched for when ingestion gives it', () => {
    const hubless = row({ ptdf_SE3: undefined, ptdf_SE4: undefined });
    assert.ok(shadowPrices.parse(answer([hubless]), { partition: 'nordic' }).every((o) => o.series.region === 'nordic'));
    assert.ok(shadowPrices.parse(answer([hubless])).every((o) => o.series.region === 'core'));
    assert.ok(ds('jao.shadow_prices').parse(fixture('pubtool_core_shadowPrices_2026-04-20.json'), { partition: 'core' }).every((o) => o.series.region === 'core'));
  });

  it('a Nordic constraint payload is detected as jao.shadow_prices (its minFlow/maxFlow are no hub bounds)', () => {
    assert.equal(identifyDataset(jao, answer([row()])).id, 'jao.shadow_prices');
  });

  it('the dataset asks the Nordic tool for fbDomainShadowPrice and Core for shadowPrices', () => {
    assert.deepEqual(shadowPrices.simulation.tool === 'publication' && shadowPrices.simulation.apiNames, { core: 'shadowPrices', nordic: 'fbDomainShadowPrice' });
  });
});

describe('JAO detection', () => {
  it('places every payload whose columns tell it apart, and asks for --dataset when they do not', () => {
    assert.equal(identifyDataset(jao, fixture('pubtool_core_maxExchanges_2026-04-20_21.json')).id, 'jao.max_exchanges');
    assert.equal(identifyDataset(jao, fixture('pubtool_core_netPos_2025-10-26_dst.json')).id, 'jao.net_positions');
    assert.equal(identifyDataset(jao, fixture('pubtool_core_shadowPrices_2026-04-20.json')).id, 'jao.shadow_prices');
    assert.equal(identifyDataset(jao, fixture('owsmp_getauctions_IF1-FR-GB_monthly_2026-05.json')).id, 'jao.long_term_auctions');
    assert.throws(() => identifyDataset(jao, fixture('pubtool_core_lta_2026-04-20.json')), /jao\.atc.*--dataset/);
    assert.throws(() => identifyDataset(jao, new TextEncoder().encode('<html></html>')), /no dataset recognises/);
  });
});
