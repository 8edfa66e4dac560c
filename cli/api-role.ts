// The `api` role: the HTTP API and the web view over a platform's store, cache and secrets.
import { serveApi } from '../api/server.ts';
import { errorMessage } from '../shared/errors.ts';
import { seedWorkers, type Platform } from './platform.ts';

export type ApiRole = { url: string; close(): Promise<void> };

/** Null (after an error line) when the port cannot be bound: the other roles keep running. */
export async function startApiRole(platform: Platform, port: number, host: string): Promise<ApiRole | null> {
  try {
    const api = await serveApi(
      { store: platform.store, cache: platform.cache, secrets: platform.secrets, environment: platform.config.env, seedWorkers: () => seedWorkers(platform.store, platform.config.env), log: platform.log.child({ role: 'api' }) },
      port,
      host,
    );
    return { url: api.url, close: () => api.app.close() };
  } catch (e) {
    platform.log.error({ err: e }, `API port ${host}:${port} unavailable (${errorMessage(e)}): the API and web view are not served`);
    return null;
  }
}
