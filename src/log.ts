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
/** Where configureLog sends the lines; null before it and after closeLog. */
let destination: ReturnType<typeof pino.destination> | null = null;
/** A write to the destination failed (its reader gone, a full disk): closeLog does not wait on it. */
let hasWriteFailed = false;

/** Builds the logger for `loglevel` and `logfile` at startup (CONFIG SET loglevel goes through setLogLevel). */
export function configureLog(level: RedisLogLevel, logfile: string): void {
  destination = logfile === '' ? pino.destination({ fd: 1, sync: false }) : pino.destination({ dest: logfile, sync: false, mkdir: true });
  log = pino({ level: PINO_LEVEL[level], base: { pid: process.pid } }, destination);
  // Heard, a failed write costs its lines only (as in Redis); unheard, anything but EPIPE would end the process.
  destination.on('error', () => (hasWriteFailed = true));
}

export function setLogLevel(level: RedisLogLevel): void {
  log.level = PINO_LEVEL[level];
}

/**
 * Ends logging before the process exits: buffered lines are written for up
 * to timeoutMs, then the destination is closed, and later lines go nowhere.
 * Left to pino's exit hook, they were written synchronously instead, and
 * sonic-boom retries such a write every 100 ms for as long as it fails: with
 * stdout's reader gone (EPIPE) a SIGTERM never ended the process.
 */
export async function closeLog(timeoutMs = 1000): Promise<void> {
  const d = destination;
  if (d === null) return;
  destination = null;
  log = pino({ level: 'silent' });
  const isClosed =
    !hasWriteFailed &&
    (await new Promise<boolean>((resolve) => {
      const finish = (closed: boolean): void => {
        clearTimeout(timer);
        resolve(closed);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      d.once('close', () => finish(true));
      d.once('error', () => finish(false));
      d.end();
    }));
  if (isClosed) return;
  // Lines it could not take in time are dropped, so the exit hook has nothing to retry.
  try {
    d.destroy();
  } catch {
    // Already closing (end() got as far as closing it): nothing is left to write.
  }
}
