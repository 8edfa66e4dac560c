// The short chaos run (bench/chaos.ts): faults of every kind for 75 s over a 60-day backfill, then
// every expected slot must be in the store once. Only ingestion is SIGKILLed here; killing
// acquisition (its leases taken back at once under a stable SCALAR_INSTANCE_ID) is the full run's
// `CHAOS_KILL=acquisition`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const script = fileURLToPath(new URL('../bench/chaos.ts', import.meta.url));

describe('chaos (short)', () => {
  it('loses and duplicates nothing through kills, outages, latency, provider faults and malformed payloads', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, CHAOS_SECONDS: '75', CHAOS_SETTLE_SECONDS: '60', CHAOS_KILL: 'ingestion' },
      encoding: 'utf8',
      timeout: 175_000,
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /RESULT lost=0 duplicated=0 kills=\d+ OK/);
    assert.match(run.stdout, /dead letters by reason[\s\S]*ParseError/);
  });
});
