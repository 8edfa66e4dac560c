// Bearer tokens of the mutating endpoints, from the secrets port (`api:tokens`, comma-separated),
// compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secrets } from '../shared/secrets/index.ts';

export type TokenCheck = 'ok' | 'missing' | 'wrong';

// Hashing first gives equal-length buffers, as timingSafeEqual requires, without leaking the length.
const digest = (s: string) => createHash('sha256').update(s).digest();

export async function checkBearer(secrets: Secrets, authorization: string | undefined): Promise<TokenCheck> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return 'missing';
  const given = digest(m[1]!);
  const tokens = ((await secrets.get('api:tokens')) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  // Every token is compared (no early exit), so timing does not tell which one nearly matched.
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(given, digest(t)) || ok;
  return ok ? 'ok' : 'wrong';
}
