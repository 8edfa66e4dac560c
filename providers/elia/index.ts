// Elia Open Data (Belgium), Opendatasoft Explore API v2.1: https://opendata.elia.be/api/explore/v2.1/console
// No authentication; see README.md beside this file for the dataset ids per era and the quirks.
import type { Dataset, Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { ELIA_API } from './client.ts';
import { eliaDatasets } from './datasets/index.ts';
import { payloadSignature } from './parse.ts';
import { startEliaSimulator } from './simulator.ts';

const datasets = eliaDatasets.map((d) => d.dataset);

/** The one dataset whose `detect` claims a payload; a ParseError naming what was seen otherwise. */
export function identifyElia(body: Uint8Array): Dataset {
  const claimed = datasets.filter((d) => d.detect?.(body));
  if (claimed.length === 1) return claimed[0]!;
  const sig = payloadSignature(body);
  const seen = sig ? `fields ${[...sig.fields].join(', ')}` : 'no record (empty, or not an Opendatasoft records envelope / export array)';
  throw new ParseError(
    claimed.length === 0
      ? `elia: no dataset matches this payload (${seen})`
      : `elia: several datasets match this payload (${claimed.map((d) => d.id).join(', ')}; ${seen})`,
  );
}

export const elia: Provider = {
  id: 'elia',
  title: 'Elia Open Data (Belgium)',
  baseUrl: ELIA_API,
  datasets,
  // Opendatasoft counts a daily quota per IP (429 with X-RateLimit-* once spent): a modest pace
  // keeps a day of every worker well inside it; the 429 wait is honoured through shared/http.ts.
  ratePerMinute: 60,
  identify: identifyElia,
  startSimulator: (options) => startEliaSimulator(options),
};
