import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redact } from './redact.ts';

export type Logger = PinoLogger;

/**
 * JSON logs on stderr, so stdout stays for command output (jsonl, tables, progress). Every line
 * passes through `redact` on its way out: one place, whatever a message, an error's stack or a
 * logged object carries.
 */
export function createLogger(level = process.env.SCALAR_LOG_LEVEL ?? 'info', destination: DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: { service: 'scalar' } }, { write: (line: string) => destination.write(redact(line)) });
}

export const silentLogger: Logger = pino({ level: 'silent' });
