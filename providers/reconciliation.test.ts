import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasets } from './index.ts';
import { checkSources, RECONCILIATION_CHECKS, zoneTimeZone } from './reconciliation.ts';
import { ZONES } from './zones.ts';

describe('reconciliation checks', () => {
  for (const check of RECONCILIATION_CHECKS) {
    it(`${check.id}: names datasets that exist and carry ${check.quantity} (${check.kind}), in zones of the vocabulary`, () => {
      for (const id of check.sources ?? []) {
        const ds = datasets.find((d) => d.id === id);
        assert.ok(ds, `${id} is no dataset`);
        assert.ok(ds.measures?.some((m) => m.quantity === check.quantity && m.kind === check.kind), `${id} declares no ${check.quantity} ${check.kind} measure`);
      }
      for (const zone of check.zones) for (const code of zone.split('>')) assert.ok(ZONES.some((z) => z.code === code), `${code} is no zone`);
      const addressed = checkSources(check, check.zones[0]!).map((s) => s.dataset.id);
      for (const id of check.sources ?? []) assert.ok(addressed.includes(id), `${id} cannot be filtered to ${check.zones[0]}`);
    });
  }

  it('filters a zone through the zone dimension and a border through each provider\'s own codes', () => {
    const prices = checkSources(RECONCILIATION_CHECKS.find((c) => c.id === 'day_ahead_price_dk')!, 'DK1');
    assert.deepEqual(prices.map((s) => [s.dataset.id, s.where, s.measures.length]), [
      ['energinet.day_ahead_prices', { zone: 'DK1' }, 2],
      ['entsoe.day_ahead_prices', { zone: 'DK1' }, 1],
      ['nordpool.day_ahead_prices', { zone: 'DK1' }, 7],
    ]);
    const schedules = checkSources(RECONCILIATION_CHECKS.find((c) => c.id === 'schedules_core')!, 'DE-LU>FR');
    assert.deepEqual(schedules.map((s) => [s.dataset.id, s.where]), [['jao.scheduled_exchanges', { border: 'DE>FR' }]]);
    assert.equal(zoneTimeZone('DE-LU>FR'), 'Europe/Berlin');
  });
});
