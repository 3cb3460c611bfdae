/**
 * Replication commands. ROLE for now; REPLICAOF, PSYNC, REPLCONF, WAIT
 * arrive with the replication room.
 */
import { addArrayLen, addBulk, addInteger } from '../protocol/reply';
import type { Client } from '../server/client';
import { family } from './command';

function roleCommand(c: Client): void {
  addArrayLen(c, 3);
  addBulk(c, 'master');
  addInteger(c, 0);
  addArrayLen(c, 0);
}

export const replicationCommands = family('server', [
  { name: 'role', arity: 1, flags: 'noscript loading stale fast', summary: 'Return the role of the instance in the context of replication', handler: roleCommand },
]);
