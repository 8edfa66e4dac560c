// A parse thread for shared/parse-pool.test.ts: fails the way a parser does, with fields of its own.
import { ParseError } from './errors.ts';
import { serveParse } from './parse-pool.ts';

class DamagedDocumentError extends ParseError {
  override name = 'DamagedDocumentError';
}

serveParse((datasetId, body, context) => {
  const text = new TextDecoder().decode(body);
  if (text === 'noted') context.notes?.push(`dropped a stray point of partition ${context.partition ?? '(none)'}`);
  if (text === 'damaged') {
    throw Object.assign(new DamagedDocumentError(`${datasetId}: document is damaged`), {
      provider: 'test', dataset: datasetId, window: { from: new Date('2025-11-05T00:00:00Z'), to: new Date('2025-11-06T00:00:00Z') },
    });
  }
  if (text === 'crash') process.exit(3);
  return [{ dataset: datasetId, series: { area: 'DK1' }, ts: new Date('2025-11-05T00:00:00Z'), resolution: 'PT15M', value: text.length, unit: 'MW' }];
});
