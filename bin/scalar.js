#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm ci && npx scalar` needs no build step.
// Telemetry starts before the CLI (and every module it loads) is imported, so the meters and
// tracers those modules obtain are the SDK's, and it is flushed after the command returns
// (a demo's end, `scalar start` after SIGTERM): the last spans, metrics and logs are delivered.
import { register } from 'tsx/esm/api';

register();
const { startTelemetry, useRedaction } = await import('../shared/telemetry.ts');
// Exported span attributes, exception events and log records pass the same redaction as log lines.
useRedaction((await import('../shared/redact.ts')).redact);
// `scalar start` serves /metrics on its health port, read from the same instruments.
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
const telemetry = await startTelemetry({ prometheus: command === 'start' });
try {
  await import('../cli/main.ts');
} finally {
  // An abandoned flush leaves the exporters' retries pending: exit rather than wait them out.
  if (!(await telemetry.shutdown())) process.exit(process.exitCode ?? 0);
}
