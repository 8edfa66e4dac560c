// Ingestion with large payloads parsed on a thread: same observations, same dead-letter reasons, and
// the control rows of a batch written with it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pino } from 'pino';
import { findDataset } from '../providers/index.ts';
import { MemoryBus } from '../shared/bus/index.ts';
import { MemoryCache } from '../shared/cache/memory.ts';
import type { ParseContext } from '../shared/dataset.ts';
import { silentLogger } from '../shared/log.ts';
import { memoryArchive } from '../shared/payload-archive.ts';
import { startParsePool } from '../shared/parse-pool.ts';
import { rawProperties, sha256Hex } from '../shared/raw-message.ts';
import { DuckDbStore } from '../shared/store/duckdb.ts';
import { startIngestion, type IngestionEvent } from './consumer.ts';

const DATASET = 'energinet.day_ahead_prices';
const payload = (day: number) => {
  const records = Array.from({ length: 24 }, (_, h) => {
    const t = new Date(Date.UTC(2025, 9, day, h)).toISOString().slice(0, 19);
    return `{"TimeUTC":"${t}","TimeDK":"${t}","PriceArea":"DK1","DayAheadPriceEUR":${50 + h},"DayAheadPriceDKK":${(50 + h) * 7.46}}`;
  });
  return new TextEncoder().encode(`{"total":24,"dataset":"DayAheadPrices","records":[${records.join(',')}]}`);
};

it('parses payloads over the size threshold on a thread: they land, a bad one is dead-lettered with the same reason, every payload indexed', async () => {
  const pool = startParsePool(new URL('../providers/parse-worker.ts', import.meta.url), { threads: 1 });
  const store = await DuckDbStore.open(':memory:');
  const bus = new MemoryBus({ redeliveryDelayMs: 10 });
  const events: IngestionEvent[] = [];
  let offThread = 0;
  const ingestion = await startIngestion(
    { bus, store, cache: new MemoryCache(), archive: memoryArchive(), log: silentLogger, findDataset, topics: ['energinet'],
      parseOffThread: { minBytes: 0, parse: (id, body) => (offThread++, pool.parse(id, body)) } },
    { batchRows: 10_000, batchWaitMs: 20, maxInFlight: 8 },
    (e) => events.push(e),
  );
  const bodies = [payload(1), payload(2), new TextEncoder().encode('{"total": 1, "records": [')];
  for (const [i, body] of bodies.entries()) {
    const window = { from: new Date(Date.UTC(2025, 9, i + 1)), to: new Date(Date.UTC(2025, 9, i + 2)) };
    await bus.publish('energinet', { data: body, properties: rawProperties({ provider: 'energinet', dataset: DATASET, partition: 'DK1', window, runId: `r${i}`, fetchedAt: new Date('2025-10-01T00:00:00Z'), contentType: 'application/json', sha256: sha256Hex(body) }) });
  }
  while (events.filter((e) => e.type === 'landed' || e.type === 'dead-lettered').length < 3) await new Promise((r) => setTimeout(r, 10));
  const inline = () => { try { findDataset(DATASET).parse(bodies[2]!); return 'parsed'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
  const dead = events.find((e) => e.type === 'dead-lettered');
  assert.equal(dead?.type === 'dead-lettered' && dead.reason, inline());
  assert.equal(offThread, 3);
  assert.equal(await store.countObservations(DATASET), 2 * 24 * 2);
  assert.equal((await store.listRawPayloads({ dataset: DATASET })).length, 3, 'the bytes of the bad payload are indexed too');
  assert.equal((await store.listDeadLetters()).length, 1);
  await ingestion.close();
  await pool.close();
  await store.close();
  await bus.close();
});

/** Ingestion on a fresh store whose batches would wait a minute for more rows; `publish(n)` sends n day payloads. */
async function waitingIngestion(bounds: { maxInFlight: number; maxInFlightBytes?: number }) {
  const store = await DuckDbStore.open(':memory:');
  const bus = new MemoryBus();
  const landed: number[] = [];
  const ingestion = await startIngestion(
    { bus, store, cache: new MemoryCache(), archive: memoryArchive(), log: silentLogger, findDataset, topics: ['energinet'] },
    { batchRows: 1_000_000, batchWaitMs: 60_000, ...bounds },
    (e) => e.type === 'landed' && landed.push(Date.now()),
  );
  const started = Date.now();
  return {
    landed,
    async publish(n: number) {
      for (let i = 0; i < n; i++) {
        const body = payload(i + 1);
        const window = { from: new Date(Date.UTC(2025, 9, i + 1)), to: new Date(Date.UTC(2025, 9, i + 2)) };
        await bus.publish('energinet', { data: body, properties: rawProperties({ provider: 'energinet', dataset: DATASET, partition: 'DK1', window, runId: `r${i}`, fetchedAt: new Date(), contentType: 'application/json', sha256: sha256Hex(body) }) });
      }
      while (landed.length < n && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 10));
      return { seconds: (Date.now() - started) / 1000, rows: await store.countObservations(DATASET) };
    },
    async close() {
      await ingestion.close();
      await store.close();
      await bus.close();
    },
  };
}

it('commits at once when the bus can deliver nothing more (maxInFlight held), instead of waiting out batchWaitMs', async () => {
  // Before: 64 small messages a second at the defaults (1 s wait, 64 in flight), ~10 k observations/s.
  const ingestion = await waitingIngestion({ maxInFlight: 4 });
  try {
    const { seconds, rows } = await ingestion.publish(12);
    assert.equal(rows, 12 * 24 * 2);
    assert.ok(seconds < 10, `12 messages with 4 in flight landed after ${seconds} s (batchWaitMs is 60 s)`);
  } finally {
    await ingestion.close();
  }
});

it('commits at once when the bytes it holds reach maxInFlightBytes', async () => {
  const size = payload(1).byteLength;
  const ingestion = await waitingIngestion({ maxInFlight: 1000, maxInFlightBytes: 3 * size });
  try {
    const { seconds, rows } = await ingestion.publish(9);
    assert.equal(rows, 9 * 24 * 2);
    assert.ok(seconds < 10, `9 messages of ${size} bytes with ${3 * size} bytes in flight landed after ${seconds} s (batchWaitMs is 60 s)`);
  } finally {
    await ingestion.close();
  }
});

it("logs what the parser dropped or overrode, with the dataset, partition and window, and lands the rest", async () => {
  const store = await DuckDbStore.open(':memory:');
  const bus = new MemoryBus();
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  const partitions: (string | undefined)[] = [];
  const real = findDataset(DATASET);
  // The real dataset, whose parse also says it dropped something (as ENTSO-E's does for a stray Point).
  const noting = { ...real, parse: (body: Uint8Array, context?: ParseContext) => {
    partitions.push(context?.partition);
    context?.notes?.push('record 3 dropped: outside the window');
    return real.parse(body, context);
  } };
  const events: IngestionEvent[] = [];
  const ingestion = await startIngestion(
    { bus, store, cache: new MemoryCache(), archive: memoryArchive(), log, findDataset: (id) => (id === DATASET ? noting : findDataset(id)), topics: ['energinet'] },
    { batchRows: 10_000, batchWaitMs: 20, maxInFlight: 8 },
    (e) => events.push(e),
  );
  const body = payload(1);
  const window = { from: new Date(Date.UTC(2025, 9, 1)), to: new Date(Date.UTC(2025, 9, 2)) };
  await bus.publish('energinet', { data: body, properties: rawProperties({ provider: 'energinet', dataset: DATASET, partition: 'DK1', window, runId: 'r1', fetchedAt: new Date('2025-10-01T00:00:00Z'), contentType: 'application/json', sha256: sha256Hex(body) }) });
  while (!events.some((e) => e.type === 'landed')) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(partitions, ['DK1']);
  const noted = lines.find((l) => String(l.msg).includes('dropped or overrode'));
  assert.ok(noted, `no warning among ${JSON.stringify(lines)}`);
  assert.deepEqual(
    { dataset: noted.dataset, partition: noted.partition, from: noted.from, to: noted.to, notes: noted.notes },
    { dataset: DATASET, partition: 'DK1', from: '2025-10-01T00:00:00.000Z', to: '2025-10-02T00:00:00.000Z', notes: ['record 3 dropped: outside the window'] },
  );
  assert.equal(await store.countObservations(DATASET), 48);
  await ingestion.close();
  await store.close();
  await bus.close();
});
