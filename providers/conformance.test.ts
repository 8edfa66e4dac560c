// Every dataset of every provider keeps the plugin contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRunAt } from '../acquisition/window.ts';
import { parseDuration } from '../shared/time.ts';
import { datasets, providers } from './index.ts';

describe('provider conformance', () => {
  it('has unique dataset ids of the form provider.snake_case', () => {
    assert.equal(new Set(datasets.map((d) => d.id)).size, datasets.length);
    for (const d of datasets) assert.match(d.id, new RegExp(`^${d.provider}\\.[a-z0-9_]+$`));
  });

  for (const p of providers) {
    for (const d of p.datasets) {
      it(`${d.id}: cadence, windows and rules are well-formed`, () => {
        assert.equal(d.provider, p.id);
        assert.ok(d.partitions.length > 0);
        assert.ok(nextRunAt(d.cadence, new Date('2025-11-05T00:00:00Z')) > new Date('2025-11-05T00:00:00Z'));
        for (const k of ['align', 'maxSpan', 'lookback', 'horizon', 'backfill'] as const) parseDuration(d.window[k]);
        parseDuration(d.validation.maxLead);
        for (const [unit, [lo, hi]] of Object.entries(d.validation.plausible)) assert.ok(lo < hi, unit);
      });
    }

    it(`${p.id}: its simulator starts and stops`, async () => {
      const sim = await p.startSimulator();
      try {
        assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+(\/\w*)?$/);
      } finally {
        await sim.close();
      }
    });
  }
});
