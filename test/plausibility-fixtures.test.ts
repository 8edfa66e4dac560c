// The plausibility rules the descriptors declare, on recorded provider payloads (parsed by the
// descriptors themselves): real data passes, a value pushed past a rule is flagged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { datasets, findDataset } from '../providers/index.ts';
import { evaluatePlausibility } from '../quality/plausibility.ts';
import type { Observation } from '../shared/observation.ts';

const parsed = (dataset: string, provider: string, file: string): Observation[] =>
  findDataset(dataset).parse(readFileSync(new URL(`../providers/${provider}/fixtures/${file}`, import.meta.url)));
const judge = (dataset: string, values: readonly Observation[], others = new Map<string, readonly Observation[]>()) =>
  evaluatePlausibility(findDataset(dataset).plausibility ?? [], { values, others });

describe('declared plausibility rules', () => {
  it('are well-formed: ranges inside what validation accepts, referenced datasets registered', () => {
    const ids = new Set(datasets.map((d) => d.id));
    for (const d of datasets) {
      for (const r of d.plausibility ?? []) {
        if (r.rule === 'range') {
          const possible = d.validation.plausible[r.unit];
          assert.ok(possible, `${d.id}: range rule for ${r.unit}, a unit validation does not know`);
          assert.ok(possible[0] <= r.min && r.min < r.max && r.max <= possible[1], `${d.id}: [${r.min}, ${r.max}] must lie inside [${possible.join(', ')}]`);
        }
        if (r.rule === 'capacity') assert.ok(ids.has(r.capacity.dataset), `${d.id}: capacity from unknown ${r.capacity.dataset}`);
        if (r.rule === 'balance') for (const t of r.terms) assert.ok(ids.has(t.dataset), `${d.id}: balance term ${t.dataset} unknown`);
      }
    }
  });

  it('pass recorded ENTSO-E day-ahead prices (FR hourly, ES across the 15-minute switch)', () => {
    for (const file of ['a44_fr_a01_pt60m_2ts.xml', 'a44_es_a03_mtu_switch_2025-10-01.xml']) {
      const values = parsed('entsoe.day_ahead_prices', 'entsoe', file);
      assert.ok(values.length > 40, file);
      assert.deepEqual(judge('entsoe.day_ahead_prices', values), [], file);
    }
  });

  it('flag a recorded ENTSO-E price pushed to a spike, by range and by jump, and only that value', () => {
    const values = parsed('entsoe.day_ahead_prices', 'entsoe', 'a44_fr_a01_pt60m_2ts.xml');
    const i = 20;
    const spiked = values.map((o, j) => (j === i ? { ...o, value: 2500 } : o));
    const f = judge('entsoe.day_ahead_prices', spiked);
    assert.deepEqual(f.map((x) => [x.rule, x.observation.ts.toISOString()]).sort(), [['jump', values[i]!.ts.toISOString()], ['range', values[i]!.ts.toISOString()]]);
  });

  it('pass the Energinet DST days (100 and 92 quarter-hours) without a flag', () => {
    for (const file of ['DayAheadPrices_DK1-DK2_2025-10-26_fall_back.json', 'DayAheadPrices_DK1-DK2_2026-03-29_spring_forward.json']) {
      const values = parsed('energinet.day_ahead_prices', 'energinet', file);
      assert.deepEqual(judge('energinet.day_ahead_prices', values), [], file);
    }
  });

  it('check recorded BE generation against recorded BE installed capacity per production type', () => {
    const generation = parsed('entsoe.generation_actual', 'entsoe', 'a75_be_with_consumption_outbiddingzone.xml');
    const capacity = new Map([['entsoe.installed_capacity', parsed('entsoe.installed_capacity', 'entsoe', 'a68_be_installed_capacity_p1y_truncated.xml')]]);
    assert.deepEqual(judge('entsoe.generation_actual', generation, capacity), []);
    // B04 (fossil gas) has 6915 MW installed from 2023: 7700 MW is beyond it and its 10 % tolerance.
    const gas = generation.findIndex((o) => o.series.psr_type === 'B04');
    const over = generation.map((o, j) => (j === gas ? { ...o, value: 7700 } : o));
    const f = judge('entsoe.generation_actual', over, capacity);
    assert.deepEqual(f.map((x) => [x.rule, x.observation.series.psr_type, x.observation.value]), [['capacity', 'B04', 7700]]);
    assert.match(f[0]!.detail, /^7700 MW above the installed capacity 6915 MW \(entsoe\.installed_capacity from 2022-12-31T23:00:00\.000Z, tolerance 10 %\)$/);
  });
});
