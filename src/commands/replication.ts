/**
 * Replication commands: REPLICAOF/SLAVEOF, ROLE, and the ones replicas send
 * (REPLCONF, PSYNC, SYNC), plus WAIT. The work lives in src/replication/.
 */
import { addArrayLen, addBulk, addError, addInteger, addOk, addStatus } from '../protocol/reply';
import { err } from '../protocol/shared';
import { Client, ClientFlag } from '../server/client';
import { intArg, word } from './args';
import { family } from './command';
import { encodeCommand } from '../replication/propagate';

function replicaofCommand(c: Client, argv: string[]): void {
  const repl = c.server.replication;
  if (c.hasFlag(ClientFlag.Replica) || c.hasFlag(ClientFlag.Master)) return addError(c, 'ERR Command is not valid when client is a replica.');
  if (argv.length === 4) {
    // KeyDB: REPLICAOF REMOVE host port drops one master of several.
    if (word(argv[1]) !== 'remove') return addError(c, 'ERR Invalid arguments');
    const port = intArg(c, argv[3], 'ERR Invalid master port');
    if (port === null) return;
    if (!repl.removeMaster({ host: argv[2], port })) return addError(c, 'ERR Master not found');
    return addOk(c);
  }
  if (argv.length !== 3) return addError(c, err.wrongArity(word(argv[0])));
  if (word(argv[1]) === 'no' && word(argv[2]) === 'one') {
    repl.promote();
    return addOk(c);
  }
  const port = intArg(c, argv[2], 'ERR Invalid master port');
  if (port === null) return;
  if (port < 0 || port > 65535) return addError(c, 'ERR Invalid master port');
  addStatus(c, repl.replicaOf({ host: argv[1], port }));
}

/** RREPLAY <origin-uuid> <command bytes> [db] [timestamp]: a write relayed by an active peer. */
function rreplayCommand(c: Client, argv: string[]): void {
  if (!c.hasFlag(ClientFlag.Master)) return addError(c, 'ERR Command must be sent from a master');
  const failure = c.server.active.replay(c, argv, encodeCommand(argv));
  if (failure !== null) addError(c, failure);
}

function roleCommand(c: Client): void {
  const repl = c.server.replication;
  const p = c.server.propagator;
  if (!repl.isReplica) {
    const online = [...repl.primary.links.values()].filter((l) => l.state === 'online');
    addArrayLen(c, 3);
    addBulk(c, 'master');
    addInteger(c, p.masterReplOffset);
    addArrayLen(c, online.length);
    for (const l of online) {
      addArrayLen(c, 3);
      addBulk(c, l.ip);
      addBulk(c, String(l.listeningPort));
      addBulk(c, String(l.ackOffset));
    }
    return;
  }
  const m = repl.masters[0];
  const state = m.state === 'handshake' ? 'handshake' : m.state;
  addArrayLen(c, 5);
  addBulk(c, 'slave');
  addBulk(c, m.host);
  addInteger(c, m.port);
  addBulk(c, state);
  addInteger(c, m.state === 'connected' ? m.processedOffset : -1);
}

function replconfCommand(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) return addError(c, err.syntax);
  const options: [string, string][] = [];
  for (let i = 1; i < argv.length; i += 2) options.push([word(argv[i]), argv[i + 1]]);
  const first = options[0][0];
  // On a replica, the master's GETACK asks for our offset now (not counting this GETACK).
  if (first === 'getack' && c.hasFlag(ClientFlag.Master)) {
    const link = c.server.replication.masters.find((m) => m.client === c);
    if (link !== undefined) link.sendAck(link.processedOffset - c.parser.lastFrameBytes);
    return;
  }
  const failure = c.server.replication.primary.replconf(c, options);
  if (failure !== null) return addError(c, failure);
  // KeyDB answers `REPLCONF uuid` with its own node UUID.
  if (first === 'uuid') return addStatus(c, c.server.active.uuid);
  if (first !== 'ack' && first !== 'getack') addOk(c);
}

function syncGeneric(c: Client, replid: string, offset: number, isOldSync: boolean): void {
  const repl = c.server.replication;
  if (c.hasFlag(ClientFlag.Replica)) return;
  if (repl.isReplica && !repl.isLinkUp && !c.server.active.isEnabled) return addError(c, "NOMASTERLINK Can't SYNC while not connected with my master");
  if (c.out.pendingBytes > 0 && c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR SYNC and PSYNC are invalid with pending output');
  repl.primary.sync(c, replid, offset, isOldSync);
}

function psyncCommand(c: Client, argv: string[]): void {
  const offset = Number(argv[2]);
  if (!Number.isInteger(offset)) return addError(c, err.notInteger);
  syncGeneric(c, argv[1], offset, false);
}

function syncCommand(c: Client): void {
  syncGeneric(c, '?', -1, true);
}

function waitCommand(c: Client, argv: string[]): void {
  if (c.server.replication.isReplica) return addError(c, 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
  const replicas = intArg(c, argv[1]);
  if (replicas === null) return;
  const timeout = intArg(c, argv[2], 'ERR timeout is not an integer or out of range');
  if (timeout === null) return;
  if (timeout < 0) return addError(c, 'ERR timeout is negative');
  c.server.replication.primary.wait(c, replicas, timeout, (n) => addInteger(c, n));
}

export const replicationCommands = family('server', [
  { name: 'replicaof', arity: -3, flags: 'admin noscript stale', summary: 'Make the server a replica of another instance, or promote it as master.', handler: replicaofCommand },
  { name: 'slaveof', arity: -3, flags: 'admin noscript stale', summary: 'Make the server a replica of another instance, or promote it as master.', handler: replicaofCommand },
  { name: 'role', arity: 1, flags: 'noscript loading stale fast', summary: 'Return the role of the instance in the context of replication', handler: roleCommand },
  { name: 'replconf', arity: -1, flags: 'admin noscript loading stale allow_busy', summary: 'An internal command for configuring the replication stream', handler: replconfCommand },
  { name: 'psync', arity: -3, flags: 'admin noscript no_multi', summary: 'Internal command used for replication', handler: psyncCommand },
  { name: 'sync', arity: 1, flags: 'admin noscript no_multi', summary: 'Internal command used for replication', handler: syncCommand },
  { name: 'rreplay', arity: -3, flags: 'readonly fast stale', summary: 'Apply a write relayed by an active replication peer', handler: rreplayCommand },
  { name: 'wait', arity: 3, flags: 'noscript', summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', handler: waitCommand },
]);
