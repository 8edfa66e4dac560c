import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedSlots } from '../shared/dataset.ts';
import { countDay, deliveryDaysIn, expectedSlots } from './expected-slots.ts';

const fixed = (resolution: string, due: ExpectedSlots['due'] = { afterSlot: 'PT1H' }): ExpectedSlots => ({
  resolutions: [{ resolution }],
  series: (partition) => [{ area: partition }],
  due,
});

// Local midnight in UTC on the spring and autumn change days of 2025 (the EU changes at 01:00 UTC,
// Great Britain too), and the slot counts a delivery day then has.
const zones = [
  { name: 'CET', tz: 'Europe/Brussels', spring: '2025-03-29T23:00:00.000Z', autumn: '2025-10-25T22:00:00.000Z' },
  { name: 'EET', tz: 'Europe/Helsinki', spring: '2025-03-29T22:00:00.000Z', autumn: '2025-10-25T21:00:00.000Z' },
  { name: 'GB time', tz: 'Europe/London', spring: '2025-03-30T00:00:00.000Z', autumn: '2025-10-25T23:00:00.000Z' },
];
const counts = [
  { resolution: 'PT15M', spring: 92, normal: 96, autumn: 100 },
  { resolution: 'PT30M', spring: 46, normal: 48, autumn: 50 },
  { resolution: 'PT60M', spring: 23, normal: 24, autumn: 25 },
  { resolution: 'P1D', spring: 1, normal: 1, autumn: 1 },
];

describe('expected slots of a delivery day', () => {
  for (const z of zones) {
    for (const c of counts) {
      it(`${c.resolution} in ${z.name}: ${c.spring} slots on the spring day, ${c.normal} on a normal day, ${c.autumn} on the autumn day`, () => {
        const spring = expectedSlots(fixed(c.resolution), z.tz, 'X', '2025-03-30');
        const normal = expectedSlots(fixed(c.resolution), z.tz, 'X', '2025-06-01');
        const autumn = expectedSlots(fixed(c.resolution), z.tz, 'X', '2025-10-26');
        assert.deepEqual([spring.slots.length, normal.slots.length, autumn.slots.length], [c.spring, c.normal, c.autumn]);
        assert.equal(spring.slots[0]!.toISOString(), z.spring);
        assert.equal(autumn.slots[0]!.toISOString(), z.autumn);
        // Slots are strictly increasing and all inside the day (no repeated or skipped wall-clock hour leaks in).
        for (const day of [spring, autumn]) {
          for (let i = 1; i < day.slots.length; i++) assert.ok(day.slots[i]! > day.slots[i - 1]!);
        }
      });
    }
  }

  it('switches resolution on the day a change applies (SDAC 15-minute go-live)', () => {
    const e: ExpectedSlots = { ...fixed('PT60M'), resolutions: [{ resolution: 'PT60M' }, { from: new Date('2025-09-30T22:00:00Z'), resolution: 'PT15M' }] };
    assert.equal(expectedSlots(e, 'Europe/Brussels', 'X', '2025-09-30').slots.length, 24);
    assert.equal(expectedSlots(e, 'Europe/Brussels', 'X', '2025-10-01').slots.length, 96);
  });

  it('dates day-ahead slots at the local time of the day before, actuals after each slot ends', () => {
    const auction = expectedSlots(fixed('PT60M', { dayBefore: '13:00' }), 'Europe/Copenhagen', 'DK1', '2025-10-26');
    assert.ok(auction.dueAt.every((d) => d.toISOString() === '2025-10-25T11:00:00.000Z'));
    const actual = expectedSlots(fixed('PT15M', { afterSlot: 'PT30M' }), 'Europe/Brussels', 'BE', '2025-11-05');
    assert.equal(actual.dueAt[0]!.toISOString(), '2025-11-04T23:45:00.000Z');
  });

  it('counts present, missing (due) and pending (not due) slots, one hole per contiguous run', () => {
    const day = expectedSlots(fixed('PT60M', { afterSlot: 'PT0S' }), 'Europe/Brussels', 'BE', '2025-10-26');
    const present = new Set(day.slots.filter((_, i) => i < 3 || (i >= 5 && i < 10) || i === 11).map((s) => s.getTime()));
    const now = day.slots[14]!; // slots 0..13 have ended
    const c = countDay(day, [present], now, 'Europe/Brussels');
    assert.deepEqual([c.expected, c.present, c.missing, c.pending], [25, 9, 5, 11]);
    assert.deepEqual(c.holes.map((h) => [h.from.toISOString(), h.to.toISOString()]), [
      [day.slots[3]!.toISOString(), day.slots[5]!.toISOString()],
      [day.slots[10]!.toISOString(), day.slots[11]!.toISOString()],
      [day.slots[12]!.toISOString(), day.slots[14]!.toISOString()],
    ]);
  });

  it('lists the local delivery days an interval touches', () => {
    assert.deepEqual(deliveryDaysIn({ from: new Date('2025-10-25T21:00:00Z'), to: new Date('2025-10-26T23:00:01Z') }, 'Europe/Brussels'), ['2025-10-25', '2025-10-26', '2025-10-27']);
  });
});
