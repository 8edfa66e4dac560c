// Backfills against the Energinet simulator, on DuckDB and on MariaDB: windows planned like the
// scheduler's, landed through ingestion, skipped on a re-run, failures counted (not thrown).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { backfillCommand, etaMs, progressText } from '../cli/backfill.ts';
import { readConfig } from '../cli/platform.ts';
import { findDataset } from '../providers/index.ts';
import { openStore } from '../shared/store/index.ts';
import { planBackfill } from './backfill.ts';
import { freshDatabases } from '../shared/store/test-stores.ts';

const DS = 'energinet.day_ahead_prices';
const range = { from: new Date('2025-10-01T00:00:00Z'), to: new Date('2025-10-10T00:00:00Z') };
const sink = () => new PassThrough().resume();

describe('backfill plan', () => {
  it('covers the range in the dataset\'s own aligned windows, per partition', () => {
    const plan = planBackfill(findDataset(DS), range, ['DK1']);
    // Copenhagen days, at most 7 per window; the end (10 Oct 00:00Z, 02:00 local) is rounded up to the day's end.
    assert.deepEqual(plan.map((w) => [w.partition, w.window.from.toISOString(), w.window.to.toISOString()]), [
      ['DK1', '2025-09-30T22:00:00.000Z', '2025-10-07T22:00:00.000Z'],
      ['DK1', '2025-10-07T22:00:00.000Z', '2025-10-10T22:00:00.000Z'],
    ]);
    assert.equal(planBackfill(findDataset(DS), range).length, 4);
  });

  it('refuses an unknown partition, a reversed range and a range before the data exists', () => {
    assert.throws(() => planBackfill(findDataset(DS), range, ['DK3']), /unknown partition DK3 \(known: DK1, DK2\)/);
    assert.throws(() => planBackfill(findDataset(DS), { from: range.to, to: range.from }), /--from must be before --to/);
    assert.throws(() => planBackfill(findDataset(DS), { from: new Date('2024-01-01Z'), to: new Date('2024-01-05Z') }), /available from 2025-09-30T22:00:00Z/);
  });

  it('estimates the time left from the windows actually fetched', () => {
    const p = { done: 4, total: 10, counts: { landed: 2, empty: 0, failed: 0, skipped: 2 }, elapsedMs: 2000 };
    assert.equal(etaMs(p), 6000);
    assert.equal(etaMs({ ...p, counts: { ...p.counts, landed: 0, skipped: 4 } }), null);
    const last = { partition: 'DK1', window: range, outcome: 'landed' as const, rows: 96 };
    assert.match(progressText({ ...p, last }, true), /^\r\[#{10}\.{14}\] 4\/10 .*ETA 6s/);
    assert.match(progressText({ ...p, last }, false), /^4\/10 DK1 .* landed \(96 rows\); landed 2 .* skipped 2; ETA 6s\n$/);
  });
});

const databases = freshDatabases();

const stores: [string, () => string][] = [
  ['duckdb', () => `duckdb:${join(mkdtempSync(join(tmpdir(), 'scalar-backfill-')), 'scalar.duckdb')}`],
  ['mysql dialect on MariaDB', () => databases.url()],
];

for (const [name, storeUrl] of stores) {
  describe(`backfill against the simulator: ${name}`, () => {
    it('lands every window, and a re-run skips them all', async () => {
      const config = readConfig({ overrides: { dataDir: mkdtempSync(join(tmpdir(), 'scalar-backfill-')), storeUrl: storeUrl(), env: 'test' } });
      const first = await backfillCommand(config, { dataset: DS, range, partitions: [], simulate: true, out: sink(), err: sink() });
      assert.deepEqual(first.counts, { landed: 4, empty: 0, failed: 0, skipped: 0 });
      const store = await openStore(config.storeUrl, { create: false });
      // 2 areas × 2 currencies × 10 Copenhagen days (1–10 Oct, before the DST change) of quarter hours.
      const rows = await store.countObservations(DS);
      await store.close();
      assert.equal(rows, 2 * 2 * 10 * 96);
      const again = await backfillCommand(config, { dataset: DS, range, partitions: [], simulate: true, out: sink(), err: sink() });
      assert.deepEqual(again.counts, { landed: 0, empty: 0, failed: 0, skipped: 4 });
    });

    it('counts a window whose provider answers 500 as failed and carries on', async () => {
      const broken = createServer((_, res) => res.writeHead(500).end('down'));
      await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
      const port = (broken.address() as { port: number }).port;
      try {
        const config = readConfig({ overrides: { dataDir: mkdtempSync(join(tmpdir(), 'scalar-backfill-')), storeUrl: storeUrl(), env: 'test',
          providers: { energinet: { baseUrl: `http://127.0.0.1:${port}` } }, acquisition: { http: { maxAttempts: 1 } } } });
        const report = await backfillCommand(config, { dataset: DS, range, partitions: ['DK1'], simulate: false, out: sink(), err: sink() });
        assert.deepEqual(report.counts, { landed: 0, empty: 0, failed: 2, skipped: 0 });
        assert.match(report.failed[0]!.error, /500/);
      } finally {
        broken.close();
      }
    });
  });
}
