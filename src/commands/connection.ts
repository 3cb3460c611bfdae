/**
 * Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT and CLIENT.
 * Everything here reads or changes only the calling client (CLIENT KILL,
 * PAUSE and LIST also look at the registry).
 */
import { timingSafeEqual } from 'node:crypto';
import { addArrayLen, addBulk, addError, addInteger, addMapLen, addNull, addOk, addRaw, addStatus, addVerbatim } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import { Client, ClientFlag } from '../server/client';
import { clientInfoLine } from '../server/client-info';
import { VERSION } from '../server/server';
import { dbIndexArg, intArg, redact, word } from './args';
import { family } from './command';
import { unblockClientById } from '../server/blocking';
import { resetTransaction } from './transaction';

function pingCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) return addError(c, err.wrongArity('ping'));
  // A RESP2 subscriber gets a push-style pong, as Redis sends it.
  if (c.resp === 2 && c.subscriptionCount > 0) {
    addArrayLen(c, 2);
    addBulk(c, 'pong');
    addBulk(c, argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) addBulk(c, argv[1]);
  else addRaw(c, shared.pong);
}

function echoCommand(c: Client, argv: string[]): void {
  addBulk(c, argv[1]);
}

function quitCommand(c: Client): void {
  addOk(c);
  c.flags |= ClientFlag.CloseAfterReply;
}

function selectCommand(c: Client, argv: string[]): void {
  const id = dbIndexArg(c, argv[1]);
  if (id === null) return;
  if (id < 0 || id >= c.server.keyspace.dbs.length) return addError(c, err.dbIndexOutOfRange);
  c.db = c.server.keyspace.dbs[id];
  addOk(c);
}

/** Compares passwords in constant time (length leaks, as in Redis's time_independent_strcmp). */
function passwordMatches(c: Client, given: string): boolean {
  const expected = c.server.limits.requirepass;
  return expected.length === given.length && timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'));
}

/**
 * AUTH [username] password; only the `default` user exists. Without
 * requirepass it is `nopass` in Redis's ACL terms: `AUTH default <anything>`
 * succeeds, while the one-argument form is refused as a likely misconfiguration.
 */
function authenticate(c: Client, user: string | null, pass: string): string | null {
  if (user !== null && user !== 'default') return err.wrongPass;
  if (!c.server.requiresAuth()) return user === null ? err.authNotConfigured : null;
  if (!passwordMatches(c, pass)) return err.wrongPass;
  c.isAuthenticated = true;
  c.parser.limits.isUnauthenticated = false;
  return null;
}

function authCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) return addError(c, err.syntax);
  const failure = argv.length === 3 ? authenticate(c, argv[1], argv[2]) : authenticate(c, null, argv[1]);
  for (let i = 1; i < argv.length; i++) redact(argv, i);
  if (failure !== null) return addError(c, failure);
  addOk(c);
}

function helloCommand(c: Client, argv: string[]): void {
  let proto = c.resp as number;
  let i = 1;
  if (argv.length >= 2) {
    const v = intArg(c, argv[1], 'ERR Protocol version is not an integer or out of range');
    if (v === null) return;
    if (v < 2 || v > 3) return addError(c, 'NOPROTO unsupported protocol version');
    proto = v;
    i = 2;
  }
  let name: string | null = null;
  for (; i < argv.length; i++) {
    const opt = word(argv[i]);
    const more = argv.length - i - 1;
    if (opt === 'auth' && more >= 2) {
      const failure = authenticate(c, argv[i + 1], argv[i + 2]);
      redact(argv, i + 1);
      redact(argv, i + 2);
      if (failure !== null) return addError(c, failure);
      i += 2;
    } else if (opt === 'setname' && more >= 1) {
      name = argv[i + 1];
      if (!isValidClientName(name)) return addError(c, 'ERR Client names cannot contain spaces, newlines or special characters.');
      i += 1;
    } else {
      return addError(c, `ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (!c.isAuthenticated) {
    return addError(
      c,
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) c.name = name;
  c.resp = proto as 2 | 3;
  addMapLen(c, 7);
  addBulk(c, 'server');
  addBulk(c, 'redis');
  addBulk(c, 'version');
  addBulk(c, VERSION);
  addBulk(c, 'proto');
  addInteger(c, proto);
  addBulk(c, 'id');
  addInteger(c, c.id);
  addBulk(c, 'mode');
  addBulk(c, 'standalone');
  addBulk(c, 'role');
  addBulk(c, c.server.roleName());
  addBulk(c, 'modules');
  addArrayLen(c, 0);
}

function resetCommand(c: Client): void {
  resetTransaction(c);
  c.server.pubsub.removeClient(c);
  c.server.monitors.delete(c);
  c.flags &= ~(ClientFlag.Monitor | ClientFlag.NoEvict);
  c.db = c.server.keyspace.dbs[0];
  c.resp = 2;
  c.name = '';
  if (c.server.requiresAuth()) {
    c.isAuthenticated = false;
    c.parser.limits.isUnauthenticated = true;
  }
  addStatus(c, 'RESET');
}

export function isValidClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

// ---- CLIENT -------------------------------------------------------------

function clientIdCommand(c: Client): void {
  addInteger(c, c.id);
}

function clientSetnameCommand(c: Client, argv: string[]): void {
  const name = argv[2];
  if (!isValidClientName(name)) return addError(c, 'ERR Client names cannot contain spaces, newlines or special characters.');
  c.name = name;
  addOk(c);
}

function clientGetnameCommand(c: Client): void {
  if (c.name === '') addNull(c);
  else addBulk(c, c.name);
}

const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub']);

function clientType(c: Client): string {
  if (c.hasFlag(ClientFlag.Master)) return 'master';
  const cls = c.clientClass;
  return cls === 'replica' ? 'replica' : cls;
}

function clientListCommand(c: Client, argv: string[]): void {
  let filterType: string | null = null;
  let ids: Set<number> | null = null;
  if (argv.length === 4 && word(argv[2]) === 'type') {
    filterType = word(argv[3]);
    if (!CLIENT_TYPES.has(filterType)) return addError(c, `ERR Unknown client type '${argv[3]}'`);
    if (filterType === 'slave') filterType = 'replica';
  } else if (argv.length >= 4 && word(argv[2]) === 'id') {
    ids = new Set();
    for (let i = 3; i < argv.length; i++) {
      const id = intArg(c, argv[i], 'ERR Invalid client ID');
      if (id === null) return;
      ids.add(id);
    }
  } else if (argv.length !== 2) {
    return addError(c, err.syntax);
  }
  let text = '';
  for (const other of c.server.clients.values()) {
    if (filterType !== null && clientType(other) !== filterType) continue;
    if (ids !== null && !ids.has(other.id)) continue;
    text += clientInfoLine(other) + '\n';
  }
  addVerbatim(c, text);
}

function clientInfoCommand(c: Client): void {
  addVerbatim(c, clientInfoLine(c) + '\n');
}

function clientKillCommand(c: Client, argv: string[]): void {
  const server = c.server;
  if (argv.length === 3) {
    // Old form: CLIENT KILL ip:port
    const addr = argv[2];
    for (const other of server.clients.values()) {
      if (other.addr === addr) {
        addOk(c);
        killClient(c, other);
        return;
      }
    }
    return addError(c, 'ERR No such client');
  }
  if (argv.length % 2 !== 0) return addError(c, err.syntax);
  let id: number | null = null;
  let type: string | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = word(argv[i]);
    const value = argv[i + 1];
    if (opt === 'id') {
      id = intArg(c, argv[i + 1], 'ERR client-id should be greater than 0');
      if (id === null) return;
      if (id <= 0) return addError(c, 'ERR client-id should be greater than 0');
    } else if (opt === 'type') {
      type = value.toLowerCase();
      if (!CLIENT_TYPES.has(type)) return addError(c, `ERR Unknown client type '${value}'`);
      if (type === 'slave') type = 'replica';
    } else if (opt === 'addr') addr = value;
    else if (opt === 'laddr') laddr = value;
    else if (opt === 'user') user = value;
    else if (opt === 'skipme') {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') return addError(c, err.syntax);
      skipMe = v === 'yes';
    } else return addError(c, err.syntax);
  }
  let killed = 0;
  let isKillingSelf = false;
  for (const other of server.clients.values()) {
    if (id !== null && other.id !== id) continue;
    if (type !== null && clientType(other) !== type) continue;
    if (addr !== null && other.addr !== addr) continue;
    if (laddr !== null && other.laddr !== laddr) continue;
    if (user !== null && user !== 'default') continue;
    if (skipMe && other === c) continue;
    if (other === c) isKillingSelf = true;
    else killClient(c, other);
    killed++;
  }
  addInteger(c, killed);
  if (isKillingSelf) killClient(c, c);
}

/**
 * Closes a client for CLIENT KILL. The caller itself is closed after its
 * reply is written (Redis flags it CLOSE_AFTER_REPLY), any other client at
 * once.
 */
function killClient(caller: Client, victim: Client): void {
  if (victim === caller) caller.flags |= ClientFlag.CloseAfterReply;
  else victim.closeAsap('killed by CLIENT KILL');
}

function clientPauseCommand(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    // Redis checks the count first and answers addReplySubcommandSyntaxError, naming the subcommand as typed.
    return addError(c, `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
  }
  const ms = intArg(c, argv[2], 'ERR timeout is not an integer or out of range');
  if (ms === null) return;
  if (ms < 0) return addError(c, 'ERR timeout is negative');
  let writesOnly = false;
  if (argv.length === 4) {
    const mode = word(argv[3]);
    if (mode === 'write') writesOnly = true;
    else if (mode !== 'all') return addError(c, 'ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  c.server.pause(ms, writesOnly);
  addOk(c);
}

function clientUnpauseCommand(c: Client): void {
  c.server.unpause();
  addOk(c);
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking command as a timeout or with -UNBLOCKED. */
function clientUnblockCommand(c: Client, argv: string[]): void {
  const id = intArg(c, argv[2]);
  if (id === null) return;
  let withError = false;
  if (argv.length === 4) {
    const mode = word(argv[3]);
    if (mode === 'error') withError = true;
    else if (mode !== 'timeout') return addError(c, 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  } else if (argv.length > 4) {
    return addError(c, err.syntax);
  }
  const isUnblocked = unblockClientById(c.server, id, withError) || c.server.replication.primary.unblockWaiter(id, withError);
  addInteger(c, isUnblocked ? 1 : 0);
}

function clientNoEvictCommand(c: Client, argv: string[]): void {
  const v = word(argv[2]);
  if (v === 'on') c.flags |= ClientFlag.NoEvict;
  else if (v === 'off') c.flags &= ~ClientFlag.NoEvict;
  else return addError(c, err.syntax);
  addOk(c);
}

/** The entries of Redis 7.0's CLIENT HELP for the subcommands served here, in its order. */
const CLIENT_HELP = [
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

/**
 * `<CMD> HELP`, framed as Redis's addReplyHelp does: a usage line naming the
 * command, the entries, then the HELP entry every container command has.
 */
export function addHelp(c: Client, command: string, entries: readonly string[]): void {
  addArrayLen(c, entries.length + 3);
  addStatus(c, `${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of entries) addStatus(c, l);
  addStatus(c, 'HELP');
  addStatus(c, '    Prints this help.');
}

export const connectionCommands = family('connection', [
  { name: 'ping', arity: -1, flags: 'fast', summary: 'Ping the server', handler: pingCommand },
  { name: 'echo', arity: 2, flags: 'loading stale fast', summary: 'Echo the given string', handler: echoCommand },
  { name: 'quit', arity: -1, flags: 'noscript loading stale fast no_auth allow_busy', summary: 'Close the connection', handler: quitCommand },
  { name: 'select', arity: 2, flags: 'loading stale fast', summary: 'Change the selected database for the current connection', handler: selectCommand },
  { name: 'auth', arity: -2, flags: 'noscript loading stale fast no_auth allow_busy', summary: 'Authenticate to the server', handler: authCommand },
  { name: 'hello', arity: -1, flags: 'noscript loading stale fast no_auth allow_busy', summary: 'Handshake with Redis', handler: helloCommand },
  { name: 'reset', arity: 1, flags: 'noscript loading stale fast no_auth allow_busy', summary: 'Reset the connection', handler: resetCommand },
  {
    name: 'client',
    arity: -2,
    flags: '',
    summary: 'A container for client connection commands',
    subcommands: [
      { name: 'id', arity: 2, flags: 'noscript loading stale', summary: 'Returns the client ID for the current connection', handler: clientIdCommand },
      { name: 'setname', arity: 3, flags: 'noscript loading stale', summary: 'Set the current connection name', handler: clientSetnameCommand },
      { name: 'getname', arity: 2, flags: 'noscript loading stale', summary: 'Get the current connection name', handler: clientGetnameCommand },
      { name: 'list', arity: -2, flags: 'admin noscript loading stale', summary: 'Get the list of client connections', handler: clientListCommand },
      { name: 'info', arity: 2, flags: 'noscript loading stale', summary: 'Returns information about the current client connection.', handler: clientInfoCommand },
      { name: 'kill', arity: -3, flags: 'admin noscript loading stale', summary: 'Kill the connection of a client', handler: clientKillCommand },
      { name: 'pause', arity: -3, flags: 'admin noscript loading stale', summary: 'Stop processing commands from clients for some time', handler: clientPauseCommand },
      { name: 'unpause', arity: 2, flags: 'admin noscript loading stale', summary: 'Resume processing of clients that were paused', handler: clientUnpauseCommand },
      { name: 'unblock', arity: -3, flags: 'admin noscript loading stale', summary: 'Unblock a client blocked in a blocking command from a different connection', handler: clientUnblockCommand },
      { name: 'no-evict', arity: 3, flags: 'admin noscript loading stale', summary: 'Set client eviction mode for the current connection', handler: clientNoEvictCommand },
      { name: 'help', arity: 2, flags: 'loading stale', summary: 'Show helpful text about the different subcommands', handler: (c) => addHelp(c, 'CLIENT', CLIENT_HELP) },
    ],
  },
]);
