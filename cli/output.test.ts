import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Observation } from '../shared/observation.ts';
import { writeObservations, type Format } from './output.ts';

function render(observations: Observation[], format: Format): string[] {
  let text = '';
  const out = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  writeObservations(observations, format, out);
  return text.trimEnd().split('\n');
}

const base = { dataset: 'p.load', ts: new Date('2025-11-05T12:00:00Z'), resolution: 'PT15M', unit: 'MW' };
const forecast: Observation = { ...base, series: { region: 'Flanders', metric: 'dayaheadforecast' }, value: 812.5, issued: new Date('2025-11-04T16:00:00Z'), quality: 'NotValidated' };
const plain: Observation = { ...base, series: { region: 'Wallonia', metric: 'measured' }, value: null };

describe('observation output', () => {
  it('prints issued and quality in jsonl only where an observation has them', () => {
    const [a, b] = render([forecast, plain], 'jsonl').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual([a!.issued, a!.quality], ['2025-11-04T16:00:00Z', 'NotValidated']);
    assert.deepEqual(['issued' in b!, 'quality' in b!, b!.value], [false, false, null]);
  });

  it('adds issued and quality columns to csv only when some observation has them', () => {
    assert.deepEqual(render([forecast, plain], 'csv'), [
      'dataset,metric,region,ts,resolution,value,unit,issued,quality',
      'p.load,dayaheadforecast,Flanders,2025-11-05T12:00:00Z,PT15M,812.5,MW,2025-11-04T16:00:00Z,NotValidated',
      'p.load,measured,Wallonia,2025-11-05T12:00:00Z,PT15M,,MW,,',
    ]);
    assert.equal(render([plain], 'csv')[0], 'dataset,metric,region,ts,resolution,value,unit');
  });

  it('never repeats a column: a resolution dimension equal to the resolution is shown once, a differing one apart', () => {
    const entsoe: Observation = { ...base, series: { area: 'FR', resolution: 'PT15M' }, value: 1 };
    assert.match(render([entsoe], 'table')[0]!, /^dataset\s+area\s+ts\s+resolution\s+value\s+unit$/);
    const odd: Observation = { ...base, series: { area: 'FR', resolution: 'PT60M' }, value: 1 };
    assert.equal(render([odd], 'csv')[0], 'dataset,area,series.resolution,ts,resolution,value,unit');
  });
});
