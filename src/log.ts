/**
 * The server's logger: pino, JSON lines to stdout unless `logfile` names a file.
 * Owns level mapping from Redis's `loglevel` names; nothing else logs.
 */
import pino, { Logger } from 'pino';

export type RedisLogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

/** Redis's four levels mapped onto pino's: verbose sits between debug and notice. */
const PINO_LEVEL: Record<RedisLogLevel, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
};

export let log: Logger = pino({ level: 'info', base: { pid: process.pid } });

/** Rebuilds the logger for `loglevel` and `logfile`; called at startup and by CONFIG SET. */
export function configureLog(level: RedisLogLevel, logfile: string): void {
  const destination = logfile === '' ? pino.destination({ fd: 1, sync: false }) : pino.destination({ dest: logfile, sync: false, mkdir: true });
  log = pino({ level: PINO_LEVEL[level], base: { pid: process.pid } }, destination);
}

export function setLogLevel(level: RedisLogLevel): void {
  log.level = PINO_LEVEL[level];
}

/** Writes what is buffered; used before exit. */
export function flushLog(): void {
  try {
    log.flush();
  } catch (err) {
    // Destination not ready yet (sonic-boom before open): nothing was buffered to lose.
    void err;
  }
}
