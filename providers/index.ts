// Which providers exist. Adding a provider = one folder under providers/ and one line here.
import type { Dataset, Provider } from '../shared/dataset.ts';
import { UnknownDatasetError } from '../shared/errors.ts';
import { baltic } from './baltic/index.ts';
import { elia } from './elia/index.ts';
import { energinet } from './energinet/index.ts';
import { entsoe } from './entsoe/index.ts';
import { jao } from './jao/index.ts';
import { nordpool } from './nordpool/index.ts';
import { meteologica } from './meteologica/index.ts';
import { volue } from './volue/index.ts';

export const providers: readonly Provider[] = [energinet, entsoe, elia, nordpool, jao, baltic, volue, meteologica];

export const datasets: readonly Dataset[] = providers.flatMap((p) => p.datasets);

export function findDataset(id: string): Dataset {
  const ds = datasets.find((d) => d.id === id);
  if (!ds) throw new UnknownDatasetError(`unknown dataset ${id} (known: ${datasets.map((d) => d.id).join(', ')})`);
  return ds;
}

export function findProvider(id: string): Provider {
  const p = providers.find((x) => x.id === id);
  if (!p) throw new UnknownDatasetError(`unknown provider ${id} (known: ${providers.map((x) => x.id).join(', ')})`);
  return p;
}
