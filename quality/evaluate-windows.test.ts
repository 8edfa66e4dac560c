// Windows judged together (one read per stretch, the after-commit hook gathering windows over an
// interval) get exactly the flags they get judged one by one; the robust spread read from a sorted
// window equals its definition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../shared/log.ts';
import { seriesKey } from '../shared/observation.ts';
import { countingCalls, realStores } from '../shared/store/test-stores.ts';
import type { Store, StoredObservation } from '../shared/store/index.ts';
import { pricesWithRules } from './test-datasets.ts';
import { evaluateStretch, evaluateWindows, qualityAfterCommit } from './evaluate.ts';
import { robustSpread } from './plausibility.ts';

const log = createLogger('error');
const NOW = new Date('2025-11-06T12:00:00Z');
const HOUR = 3_600_000;

const prices = pricesWithRules('UTC');

const FIRST = Date.parse('2025-11-01T00:00:00Z');
const days = [0, 1, 2, 3].map((d) => ({ from: new Date(FIRST + d * 24 * HOUR), to: new Date(FIRST + (d + 1) * 24 * HOUR) }));

/** Four days of hourly prices in two areas: a spike closing day 2, a new level in day 3, a price out of range in day 4. */
function fourDays(): StoredObservation[] {
  const rows: StoredObservation[] = [];
  for (const area of ['DK1', 'DK2']) {
    for (let h = 0; h < 96; h++) {
      const ts = new Date(FIRST + h * HOUR);
      let value: number | null = 50 + ((h * 7) % 11) + (area === 'DK2' ? 3 : 0);
      if (area === 'DK1' && h === 47) value = 400;
      if (area === 'DK1' && h >= 60) value += 300;
      if (area === 'DK1' && h === 77) value = 1600;
      if (area === 'DK2' && h === 30) value = null;
      const series = { area };
      rows.push({ dataset: prices.id, series, seriesKey: seriesKey(series), ts, resolution: 'PT60M', value, unit: 'EUR/MWh', payloadSha256: 'a'.repeat(64) });
    }
  }
  return rows;
}

const counting = (store: Store) => countingCalls(store, ['queryObservations', 'listQualityFlags', 'replaceQualityFlags'] as const);

const stores = realStores();

for (const [name, open] of stores) {
  describe(`plausibility over a stretch of windows on ${name}`, () => {
    it('judges four days in one go with one read and one write, and flags exactly what judging them day by day flags', async (t) => {
      const oneByOne = await open();
      const together = await open();
      t.after(() => Promise.all([oneByOne, together].map((s) => s.close().catch(() => undefined))));
      for (const s of [oneByOne, together]) await s.upsertObservations(fourDays());
      const each = [];
      for (const d of days) each.push(await evaluateStretch(oneByOne, prices, d, NOW));
      const counted = counting(together);
      const all = await evaluateWindows(counted.store, prices, days, NOW);
      assert.deepEqual(counted.calls, { queryObservations: 1, listQualityFlags: 1, replaceQualityFlags: 1 });
      assert.deepEqual(all, each);
      const flags = await together.listQualityFlags({ dataset: prices.id });
      assert.deepEqual(flags, await oneByOne.listQualityFlags({ dataset: prices.id }));
      assert.deepEqual([...new Set(flags.map((f) => f.rule))].sort(), ['jump', 'range']);
      // Judged again together: the same flags, none new.
      const again = await evaluateWindows(together, prices, days, NOW);
      assert.deepEqual(again.map((r) => r.added), [0, 0, 0, 0]);
      assert.deepEqual(await together.listQualityFlags({ dataset: prices.id }), flags);
    });

    it('after commit, judges the windows landing within one interval with one read, to the flags of day-by-day judging', async (t) => {
      const oneByOne = await open();
      const hooked = await open();
      t.after(() => Promise.all([oneByOne, hooked].map((s) => s.close().catch(() => undefined))));
      const counted = counting(hooked);
      const hook = qualityAfterCommit({ store: counted.store, datasets: [prices], log, now: () => NOW });
      const rows = fourDays();
      for (const d of days) {
        const landed = rows.filter((r) => r.ts >= d.from && r.ts < d.to);
        await oneByOne.upsertObservations(landed);
        await evaluateStretch(oneByOne, prices, d, NOW);
        await hooked.upsertObservations(landed);
      }
      // Handed over back to back, so all four land within one interval however slow the machine.
      for (const d of days) await hook([{ dataset: prices.id, partition: 'DK', window: d }]);
      await hook.idle();
      assert.deepEqual(counted.calls, { queryObservations: 1, listQualityFlags: 1, replaceQualityFlags: 1 });
      assert.deepEqual(await hooked.listQualityFlags({ dataset: prices.id }), await oneByOne.listQualityFlags({ dataset: prices.id }));
    });
  });
}

describe('robust spread', () => {
  it('equals 1.4826 × the median of the absolute deviations from the median, computed by sorting', () => {
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const bySorting = (xs: number[]) => (xs.length === 0 ? 0 : 1.4826 * median(xs.map((x) => Math.abs(x - median(xs)))));
    let seed = 7;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n <= 60; n++) {
      for (let k = 0; k < 20; k++) {
        // Few distinct values (ties), skewed and symmetric samples.
        const xs = Array.from({ length: n }, () => (k % 3 === 0 ? Math.floor(next() * 5) : k % 3 === 1 ? next() ** 3 * 1000 - 50 : next() * 100));
        assert.equal(robustSpread(xs), bySorting(xs), `n=${n} [${xs.join(', ')}]`);
      }
    }
  });
});
