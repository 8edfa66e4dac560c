// Secrets never leave the process in clear: every log line, every error message that leaves a
// provider client, every fetch_log and dead_letters row and the CLI's own output go through
// `redact`. Two nets: the exact values read through the secrets port (registered as they are read,
// so a token echoed anywhere — an error page quoting the request URL — is caught whatever surrounds
// it), and patterns for what looks like a credential (query parameters and `key=value` pairs named
// like one, Authorization headers, the password in a URL's userinfo).

const MASK = '***';

/** Values shorter than this are not registered: masking every "1" or "dev" would garble logs, and such values are not secrets. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let secretsRe: RegExp | null = null;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Which values read through the secrets port are secret: all but identities (`meteologica:username`,
 * `volue:client_id`). Those are read there because they travel with the credential, but masking a
 * user name such as `scalar` would garble every line that names the product.
 */
export function isSecretName(name: string): boolean {
  return !/:(username|user|client_id)$/i.test(name);
}

/** Remembers a secret value so that `redact` masks it wherever it appears (also URL- and JSON-escaped). */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
  let added = false;
  for (const f of forms) {
    if (!secrets.has(f)) {
      secrets.add(f);
      added = true;
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  if (added) secretsRe = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g');
}

// key=value (query strings, form bodies, "password=..." in messages) and "key": "value" (JSON)
// for keys that name a credential; the key stays, the value goes.
const SECRET_KEY = String.raw`[\w.-]*(?:token|password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|credential|auth)[\w.-]*`;
const PATTERNS: [RegExp, string][] = [
  // scheme://user:password@host — keep the user, mask the password.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]*:)[^\s@/'"]+@/gi, `$1${MASK}@`],
  // Authorization: Bearer xyz / Basic xyz (header lines and JSON header objects).
  [/(\bauthorization\b["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token|digest)\s+)?[^\s"',;]+/gi, `$1${MASK}`],
  [new RegExp(String.raw`(\b${SECRET_KEY}=)[^&\s"'<>\\]+`, 'gi'), `$1${MASK}`],
  [new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")(?:[^"\\]|\\.)*"`, 'gi'), `$1${MASK}"`],
];

/** The text with every registered secret and everything that looks like a credential masked. */
export function redact(text: string): string {
  let out = secretsRe ? text.replace(secretsRe, MASK) : text;
  for (const [re, by] of PATTERNS) out = out.replace(re, by);
  return out;
}

/** For tests: forget every registered secret. */
export function forgetSecrets(): void {
  secrets.clear();
  secretsRe = null;
}
