import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropState } from './file-drop.ts';

const at = (s: string) => new Date(`2025-10-25T${s}Z`);
const file = (name: string, size: number, mtime: string) => ({ name, size, mtime: at(mtime) });

describe('which dropped files are due', () => {
  it('a file is due once it looked the same on two polls in a row', () => {
    const s = dropState([]);
    assert.deepEqual(s.due([file('a.csv', 10, '08:00:00')]), [], 'first sight: maybe still being written');
    assert.deepEqual(s.due([file('a.csv', 20, '08:00:05')]), [], 'grew since the last poll');
    assert.deepEqual(s.due([file('a.csv', 20, '08:00:05')]).map((f) => f.name), ['a.csv']);
  });

  it('a recorded (name, size, mtime) is never due again; new content under the same name is', () => {
    const landed = { dataset: 'd', name: 'a.csv', size: 20, mtime: at('08:00:05'), sha256: 'c'.repeat(64), runId: 'r', landedAt: at('08:01:00') };
    const s = dropState([landed]);
    s.due([file('a.csv', 20, '08:00:05')]);
    assert.deepEqual(s.due([file('a.csv', 20, '08:00:05')]), []);
    s.due([file('a.csv', 21, '09:00:00')]);
    assert.deepEqual(s.due([file('a.csv', 21, '09:00:00')]).map((f) => f.size), [21]);
    assert.equal(s.landedBefore('a.csv', 'c'.repeat(64)), true, 'the same bytes re-uploaded are recognised by hash');
    assert.equal(s.landedBefore('a.csv', 'd'.repeat(64)), false);
  });

  it('a file that disappeared and came back starts over', () => {
    const s = dropState([]);
    s.due([file('a.csv', 10, '08:00:00')]);
    s.due([]);
    assert.deepEqual(s.due([file('a.csv', 10, '08:00:00')]), []);
  });
});
