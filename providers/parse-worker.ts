// A parse thread (shared/parse-pool.ts): every dataset this build knows, parsed by its descriptor.
import { serveParse } from '../shared/parse-pool.ts';
import { findDataset } from './index.ts';

serveParse((datasetId, body, context) => findDataset(datasetId).parse(body, context));
