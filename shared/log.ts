import { pino, type Logger as PinoLogger } from 'pino';
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

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * JSON logs on stderr, so stdout stays for command output (jsonl, tables, progress). A line written
 * inside a span carries its `trace_id` and `span_id`. `exportLevel` (default: `level`) is what goes
 * over OTLP when telemetry exports: the demo keeps its terminal quiet yet exports info lines.
 */
export function createLogger(level = process.env.SCALAR_LOG_LEVEL ?? 'info', exportLevel = level): Logger {
  if (!exportingLogs()) return pino({ level, base: { service: 'scalar' }, mixin: activeTraceIds }, pino.destination(2));
  const lowest = LEVELS.indexOf(exportLevel) < LEVELS.indexOf(level) ? exportLevel : level;
  // multistream writes each line to both synchronously, so the OTLP record keeps the caller's context.
  return pino(
    { level: lowest, base: { service: 'scalar' }, mixin: activeTraceIds },
    pino.multistream([
      { level: level as pino.Level, stream: pino.destination(2) },
      { level: exportLevel as pino.Level, stream: otlpStream },
    ]),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
