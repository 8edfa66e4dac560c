// Energinet — Energi Data Service (Denmark). Docs: https://www.energidataservice.dk/guides/api-guides
// No authentication; see README.md beside this file for quirks.
import type { Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { ENERGINET_API } from './client.ts';
import { energinetDatasets } from './datasets.ts';
import { payloadSummary } from './envelope.ts';
import { startEnerginetSimulator } from './simulator.ts';

export const energinet: Provider = {
  id: 'energinet',
  title: 'Energinet — Energi Data Service',
  baseUrl: ENERGINET_API,
  datasets: energinetDatasets,
  /** The one dataset whose `detect` claims the payload; anything else is a ParseError saying what was seen. */
  identify(body) {
    const claims = energinetDatasets.filter((d) => d.detect(body));
    if (claims.length === 1) return claims[0]!;
    const s = payloadSummary(body);
    const seen = !s
      ? 'neither an Energi Data Service response nor a record array'
      : s.dataset !== undefined
        ? `dataset ${s.dataset}`
        : `a record array with fields ${[...s.fields].join(', ') || '(none)'}`;
    if (claims.length === 0) throw new ParseError(`energinet: no parser for ${seen}`);
    throw new ParseError(`energinet: ${seen} fits ${claims.map((d) => d.id).join(' and ')}; choose one with --dataset`);
  },
  startSimulator: (options) => startEnerginetSimulator(options),
};
