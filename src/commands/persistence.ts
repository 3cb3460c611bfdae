/**
 * Persistence commands: SAVE BGSAVE LASTSAVE (rdb.c's saveCommand,
 * bgsaveCommand, lastsaveCommand). The work lives in src/persistence/.
 */
import { persistenceOf } from '../persistence/persistence';
import { addError, addInteger, addOk, addStatus } from '../protocol/reply';
import { err } from '../protocol/shared';
import { Client, ClientFlag } from '../server/client';
import { word } from './args';
import { family } from './command';

const BGSAVE_IN_PROGRESS = 'ERR Background save already in progress';

function saveCommand(c: Client): void {
  const p = persistenceOf(c.server);
  if (p.isBgsaveInProgress) return addError(c, BGSAVE_IN_PROGRESS);
  if (p.saveSync()) addOk(c);
  else addError(c, 'ERR');
}

/** BGSAVE [SCHEDULE]. Inside EXEC the save is deferred to the cron, as in Redis. */
function bgsaveCommand(c: Client, argv: string[]): void {
  if (argv.length > 1 && (argv.length !== 2 || word(argv[1]) !== 'schedule')) return addError(c, err.syntax);
  const p = persistenceOf(c.server);
  if (p.isBgsaveInProgress) return addError(c, BGSAVE_IN_PROGRESS);
  if (c.hasFlag(ClientFlag.Multi)) {
    p.isBgsaveScheduled = true;
    return addStatus(c, 'Background saving scheduled');
  }
  if (p.startBgsave()) addStatus(c, 'Background saving started');
  else addError(c, 'ERR');
}

function lastsaveCommand(c: Client): void {
  addInteger(c, persistenceOf(c.server).lastSaveSec);
}

export const persistenceCommands = family('server', [
  { name: 'save', arity: 1, flags: 'admin noscript no_multi', summary: 'Synchronously save the dataset to disk', handler: saveCommand },
  { name: 'bgsave', arity: -1, flags: 'admin noscript', summary: 'Asynchronously save the dataset to disk', handler: bgsaveCommand },
  { name: 'lastsave', arity: 1, flags: 'loading stale fast', summary: 'Get the UNIX time stamp of the last successful save to disk', handler: lastsaveCommand },
]);
