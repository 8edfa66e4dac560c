// JAO — Joint Allocation Office: the Publication Tool (flow-based results of Core and Nordic; no
// auth) and the auction tool (explicit capacity auctions; API key `jao:api_key`, env JAO__API_KEY).
// See README.md beside this file.
import type { Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { JAO_RATE_PER_MINUTE, PUBLICATION_TOOL } from './client.ts';
import { jaoDatasets } from './datasets.ts';
import { startJaoSimulator } from './simulator.ts';

export const jao: Provider = {
  id: 'jao',
  title: 'JAO — Joint Allocation Office (Publication Tool, auction tool)',
  baseUrl: PUBLICATION_TOOL,
  ratePerMinute: JAO_RATE_PER_MINUTE,
  datasets: jaoDatasets,
  identify(body) {
    const claimed = jaoDatasets.filter((d) => d.detect?.(body));
    if (claimed.length === 1) return claimed[0]!;
    const head = new TextDecoder().decode(body.subarray(0, 120)).replace(/\s+/g, ' ');
    if (claimed.length === 0) throw new ParseError(`jao: no dataset recognises this payload (starts ${JSON.stringify(head)})`);
    throw new ParseError(`jao: this payload could be any of ${claimed.map((d) => d.id).join(', ')} (their columns are alike); name one with --dataset`);
  },
  startSimulator: (options) => startJaoSimulator(options),
};
