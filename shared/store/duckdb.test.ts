import { storeContract } from './contract.ts';
import { DuckDbStore } from './duckdb.ts';

storeContract('duckdb (in memory)', () => DuckDbStore.open(':memory:'));
