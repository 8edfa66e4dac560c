import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from './dataset.ts';
import { seriesCarries, sourcesOf } from './measures.ts';

const ds = (id: string, measures: Dataset['measures']): Dataset => ({ id, measures }) as unknown as Dataset;
const registry = [
  ds('a.generation', [
    { quantity: 'generation.solar', kind: 'actual', where: { psrType: 'B16' } },
    { quantity: 'generation.solar', kind: 'forecast', horizon: 'day_ahead', where: { psrType: 'B16' } },
  ]),
  ds('b.solar', [{ quantity: 'generation.solar', kind: 'actual' }]),
  ds('c.prices', undefined),
];

test('sourcesOf finds every dataset carrying a quantity of a kind, in registry order', () => {
  assert.deepEqual(sourcesOf(registry, 'generation.solar', 'actual').map((s) => s.dataset.id), ['a.generation', 'b.solar']);
  assert.deepEqual(sourcesOf(registry, 'generation.solar', 'forecast', 'day_ahead').map((s) => s.dataset.id), ['a.generation']);
  assert.deepEqual(sourcesOf(registry, 'generation.solar', 'forecast', 'intraday'), []);
  assert.deepEqual(sourcesOf(registry, 'price.day_ahead', 'actual'), []);
});

test("seriesCarries checks the measure's dimension values only", () => {
  const [solar] = sourcesOf(registry, 'generation.solar', 'actual');
  assert.equal(seriesCarries(solar!.measure, { psrType: 'B16', zone: 'DE-LU' }), true);
  assert.equal(seriesCarries(solar!.measure, { psrType: 'B19', zone: 'DE-LU' }), false);
  assert.equal(seriesCarries({ quantity: 'load', kind: 'actual' }, { zone: 'BE' }), true);
});
