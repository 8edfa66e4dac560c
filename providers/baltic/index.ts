// Baltic Transparency Dashboard — balancing data of Elering, AST and Litgrid. No auth.
// See README.md beside this file.
import type { Provider } from '../../shared/dataset.ts';
import { ParseError } from '../../shared/errors.ts';
import { BALTIC_API } from './client.ts';
import { balticDatasets } from './datasets.ts';
import { readExport } from './parse.ts';
import { startBalticSimulator } from './simulator.ts';

export const baltic: Provider = {
  id: 'baltic',
  title: 'Baltic Transparency Dashboard (Elering, AST, Litgrid)',
  baseUrl: BALTIC_API,
  // No published limit; the dashboard blocks busy addresses, so it is asked gently.
  ratePerMinute: 30,
  datasets: balticDatasets,
  identify(body) {
    const claimed = balticDatasets.find((d) => d.detect?.(body));
    if (claimed) return claimed;
    const id = readExport(body).id; // throws a ParseError naming what is wrong with the payload
    throw new ParseError(`baltic: no dataset for export id ${JSON.stringify(id ?? null)} (known: ${balticDatasets.map((d) => d.apiId).join(', ')})`);
  },
  startSimulator: (options) => startBalticSimulator(options),
};
