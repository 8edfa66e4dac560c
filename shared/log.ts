import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** JSON logs on stderr, so stdout stays for command output (jsonl, tables, progress). */
export function createLogger(level = process.env.SCALAR_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'scalar' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
