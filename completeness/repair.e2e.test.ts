// End to end on DuckDB with the Energinet simulator: a day of rows deleted behind the platform's
// back comes back by itself (ledger audit → hole → targeted re-fetch → landed → ledger closed).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance, timestampValue } from '@duckdb/node-api';
import { DateTime } from 'luxon';
import { openPlatform, readConfig, startRoles, type Platform, type Roles } from '../cli/platform.ts';
import { energinet } from '../providers/energinet/index.ts';
import { createLogger } from '../shared/log.ts';
import { deliveryDay } from './expected-slots.ts';

const DATASET = 'energinet.day_ahead_prices';
const dir = mkdtempSync(join(tmpdir(), 'scalar-gap-repair-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('automatic gap repair, end to end (DuckDB, simulator)', () => {
  it('restores a deleted delivery day without human help', async () => {
    const sim = await energinet.startSimulator();
    const config = readConfig({ overrides: { dataDir: dir, env: 'development' } });
    const start = async (): Promise<[Platform, Roles]> => {
      const platform = await openPlatform(config, createLogger('error'), sim.secrets ?? {});
      await platform.store.seedWorkerConfig([{ workerId: DATASET, environment: 'development', enabled: true, parameters: { backfill: 'P4D', partitions: ['DK1'] } }]);
      const roles = await startRoles(platform, { acquisition: true, ingestion: true, baseUrls: { energinet: sim.url }, gapRepair: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 2_000, auditEveryMs: 500, auditLookback: 'P5D' } });
      return [platform, roles];
    };
    // Three days back: outside the worker's P2D lookback, so only gap repair brings it back.
    const day = DateTime.now().setZone('Europe/Copenhagen').minus({ days: 3 }).toISODate()!;
    const range = deliveryDay(day, 'Europe/Copenhagen');
    try {
      let [platform, roles] = await start();
      const complete = await until('the day to be complete', async () => {
        const [row] = await platform.store.listLedger({ dataset: DATASET, partition: 'DK1', fromDay: day, toDay: day });
        return row && row.expected > 0 && row.present === row.expected ? row : undefined;
      });
      assert.equal(complete.missing, 0);
      await roles.stop();
      await platform.close();

      const db = await DuckDBInstance.create(join(dir, 'scalar.duckdb'));
      const conn = await db.connect();
      const us = (d: Date) => timestampValue(BigInt(d.getTime()) * 1000n);
      const deleted = await conn.run('DELETE FROM observations WHERE dataset = $1 AND ts >= $2 AND ts < $3', [DATASET, us(range.from), us(range.to)]);
      assert.equal(Number(deleted.rowsChanged), complete.expected);
      conn.closeSync();
      db.closeSync();

      [platform, roles] = await start();
      const restored = await until('the deleted day to come back', async () => {
        const [row] = await platform.store.listLedger({ dataset: DATASET, partition: 'DK1', fromDay: day, toDay: day });
        // The late count grows by the deleted slots: seen missing by the audit, then re-fetched.
        return row && row.present === row.expected && row.late >= complete.late + complete.expected ? row : undefined;
      });
      // Every slot was missing once and arrived later; nothing is left to chase.
      assert.deepEqual([restored.missing, restored.late - complete.late, restored.holes.length], [0, complete.expected, 0]);
      const rows = await platform.store.queryObservations({ dataset: DATASET, from: range.from, to: range.to, where: { area: 'DK1' } });
      assert.equal(rows.length, complete.expected);
      await roles.stop();
      await platform.close();
    } finally {
      await sim.close();
    }
  });
});
