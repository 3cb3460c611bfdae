/**
 * Server commands: INFO COMMAND TIME DEBUG SHUTDOWN MONITOR SLOWLOG LATENCY
 * ROLE. CONFIG has its own file (config.ts).
 */
import { globMatch } from '../common/glob';
import { parseI64 } from '../common/numbers';
import { addArrayLen, addBulk, addError, addInteger, addMapLen, addNull, addOk, addSetLen, addStatus, addVerbatim } from '../protocol/reply';
import { err } from '../protocol/shared';
import { Client, ClientFlag } from '../server/client';
import { intArg, word } from './args';
import { Command, F, family, type KeySpec } from './command';
import { addHelp } from './connection';
import { COMMANDS, commandByName } from './table';

function infoCommand(c: Client, argv: string[]): void {
  const sections: string[] = [];
  for (let i = 1; i < argv.length; i++) sections.push(word(argv[i]));
  addVerbatim(c, c.server.info.render(sections));
}

function timeCommand(c: Client): void {
  const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
  addArrayLen(c, 2);
  addBulk(c, String(us / 1000000n));
  addBulk(c, String(us % 1000000n));
}

// ---- COMMAND ------------------------------------------------------------

/** The ACL category a command group implies (the acl_categories of Redis's command JSON). */
const GROUP_CATEGORY: Record<string, string> = {
  generic: 'keyspace',
  string: 'string',
  list: 'list',
  hash: 'hash',
  set: 'set',
  sorted_set: 'sortedset',
  pubsub: 'pubsub',
  transactions: 'transaction',
  connection: 'connection',
};

/** Redis's ACL category table order: COMMAND INFO lists categories in it. */
const CATEGORY_ORDER = ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting'];

/**
 * ACL categories as Redis derives them (setImplicitACLCategories): the
 * group's category plus write/read/admin+dangerous/pubsub/fast/blocking
 * from the flags, @slow when not @fast. A container has no group category.
 */
function aclCategories(cmd: Command): string[] {
  const cats = new Set<string>();
  const groupCategory = cmd.handler === null ? undefined : GROUP_CATEGORY[cmd.group];
  if (groupCategory !== undefined) cats.add(groupCategory);
  if (cmd.has(F.write)) cats.add('write');
  if (cmd.has(F.readonly)) cats.add('read');
  if (cmd.has(F.admin)) cats.add('admin').add('dangerous');
  if (cmd.has(F.pubsub)) cats.add('pubsub');
  if (cmd.has(F.blocking)) cats.add('blocking');
  cats.add(cmd.has(F.fast) ? 'fast' : 'slow');
  return CATEGORY_ORDER.filter((c) => cats.has(c)).map((c) => '@' + c);
}

function addCommandInfo(c: Client, cmd: Command): void {
  addArrayLen(c, 10);
  addBulk(c, cmd.fullName);
  addInteger(c, cmd.arity);
  const flags = cmd.flagNames();
  addSetLen(c, flags.length);
  for (const f of flags) addStatus(c, f);
  addInteger(c, cmd.keys.first);
  addInteger(c, cmd.keys.last);
  addInteger(c, cmd.keys.step);
  const cats = aclCategories(cmd);
  addSetLen(c, cats.length);
  for (const cat of cats) addStatus(c, cat);
  addSetLen(c, 0); // tips
  addArrayLen(c, 0); // key specs
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  addArrayLen(c, subs.length);
  for (const s of subs) addCommandInfo(c, s);
}

function commandCommand(c: Client): void {
  addArrayLen(c, COMMANDS.length);
  for (const cmd of COMMANDS) addCommandInfo(c, cmd);
}

function commandCountCommand(c: Client): void {
  addInteger(c, COMMANDS.length);
}

/** A command or `container|subcommand` by name, any case (COMMAND INFO/DOCS accept both). */
function lookupByFullName(name: string): Command | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return commandByName(name);
  return commandByName(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

function commandInfoCommand(c: Client, argv: string[]): void {
  if (argv.length === 2) return commandCommand(c);
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const cmd = lookupByFullName(argv[i]);
    if (cmd === undefined) addNull(c);
    else addCommandInfo(c, cmd);
  }
}

function addCommandDocs(c: Client, cmd: Command): void {
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  addMapLen(c, subs.length > 0 ? 4 : 3);
  addBulk(c, 'summary');
  addBulk(c, cmd.summary);
  addBulk(c, 'since');
  addBulk(c, '1.0.0');
  addBulk(c, 'group');
  addBulk(c, cmd.group);
  if (subs.length > 0) {
    addBulk(c, 'subcommands');
    addMapLen(c, subs.length);
    for (const s of subs) {
      addBulk(c, s.fullName);
      addCommandDocs(c, s);
    }
  }
}

function commandDocsCommand(c: Client, argv: string[]): void {
  const list: Command[] = [];
  if (argv.length === 2) list.push(...COMMANDS);
  for (let i = 2; i < argv.length; i++) {
    const cmd = lookupByFullName(argv[i]);
    if (cmd !== undefined) list.push(cmd);
  }
  addMapLen(c, list.length);
  for (const cmd of list) {
    addBulk(c, cmd.fullName);
    addCommandDocs(c, cmd);
  }
}

function commandListCommand(c: Client, argv: string[]): void {
  let pattern: string | null = null;
  let category: string | null = null;
  if (argv.length === 5 && word(argv[2]) === 'filterby') {
    const kind = word(argv[3]);
    if (kind === 'pattern') pattern = argv[4];
    else if (kind === 'aclcat') category = word(argv[4]);
    else if (kind !== 'module') return addError(c, err.syntax);
    else return addArrayLen(c, 0);
  } else if (argv.length !== 2) {
    return addError(c, err.syntax);
  }
  const names: string[] = [];
  for (const cmd of COMMANDS) {
    const all = [cmd, ...(cmd.subcommands ? cmd.subcommands.values() : [])];
    for (const x of all) {
      if (pattern !== null && !globMatch(pattern, x.fullName, true)) continue;
      if (category !== null && !aclCategories(x).includes('@' + category)) continue;
      names.push(x.fullName);
    }
  }
  addArrayLen(c, names.length);
  for (const n of names) addBulk(c, n);
}

function commandGetkeysCommand(c: Client, argv: string[]): void {
  const cmd = commandByName(argv[2]);
  if (cmd === undefined) return addError(c, 'ERR Invalid command specified');
  const { first, numkeysAt } = cmd.keys;
  if (first === 0 && numkeysAt === 0) return addError(c, 'ERR The command has no key arguments');
  const args = argv.slice(2);
  if ((cmd.arity > 0 && args.length !== cmd.arity) || args.length < -cmd.arity) {
    return addError(c, 'ERR Invalid number of arguments specified for command');
  }
  const keys = keyPositions(cmd.keys, args);
  if (keys === null || keys.length === 0) return addError(c, 'ERR Invalid arguments specified for command');
  addArrayLen(c, keys.length);
  for (const i of keys) addBulk(c, args[i]);
}

/**
 * Where the keys of a command line are: the fixed ones, then the movable
 * ones counted by argv[numkeysAt] (ZUNIONSTORE dest numkeys k1 k2 gives
 * dest, k1, k2, in Redis's key-spec order). Null when the count is not a
 * non-negative integer or runs past the arguments.
 */
function keyPositions(spec: KeySpec, args: readonly string[]): number[] | null {
  const out: number[] = [];
  if (spec.first !== 0) {
    const end = spec.last < 0 ? args.length + spec.last : spec.last;
    for (let i = spec.first; i <= end && i < args.length; i += spec.step) out.push(i);
  }
  if (spec.numkeysAt !== 0) {
    const n = parseI64(args[spec.numkeysAt]);
    if (typeof n !== 'number' || n < 0 || spec.numkeysAt + n >= args.length) return null;
    for (let i = 1; i <= n; i++) out.push(spec.numkeysAt + i);
  }
  return out;
}

// ---- DEBUG, SHUTDOWN, MONITOR -------------------------------------------

function debugCommand(c: Client, argv: string[]): void {
  const sub = word(argv[1]);
  if (sub === 'sleep' && argv.length === 3) {
    // Blocks the event loop on purpose, like Redis: used to test timeouts and latency tooling.
    // Redis reads it with strtod and no check: junk is 0, a negative sleep returns at once.
    const parsed = Number.parseFloat(argv[2]);
    const seconds = Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      /* busy wait */
    }
    return addOk(c);
  }
  if (sub === 'set-active-expire' && argv.length === 3) {
    c.server.activeExpire.isEnabled = argv[2] !== '0';
    return addOk(c);
  }
  if (sub === 'jmap' || sub === 'log') return addOk(c);
  if (sub === 'help') {
    return addHelp(c, 'DEBUG', [
      'SET-ACTIVE-EXPIRE <0|1>',
      '    Setting it to 0 disables expiring keys in background when they are not',
      '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
      '    default.',
      'SLEEP <seconds>',
      '    Stop the server for <seconds>. Decimals allowed.',
    ]);
  }
  addError(c, `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
}

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. */
function shutdownCommand(c: Client, argv: string[]): void {
  let save: boolean | null = null;
  for (let i = 1; i < argv.length; i++) {
    const opt = word(argv[i]);
    if (opt === 'nosave') save = false;
    else if (opt === 'save') save = true;
    else if (opt === 'now' || opt === 'force') continue;
    else if (opt === 'abort') return addError(c, 'ERR No shutdown in progress.');
    else return addError(c, err.syntax);
  }
  // On success the process exits without a reply, as Redis does.
  if (!c.server.onShutdown(save)) addError(c, 'ERR Errors trying to SHUTDOWN. Check logs.');
}

function monitorCommand(c: Client): void {
  if (c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR MONITOR is not allowed inside a transaction');
  c.flags |= ClientFlag.Monitor | ClientFlag.Replica;
  c.server.monitors.add(c);
  addOk(c);
}

// ---- SLOWLOG, LATENCY ---------------------------------------------------

function slowlogGetCommand(c: Client, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    // getRangeLongFromObjectOrReply: one message for a non-number and for a number below -1.
    const n = intArg(c, argv[2], 'ERR count should be greater than or equal to -1');
    if (n === null) return;
    if (n < -1) return addError(c, 'ERR count should be greater than or equal to -1');
    count = n === -1 ? Infinity : n;
  }
  const entries = c.server.slowlog.entries.slice(0, count === Infinity ? undefined : count);
  addArrayLen(c, entries.length);
  for (const e of entries) {
    addArrayLen(c, 6);
    addInteger(c, e.id);
    addInteger(c, e.timeSec);
    addInteger(c, e.durationUs);
    addArrayLen(c, e.args.length);
    for (const a of e.args) addBulk(c, a);
    addBulk(c, e.peer);
    addBulk(c, e.clientName);
  }
}

function latencySub(kind: 'latest' | 'history' | 'reset' | 'doctor') {
  return (c: Client, argv: string[]): void => {
    const monitor = c.server.latency;
    if (kind === 'latest') {
      const events = monitor.latest();
      addArrayLen(c, events.length);
      for (const e of events) {
        addArrayLen(c, 4);
        addBulk(c, e.name);
        addInteger(c, e.timeSec);
        addInteger(c, e.latestMs);
        addInteger(c, e.maxMs);
      }
    } else if (kind === 'history') {
      const samples = monitor.history(argv[2]);
      addArrayLen(c, samples.length);
      for (const s of samples) {
        addArrayLen(c, 2);
        addInteger(c, s.timeSec);
        addInteger(c, s.ms);
      }
    } else if (kind === 'reset') {
      addInteger(c, monitor.reset(argv.slice(2)));
    } else {
      addVerbatim(c, monitor.doctor());
    }
  };
}

export const serverCommands = family('server', [
  { name: 'info', arity: -1, flags: 'loading stale', summary: 'Get information and statistics about the server', handler: infoCommand },
  { name: 'time', arity: 1, flags: 'loading stale fast', summary: 'Return the current server time', handler: timeCommand },
  {
    name: 'command',
    arity: -1,
    flags: 'loading stale',
    summary: 'Get array of Redis command details',
    handler: commandCommand,
    subcommands: [
      { name: 'count', arity: 2, flags: 'loading stale', summary: 'Get total number of Redis commands', handler: commandCountCommand },
      { name: 'info', arity: -2, flags: 'loading stale', summary: 'Get array of specific Redis command details, or all when no argument is given.', handler: commandInfoCommand },
      { name: 'docs', arity: -2, flags: 'loading stale', summary: 'Get array of specific Redis command documentation', handler: commandDocsCommand },
      { name: 'list', arity: -2, flags: 'loading stale', summary: 'Get an array of Redis command names', handler: commandListCommand },
      { name: 'getkeys', arity: -4, flags: 'loading stale', summary: 'Extract keys given a full Redis command', handler: commandGetkeysCommand },
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        summary: 'Show helpful text about the different subcommands',
        handler: (c) =>
          addHelp(c, 'COMMAND', [
            '(no subcommand)',
            "    Return details about all Redis commands.",
            'COUNT',
            '    Return the total number of commands in this Redis server.',
            'LIST',
            '    Return a list of all commands in this Redis server.',
            'INFO [<command-name> ...]',
            '    Return details about multiple Redis commands.',
            '    If no command names are given, documentation details for all',
            '    commands are returned.',
            'DOCS [<command-name> ...]',
            '    Return documentation details about multiple Redis commands.',
            '    If no command names are given, documentation details for all',
            '    commands are returned.',
            'GETKEYS <full-command>',
            '    Return the keys from a full Redis command.',
          ]),
      },
    ],
  },
  { name: 'debug', arity: -2, flags: 'admin noscript loading stale', summary: 'A container for debugging commands', handler: debugCommand },
  { name: 'shutdown', arity: -1, flags: 'admin noscript loading stale no_multi allow_busy', summary: 'Synchronously save the dataset to disk and then shut down the server', handler: shutdownCommand },
  { name: 'monitor', arity: 1, flags: 'admin noscript loading stale', summary: 'Listen for all requests received by the server in real time', handler: monitorCommand },
  {
    name: 'slowlog',
    arity: -2,
    flags: '',
    summary: 'A container for slow log commands',
    subcommands: [
      { name: 'get', arity: -2, flags: 'admin loading stale', summary: 'Get the slow log\'s entries', handler: slowlogGetCommand },
      { name: 'len', arity: 2, flags: 'admin loading stale', summary: "Get the slow log's length", handler: (c) => addInteger(c, c.server.slowlog.entries.length) },
      {
        name: 'reset',
        arity: 2,
        flags: 'admin loading stale',
        summary: 'Clear all entries from the slow log',
        handler: (c) => {
          c.server.slowlog.reset();
          addOk(c);
        },
      },
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        summary: 'Show helpful text about the different subcommands',
        handler: (c) =>
          addHelp(c, 'SLOWLOG', [
            'GET [<count>]',
            '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
            '    Entries are made of:',
            '    id, timestamp, time in microseconds, arguments array, client IP and port,',
            '    client name',
            'LEN',
            '    Return the length of the slowlog.',
            'RESET',
            '    Reset the slowlog.',
          ]),
      },
    ],
  },
  {
    name: 'latency',
    arity: -2,
    flags: '',
    summary: 'A container for latency diagnostics commands',
    subcommands: [
      { name: 'latest', arity: 2, flags: 'admin noscript loading stale', summary: 'Return the latest latency samples for all events.', handler: latencySub('latest') },
      { name: 'history', arity: 3, flags: 'admin noscript loading stale', summary: 'Return timestamp-latency samples for the event.', handler: latencySub('history') },
      { name: 'reset', arity: -2, flags: 'admin noscript loading stale', summary: 'Reset latency data for one or more events.', handler: latencySub('reset') },
      { name: 'doctor', arity: 2, flags: 'admin noscript loading stale', summary: 'Return a human readable latency analysis report.', handler: latencySub('doctor') },
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        summary: 'Show helpful text about the different subcommands',
        handler: (c) =>
          addHelp(c, 'LATENCY', [
            'DOCTOR',
            '    Return a human readable latency analysis report.',
            'HISTORY <event>',
            '    Return time-latency samples for the <event> class.',
            'LATEST',
            '    Return the latest latency samples for all events.',
            'RESET [<event> ...]',
            '    Reset latency data of one or more <event> classes.',
            '    (default: reset all data for all event classes)',
          ]),
      },
    ],
  },
]);
