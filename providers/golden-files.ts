// Fixtures and their golden files, found from the dataset descriptors: `providers/<provider>/fixtures/<file>`
// and `<file without extension>.expected.jsonl` beside it, one observationToJson line per observation.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset, DatasetFixture } from '../shared/dataset.ts';
import { observationToJson } from '../shared/observation.ts';

export const fixturePath = (ds: Dataset, f: DatasetFixture) => fileURLToPath(new URL(`./${ds.provider}/fixtures/${f.file}`, import.meta.url));

export const goldenPath = (ds: Dataset, f: DatasetFixture) => fixturePath(ds, f).replace(/\.[^./]+$/, '') + '.expected.jsonl';

export const readFixture = (ds: Dataset, f: DatasetFixture) => new Uint8Array(readFileSync(fixturePath(ds, f)));

/** The dataset's parse of a fixture, told its partition as ingestion would be. */
export const parseFixture = (ds: Dataset, f: DatasetFixture) => ds.parse(readFixture(ds, f), f.partition === undefined ? {} : { partition: f.partition });

/** What the golden file of a fixture must hold: the dataset's parse of it, one JSON line per observation. */
export function renderGolden(ds: Dataset, f: DatasetFixture): string {
  return parseFixture(ds, f).map((o) => `${JSON.stringify(observationToJson(o))}\n`).join('');
}

/** The checked-in golden file, or null when there is none yet. */
export function readGolden(ds: Dataset, f: DatasetFixture): string | null {
  const path = goldenPath(ds, f);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** The first few lines where two golden texts differ, as `line N: expected … / got …`. */
export function goldenDifferences(expected: string, actual: string, max = 3): string[] {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < max; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}: expected ${a[i] ?? '(end of file)'}\n         got      ${b[i] ?? '(end of file)'}`);
  }
  if (a.length !== b.length) out.push(`${a.length - 1} line(s) expected, ${b.length - 1} parsed`);
  return out;
}
