/**
 * THE directive table. Every config directive the server knows is one entry
 * here: name, aliases, default, whether CONFIG SET may change it, and how its
 * arguments parse and print. The config file parser, the `--flag` command line,
 * CONFIG GET/SET/REWRITE and INFO all read this table and nothing else.
 *
 * Runtime effects are not here: rooms subscribe to changes through
 * Config.onChange. The only other room it reads is the pure flag-letter
 * table of pubsub/notify.ts, which owns the notify-keyspace-events syntax.
 */
import { formatNotifyFlags, parseNotifyFlags } from '../pubsub/notify';
import { statSync, Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { quoteArg } from '../protocol/split-args';
import { ConfigValueError, formatBool, formatMemory, LONG_MAX, parseBool, parseInteger, parseMemory } from './values';

export interface Directive<T> {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly mutable: boolean;
  /** CONFIG SET needs enable-protected-configs to allow it (server/protected-actions.ts). */
  readonly isProtected?: true;
  readonly defaultValue: T;
  /**
   * Parses one occurrence. `previous` is the value so far and `isRepeat` tells
   * whether this load already set the directive once (repeatable directives
   * such as `save` and `replicaof` accumulate; others replace).
   */
  parse(args: readonly string[], previous: T, isRepeat: boolean): T;
  format(value: T): string;
  /** Lines for CONFIG REWRITE (one directive may take several lines). */
  rewriteLines(value: T): string[];
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const UINT_MAX = 4294967295;

/**
 * A directive with one argument. `rewriteValue` is how CONFIG REWRITE writes
 * the value when it differs from what CONFIG GET prints (Redis quotes
 * strings with sdscatrepr and writes sizes as 100mb).
 */
function single<T>(
  name: string,
  defaultValue: T,
  mutable: boolean,
  parseOne: (arg: string) => T,
  format: (v: T) => string,
  aliases: readonly string[] = [],
  rewriteValue: (v: T) => string = format,
): Directive<T> {
  return {
    name,
    aliases,
    mutable,
    defaultValue,
    parse(args) {
      if (args.length !== 1) throw new ConfigValueError('wrong number of arguments');
      return parseOne(args[0]);
    },
    format,
    rewriteLines(v) {
      return [`${name} ${rewriteValue(v)}`];
    },
  };
}

const bool = (name: string, def: boolean, mutable = true, aliases: string[] = []): Directive<boolean> =>
  single(name, def, mutable, parseBool, formatBool, aliases);

const int = (name: string, def: number, min: number, max: number, mutable = true, aliases: string[] = []): Directive<number> =>
  single(name, def, mutable, (a) => parseInteger(a, min, max), String, aliases);

const memory = (name: string, def: number, mutable = true, min = 0, max = LONG_MAX, aliases: string[] = []): Directive<number> =>
  single(name, def, mutable, (a) => parseMemory(a, min, max), String, aliases, formatMemory);

const str = (name: string, def: string, mutable = true, aliases: string[] = []): Directive<string> =>
  single(name, def, mutable, (a) => a, (v) => v, aliases, quoteArg);

function oneOf(name: string, def: string, values: readonly string[], mutable = true): Directive<string> {
  return single(
    name,
    def,
    mutable,
    (a) => {
      const v = a.toLowerCase();
      if (!values.includes(v)) throw new ConfigValueError(`argument(s) must be one of the following: ${values.join(', ')}`);
      return v;
    },
    (v) => v,
  );
}

/** A directive whose arguments form a space-separated list (`bind`). */
function list(name: string, def: string[], mutable = true): Directive<string[]> {
  return {
    name,
    aliases: [],
    mutable,
    defaultValue: def,
    parse(args) {
      const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w !== '') : [...args];
      return words;
    },
    format: (v) => v.join(' '),
    rewriteLines: (v) => [`${name} ${v.join(' ')}`],
  };
}

/** Marks a directive protected, as Redis 7 marks `dir` and `dbfilename`. */
function guarded<T>(d: Directive<T>): Directive<T> {
  return { ...d, isProtected: true };
}

/** enable-protected-configs / enable-debug-command: no, yes, or local (loopback clients only). */
const protectedAction = (name: string): Directive<string> => oneOf(name, 'no', ['no', 'yes', 'local'], false);

/** `dir` must name an existing directory, as Redis's chdir demands (at startup and on CONFIG SET). */
function existingDirectory(path: string): string {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    throw new ConfigValueError('No such file or directory');
  }
  if (!stats.isDirectory()) throw new ConfigValueError('Not a directory');
  return path;
}

function baseFileName(name: string): string {
  if (basename(name) !== name) throw new ConfigValueError("dbfilename can't be a path, just a filename");
  return name;
}

// ---- save ---------------------------------------------------------------

export interface SavePoint {
  seconds: number;
  changes: number;
}

/** One number of a save line, read as setConfigSaveOption does (strtoll, whole word). */
function saveNumber(word: string, min: number): number {
  const n = /^[+-]?\d+$/.test(word) ? Number(word) : NaN;
  if (!(n >= min && n <= INT_MAX)) throw new ConfigValueError('Invalid save parameters');
  return n;
}

/** `save <sec> <changes> [...]`; `save ""` clears; the first line of a load replaces the default. */
const save: Directive<SavePoint[]> = {
  name: 'save',
  aliases: [],
  mutable: true,
  defaultValue: [
    { seconds: 3600, changes: 1 },
    { seconds: 300, changes: 100 },
    { seconds: 60, changes: 10000 },
  ],
  parse(args, previous, isRepeat) {
    const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w !== '') : [...args];
    const base = isRepeat ? previous : [];
    if (words.length === 0) return [];
    if (words.length % 2 !== 0) throw new ConfigValueError('Invalid save parameters');
    const points: SavePoint[] = [...base];
    for (let i = 0; i < words.length; i += 2) {
      points.push({ seconds: saveNumber(words[i], 1), changes: saveNumber(words[i + 1], 0) });
    }
    return points;
  },
  format: (v) => v.map((p) => `${p.seconds} ${p.changes}`).join(' '),
  rewriteLines: (v) => (v.length === 0 ? ['save ""'] : v.map((p) => `save ${p.seconds} ${p.changes}`)),
};

// ---- client-output-buffer-limit -----------------------------------------

export type ClientClass = 'normal' | 'replica' | 'pubsub';

export interface OutputBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

export type OutputBufferLimits = Record<ClientClass, OutputBufferLimit>;

const CLASS_NAMES: Record<string, ClientClass> = { normal: 'normal', replica: 'replica', slave: 'replica', pubsub: 'pubsub' };

const clientOutputBufferLimit: Directive<OutputBufferLimits> = {
  name: 'client-output-buffer-limit',
  aliases: [],
  mutable: true,
  defaultValue: {
    normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    replica: { hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSeconds: 60 },
    pubsub: { hardBytes: 32 * 1024 * 1024, softBytes: 8 * 1024 * 1024, softSeconds: 60 },
  },
  parse(args, previous) {
    const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w !== '') : [...args];
    if (words.length === 0 || words.length % 4 !== 0) throw new ConfigValueError('Wrong number of arguments in buffer limit configuration.');
    const next: OutputBufferLimits = { normal: { ...previous.normal }, replica: { ...previous.replica }, pubsub: { ...previous.pubsub } };
    for (let i = 0; i < words.length; i += 4) {
      const cls = CLASS_NAMES[words[i].toLowerCase()];
      if (cls === undefined) throw new ConfigValueError('Invalid client class specified in buffer limit configuration.');
      let hardBytes: number;
      let softBytes: number;
      let softSeconds: number;
      try {
        hardBytes = parseMemory(words[i + 1]);
        softBytes = parseMemory(words[i + 2]);
        softSeconds = parseInteger(words[i + 3], 0, LONG_MAX);
      } catch {
        throw new ConfigValueError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      }
      next[cls] = { hardBytes, softBytes, softSeconds };
    }
    return next;
  },
  format: (v) =>
    `normal ${v.normal.hardBytes} ${v.normal.softBytes} ${v.normal.softSeconds} ` +
    `slave ${v.replica.hardBytes} ${v.replica.softBytes} ${v.replica.softSeconds} ` +
    `pubsub ${v.pubsub.hardBytes} ${v.pubsub.softBytes} ${v.pubsub.softSeconds}`,
  // rewriteConfigClientOutputBufferLimitOption: one line per class that differs from its default.
  rewriteLines(v) {
    const lines: string[] = [];
    for (const c of ['normal', 'replica', 'pubsub'] as const) {
      const l = v[c];
      const d = this.defaultValue[c];
      if (c !== 'normal' && l.hardBytes === d.hardBytes && l.softBytes === d.softBytes && l.softSeconds === d.softSeconds) continue;
      lines.push(`client-output-buffer-limit ${c === 'replica' ? 'slave' : c} ${formatMemory(l.hardBytes)} ${formatMemory(l.softBytes)} ${l.softSeconds}`);
    }
    return lines;
  },
};

// ---- replicaof ----------------------------------------------------------

export interface MasterAddress {
  host: string;
  port: number;
}

/**
 * `replicaof <host> <port>`: every line of one load is kept (KeyDB multi-master
 * reads them all); with multi-master off only the last one is used.
 * `replicaof no one` clears.
 */
const replicaof: Directive<MasterAddress[]> = {
  name: 'replicaof',
  aliases: ['slaveof'],
  mutable: false,
  defaultValue: [],
  parse(args, previous, isRepeat) {
    const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w !== '') : [...args];
    if (words.length === 0) return [];
    if (words.length !== 2) throw new ConfigValueError('wrong number of arguments');
    if (words[0].toLowerCase() === 'no' && words[1].toLowerCase() === 'one') return [];
    const port = parseInteger(words[1], 0, 65535);
    const base = isRepeat ? previous.filter((m) => !(m.host === words[0] && m.port === port)) : [];
    return [...base, { host: words[0], port }];
  },
  format: (v) => v.map((m) => `${m.host} ${m.port}`).join(' '),
  rewriteLines: (v) => v.map((m) => `replicaof ${m.host} ${m.port}`),
};

// ---- directives of the stock redis.conf that only need to be accepted -----

/** `oom-score-adj-values <primary> <replica> <bg-child>`, each -2000..2000. */
const oomScoreAdjValues: Directive<number[]> = {
  name: 'oom-score-adj-values',
  aliases: [],
  mutable: true,
  defaultValue: [0, 200, 800],
  parse(args) {
    const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w !== '') : [...args];
    if (words.length !== 3) throw new ConfigValueError('wrong number of arguments');
    return words.map((w) => {
      const n = /^-?\d+$/.test(w) ? Number(w) : NaN;
      if (!(n >= -2000 && n <= 2000)) throw new ConfigValueError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      return n;
    });
  },
  format: (v) => v.join(' '),
  rewriteLines: (v) => [`oom-score-adj-values ${v.join(' ')}`],
};

const PROC_TITLE_VARIABLES = new Set(['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file']);

/** A template whose {variables} are the ones Redis knows (validateProcTitleTemplate). */
function parseProcTitleTemplate(a: string): string {
  const invalid = new ConfigValueError('template format is invalid or contains unknown variables');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '}') throw invalid;
    if (a[i] !== '{') continue;
    const end = a.indexOf('}', i);
    if (end < 0 || !PROC_TITLE_VARIABLES.has(a.slice(i + 1, end))) throw invalid;
    i = end;
  }
  return a;
}

/** unixsocketperm is octal, as chmod takes it. */
const unixsocketperm = single(
  'unixsocketperm',
  0,
  false,
  (a) => {
    if (!/^[0-7]+$/.test(a) || parseInt(a, 8) > 0o777) throw new ConfigValueError('argument must be between 0 and 777 inclusive');
    return parseInt(a, 8);
  },
  (v) => v.toString(8),
);

// ---- notify-keyspace-events ---------------------------------------------

/**
 * Kept as given (the server parses it into flags) and printed in Redis's
 * canonical order, so `KEA` reads back as `AKE`; an unknown letter is refused.
 */
const notifyKeyspaceEvents: Directive<string> = single(
  'notify-keyspace-events',
  '',
  true,
  (a) => {
    if (parseNotifyFlags(a) === null) throw new ConfigValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return a;
  },
  (v) => formatNotifyFlags(parseNotifyFlags(v) ?? 0),
  [],
  (v) => quoteArg(formatNotifyFlags(parseNotifyFlags(v) ?? 0)),
);

// ---- the table ----------------------------------------------------------

export const D = {
  port: int('port', 6379, 0, 65535, false),
  bind: list('bind', ['*', '-::*'], false),
  protectedMode: bool('protected-mode', true),
  enableProtectedConfigs: protectedAction('enable-protected-configs'),
  enableDebugCommand: protectedAction('enable-debug-command'),
  tcpBacklog: int('tcp-backlog', 511, 0, INT_MAX, false),
  timeout: int('timeout', 0, 0, INT_MAX),
  tcpKeepalive: int('tcp-keepalive', 300, 0, INT_MAX),
  daemonize: bool('daemonize', false, false),
  supervised: oneOf('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], false),
  pidfile: str('pidfile', '', false),
  loglevel: oneOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  logfile: str('logfile', '', false),
  databases: int('databases', 16, 1, INT_MAX, false),
  requirepass: str('requirepass', ''),
  maxclients: int('maxclients', 10000, 1, UINT_MAX),
  // Any int is accepted and clamped to 1..500, as Redis's updateHZ does.
  hz: single('hz', 10, true, (a) => Math.min(500, Math.max(1, parseInteger(a, 0, INT_MAX))), String),
  dynamicHz: bool('dynamic-hz', true),
  protoMaxBulkLen: memory('proto-max-bulk-len', 512 * 1024 * 1024, true, 1024 * 1024),
  clientQueryBufferLimit: memory('client-query-buffer-limit', 1024 * 1024 * 1024, true, 1024 * 1024),
  clientOutputBufferLimit,
  maxmemory: memory('maxmemory', 0),
  maxmemoryPolicy: oneOf('maxmemory-policy', 'noeviction', [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ]),
  maxmemorySamples: int('maxmemory-samples', 5, 1, INT_MAX),
  lfuLogFactor: int('lfu-log-factor', 10, 0, INT_MAX),
  lfuDecayTime: int('lfu-decay-time', 1, 0, INT_MAX),
  notifyKeyspaceEvents,
  slowlogLogSlowerThan: int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  slowlogMaxLen: int('slowlog-max-len', 128, 0, LONG_MAX),
  latencyMonitorThreshold: int('latency-monitor-threshold', 0, 0, LONG_MAX),
  // persistence
  save,
  // CONFIG GET shows the absolute directory, as Redis does after chdir (getcwd).
  dir: guarded(single('dir', './', true, existingDirectory, (v) => resolve(v), [], (v) => quoteArg(resolve(v)))),
  dbfilename: guarded(single('dbfilename', 'dump.rdb', true, baseFileName, (v) => v, [], quoteArg)),
  rdbcompression: bool('rdbcompression', true),
  rdbchecksum: bool('rdbchecksum', true, false),
  stopWritesOnBgsaveError: bool('stop-writes-on-bgsave-error', true),
  appendonly: bool('appendonly', false),
  appendfilename: str('appendfilename', 'appendonly.aof', false),
  // replication
  replicaof,
  masterauth: str('masterauth', ''),
  masteruser: str('masteruser', ''),
  replicaReadOnly: bool('replica-read-only', true, true, ['slave-read-only']),
  replicaServeStaleData: bool('replica-serve-stale-data', true, true, ['slave-serve-stale-data']),
  replDisklessSync: bool('repl-diskless-sync', true),
  replDisklessSyncDelay: int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  replBacklogSize: memory('repl-backlog-size', 1024 * 1024, true, 1),
  replBacklogTtl: int('repl-backlog-ttl', 3600, 0, LONG_MAX),
  replPingReplicaPeriod: int('repl-ping-replica-period', 10, 1, INT_MAX, true, ['repl-ping-slave-period']),
  replTimeout: int('repl-timeout', 60, 1, INT_MAX),
  replDisableTcpNodelay: bool('repl-disable-tcp-nodelay', false),
  minReplicasToWrite: int('min-replicas-to-write', 0, 0, INT_MAX, true, ['min-slaves-to-write']),
  minReplicasMaxLag: int('min-replicas-max-lag', 10, 0, INT_MAX, true, ['min-slaves-max-lag']),
  replicaAnnounceIp: str('replica-announce-ip', '', true, ['slave-announce-ip']),
  replicaAnnouncePort: int('replica-announce-port', 0, 0, 65535, true, ['slave-announce-port']),
  replicaPriority: int('replica-priority', 100, 0, INT_MAX, true, ['slave-priority']),
  activeReplica: bool('active-replica', false, false),
  multiMaster: bool('multi-master', false, false),
  // accepted for compatibility with existing redis.conf/keydb.conf files; no effect here
  acllogMaxLen: int('acllog-max-len', 128, 0, LONG_MAX),
  aofLoadTruncated: bool('aof-load-truncated', true),
  aofRewriteIncrementalFsync: bool('aof-rewrite-incremental-fsync', true),
  aofTimestampEnabled: bool('aof-timestamp-enabled', false),
  aofUseRdbPreamble: bool('aof-use-rdb-preamble', true),
  appenddirname: str('appenddirname', 'appendonlydir', false),
  appendfsync: oneOf('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  autoAofRewriteMinSize: memory('auto-aof-rewrite-min-size', 64 * 1024 * 1024),
  autoAofRewritePercentage: int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  noAppendfsyncOnRewrite: bool('no-appendfsync-on-rewrite', false),
  disableThp: bool('disable-thp', true, false),
  jemallocBgThread: bool('jemalloc-bg-thread', true),
  hllSparseMaxBytes: memory('hll-sparse-max-bytes', 3000),
  streamNodeMaxBytes: memory('stream-node-max-bytes', 4096),
  streamNodeMaxEntries: int('stream-node-max-entries', 100, 0, LONG_MAX),
  oomScoreAdj: oneOf('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  oomScoreAdjValues,
  procTitleTemplate: single('proc-title-template', '{title} {listen-addr} {server-mode}', true, parseProcTitleTemplate, (v) => v, [], quoteArg),
  rdbDelSyncFiles: bool('rdb-del-sync-files', false),
  rdbSaveIncrementalFsync: bool('rdb-save-incremental-fsync', true),
  replDisklessLoad: oneOf('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  replDisklessSyncMaxReplicas: int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  replicaIgnoreMaxmemory: bool('replica-ignore-maxmemory', true, true, ['slave-ignore-maxmemory']),
  replicaAnnounced: bool('replica-announced', true),
  unixsocket: str('unixsocket', '', false),
  unixsocketperm,
  syslogEnabled: bool('syslog-enabled', false, false),
  syslogIdent: str('syslog-ident', 'redis', false),
  syslogFacility: oneOf('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], false),
  activedefrag: bool('activedefrag', false),
  activeExpireEffort: int('active-expire-effort', 1, 1, 10),
  maxmemoryEvictionTenacity: int('maxmemory-eviction-tenacity', 10, 0, 100),
  trackingTableMaxKeys: int('tracking-table-max-keys', 1000000, 0, LONG_MAX),
  latencyTracking: bool('latency-tracking', true),
  shutdownTimeout: int('shutdown-timeout', 10, 0, INT_MAX),
  crashLogEnabled: bool('crash-log-enabled', true),
  crashMemcheckEnabled: bool('crash-memcheck-enabled', true),
  ioThreadsDoReads: bool('io-threads-do-reads', false, false),
  serverThreads: int('server-threads', 1, 1, 64, false),
  serverThreadAffinity: str('server-thread-affinity', 'false', false),
  ioThreads: int('io-threads', 1, 1, 128, false),
  activerehashing: bool('activerehashing', true),
  lazyfreeLazyEviction: bool('lazyfree-lazy-eviction', false),
  lazyfreeLazyExpire: bool('lazyfree-lazy-expire', false),
  lazyfreeLazyServerDel: bool('lazyfree-lazy-server-del', false),
  lazyfreeLazyUserDel: bool('lazyfree-lazy-user-del', false),
  lazyfreeLazyUserFlush: bool('lazyfree-lazy-user-flush', false),
  replicaLazyFlush: bool('replica-lazy-flush', false),
  alwaysShowLogo: bool('always-show-logo', false, false),
  setProcTitle: bool('set-proc-title', true, false),
  hashMaxListpackEntries: int('hash-max-listpack-entries', 512, 0, LONG_MAX, true, ['hash-max-ziplist-entries']),
  hashMaxListpackValue: memory('hash-max-listpack-value', 64, true, 0, LONG_MAX, ['hash-max-ziplist-value']),
  listMaxListpackSize: int('list-max-listpack-size', -2, INT_MIN, INT_MAX, true, ['list-max-ziplist-size']),
  listCompressDepth: int('list-compress-depth', 0, 0, INT_MAX),
  setMaxIntsetEntries: int('set-max-intset-entries', 512, 0, LONG_MAX),
  zsetMaxListpackEntries: int('zset-max-listpack-entries', 128, 0, LONG_MAX, true, ['zset-max-ziplist-entries']),
  zsetMaxListpackValue: memory('zset-max-listpack-value', 64, true, 0, LONG_MAX, ['zset-max-ziplist-value']),
  busyReplyThreshold: int('busy-reply-threshold', 5000, 0, LONG_MAX, true, ['lua-time-limit']),
};

export type AnyDirective = Directive<unknown>;

export const DIRECTIVES: readonly AnyDirective[] = Object.values(D) as AnyDirective[];

const BY_NAME = new Map<string, AnyDirective>();
for (const d of DIRECTIVES) {
  BY_NAME.set(d.name, d);
  for (const a of d.aliases) BY_NAME.set(a, d);
}

export function findDirective(name: string): AnyDirective | undefined {
  return BY_NAME.get(name.toLowerCase());
}
