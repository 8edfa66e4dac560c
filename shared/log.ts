import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redact } from './redact.ts';
import { activeTraceIds, emitLogRecord, exportingLogs } from './telemetry.ts';

export type Logger = PinoLogger;

/** Every line written to stderr is also sent to the OTLP logger (when telemetry exports). */
const otlpStream = {
  write(line: string) {
    try {
      emitLogRecord(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A log line that cannot be exported must never break the caller.
    }
  },
};

/** A stream that redacts each line on its way to `destination`. */
const redacted = (destination: { write(line: string): unknown }) => ({ write: (line: string) => destination.write(redact(line)) });

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * JSON logs on stderr, so stdout stays for command output (jsonl, tables, progress). Every line
 * passes through `redact` on its way out, to stderr and to OTLP alike: one place, whatever a message,
 * an error's stack or a logged object carries. A line written inside a span carries its `trace_id`
 * and `span_id`. `exportLevel` (default: `level`) is what goes over OTLP when telemetry exports.
 */
export function createLogger(
  level = process.env.SCALAR_LOG_LEVEL ?? 'info',
  exportLevel = level,
  destination: DestinationStream = pino.destination(2),
): Logger {
  if (!exportingLogs()) return pino({ level, base: { service: 'scalar' }, mixin: activeTraceIds }, redacted(destination));
  const lowest = LEVELS.indexOf(exportLevel) < LEVELS.indexOf(level) ? exportLevel : level;
  // multistream writes each line to both synchronously, so the OTLP record keeps the caller's context.
  return pino(
    { level: lowest, base: { service: 'scalar' }, mixin: activeTraceIds },
    pino.multistream([
      { level: level as pino.Level, stream: redacted(destination) },
      { level: exportLevel as pino.Level, stream: redacted(otlpStream) },
    ]),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
