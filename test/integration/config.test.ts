/**
 * Configuration: the config file and `--flag` command line at startup
 * (precedence, repeated directives, include, quoting, units, yes/no,
 * aliases, fatal errors), --help/--version, and CONFIG GET/SET/REWRITE/
 * RESETSTAT at run time. Error texts are compared with Redis 7.0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, freePort } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kts-config-'));
}

function writeConf(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Runs the server binary to completion (it must exit by itself). */
function runServer(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'latin1', timeout: 10000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** CONFIG GET's flat reply as an object. */
async function configGet(s: RunningServer, ...patterns: string[]): Promise<Record<string, string>> {
  const flat = (await s.client().config('GET', ...patterns)) as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

describe('startup configuration', () => {
  afterEach(async () => {
    await closeClients();
  });

  test('flags win over the file; repeated save lines accumulate; units, yes/no and aliases parse', async () => {
    const dir = tempDir();
    const conf = writeConf(dir, 'main.conf', [
      '# a comment',
      '   # an indented comment',
      '',
      'timeout 10',
      'maxmemory 1gb',
      'maxmemory-policy ALLKEYS-LRU',
      'proto-max-bulk-len 100mb',
      'client-query-buffer-limit 1g',
      'save 900 1',
      'save 300 10',
      'slave-read-only no',
      'slave-priority 42',
      'hash-max-ziplist-entries 99',
      'protected-mode NO',
      'slaveof no one',
      'loglevel verbose',
    ]);
    const s = await startServer(['--timeout', '20', '--maxmemory', '100mb'], { configFile: conf, cwd: dir });
    try {
      expect(await configGet(s, 'timeout', 'maxmemory', 'maxmemory-policy', 'proto-max-bulk-len', 'client-query-buffer-limit')).toEqual({
        timeout: '20',
        maxmemory: String(100 * 1024 * 1024),
        'maxmemory-policy': 'allkeys-lru',
        'proto-max-bulk-len': String(100 * 1024 * 1024),
        'client-query-buffer-limit': '1000000000',
      });
      expect(await configGet(s, 'replica-read-only', 'replica-priority', 'hash-max-listpack-entries', 'protected-mode', 'replicaof', 'loglevel')).toEqual({
        'replica-read-only': 'no',
        'replica-priority': '42',
        'hash-max-listpack-entries': '99',
        'protected-mode': 'no',
        replicaof: '',
        loglevel: 'verbose',
      });
      // The harness passes --save "" after the file: the flag replaces the file's lines.
      expect(await configGet(s, 'save')).toEqual({ save: '' });
      const info = (await s.client().info('server')) as string;
      expect(info).toContain(`config_file:${conf}`);
    } finally {
      await s.stop();
    }
  });

  (existsSync('/etc/redis/redis.conf') ? test : test.skip)("starts on the distribution's stock redis.conf", async () => {
    const dir = tempDir();
    const s = await startServer(['--daemonize', 'no', '--logfile', '', '--pidfile', '', '--dir', dir], { configFile: '/etc/redis/redis.conf', cwd: dir });
    try {
      expect(await s.client().ping()).toBe('PONG');
      expect(await configGet(s, 'appendfsync', 'oom-score-adj-values')).toEqual({ appendfsync: 'everysec', 'oom-score-adj-values': '0 200 800' });
    } finally {
      await s.stop();
    }
  });

  test('CONFIG GET dir answers the absolute directory', async () => {
    const dir = tempDir();
    const s = await startServer(['--dir', '.'], { cwd: dir });
    try {
      expect(await configGet(s, 'dir')).toEqual({ dir });
    } finally {
      await s.stop();
    }
  });

  test('--save "900 1 300 10" sets two save points; repeated --save flags accumulate', async () => {
    const one = await startServer(['--save', '900 1 300 10']);
    const two = await startServer(['--save', '900 1', '--save', '300 10']);
    try {
      expect(await configGet(one, 'save')).toEqual({ save: '900 1 300 10' });
      expect(await configGet(two, 'save')).toEqual({ save: '900 1 300 10' });
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  test('quoted values: double quotes with escapes, single quotes, spaces kept', async () => {
    const dir = tempDir();
    const conf = writeConf(dir, 'quotes.conf', ['requirepass "pa ss\\x41\\"word"', "masterauth 'it\\'s'"]);
    const s = await startServer([], { configFile: conf, cwd: dir });
    try {
      await expect(s.client().ping()).rejects.toThrow(/NOAUTH/);
      const r = s.client({ password: 'pa ssA"word' });
      expect(await r.ping()).toBe('PONG');
      expect(await r.config('GET', 'masterauth')).toEqual(['masterauth', "it's"]);
    } finally {
      await s.stop();
    }
  });

  test('include pulls in another file; lines after it override it', async () => {
    const dir = tempDir();
    const extra = writeConf(dir, 'extra.conf', ['timeout 33', 'maxmemory 2mb']);
    const conf = writeConf(dir, 'main.conf', ['timeout 11', `include ${extra}`, 'maxmemory 3mb']);
    const s = await startServer([], { configFile: conf, cwd: dir });
    try {
      expect(await configGet(s, 'timeout', 'maxmemory')).toEqual({ timeout: '33', maxmemory: String(3 * 1024 * 1024) });
    } finally {
      await s.stop();
    }
  });

  const fatalCases: [name: string, lines: string[], flags: string[], lineNumber: number | null, shown: string, reason: string][] = [
    ['an unknown directive', ['timeout 5', 'no-such-directive yes'], [], 2, 'no-such-directive yes', 'Bad directive or wrong number of arguments'],
    ['a bad memory value', ['maxmemory lots'], [], 1, 'maxmemory lots', 'argument must be a memory value'],
    ['a bad yes/no', ['# c', 'appendonly maybe'], [], 2, 'appendonly maybe', "argument must be 'yes' or 'no'"],
    ['an integer out of range', ['databases 0'], [], 1, 'databases 0', 'argument must be between 1 and 2147483647 inclusive'],
    ['an odd save line', ['save 10'], [], 1, 'save 10', 'Invalid save parameters'],
    ['unbalanced quotes', ['requirepass "abc'], [], 1, 'requirepass "abc', 'Unbalanced quotes in configuration line'],
    ['a bad value on the command line', [], ['--maxmemory', 'lots'], null, 'maxmemory "lots"', 'argument must be a memory value'],
    ['an unknown flag', [], ['--no-such-flag', '1'], null, 'no-such-flag "1"', 'Bad directive or wrong number of arguments'],
    ['a dir that does not exist', ['dir /nonexistent/kts'], [], 1, 'dir /nonexistent/kts', 'No such file or directory'],
    ['a dbfilename with a path', [], ['--dbfilename', 'sub/dump.rdb'], null, 'dbfilename "sub/dump.rdb"', "dbfilename can't be a path, just a filename"],
    ['a bad enable-debug-command', ['enable-debug-command sometimes'], [], 1, 'enable-debug-command sometimes', 'argument(s) must be one of the following: no, yes, local'],
  ];
  test.each(fatalCases)('%s stops startup with FATAL CONFIG FILE ERROR and a non-zero exit', (_name, lines, flags, lineNumber, shown, reason) => {
    const dir = tempDir();
    const args = lines.length > 0 ? [writeConf(dir, 'bad.conf', lines), ...flags] : flags;
    const r = runServer(args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('*** FATAL CONFIG FILE ERROR (keydb-ts-server ');
    if (lineNumber !== null) expect(r.stderr).toContain(`Reading the configuration file ${join(dir, 'bad.conf')}, at line ${lineNumber}\n`);
    expect(r.stderr).toContain(`>>> '${shown}'\n${reason}\n`);
  });

  test('a missing config file is fatal and names the file', () => {
    const r = runServer(['/nonexistent/keydb.conf']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/keydb.conf');
  });

  test.each([['--help'], ['-h']])('%s prints usage and exits 0', (flag) => {
    const r = runServer([flag]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: keydb-ts-server [/path/to/keydb.conf] [--directive value ...]');
  });

  test.each([['--version'], ['-v']])('%s prints the version and exits 0', (flag) => {
    const r = runServer([flag]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^keydb-ts-server v=\d+\.\d+\.\d+ redis_version=7\.0\.\d+ /);
  });
});

describeWithRedis('CONFIG GET / SET, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  /** CONFIG GET answers a map whose order is Redis's dict order: compare as sorted pairs. */
  const asPairs = (reply: string): string[] => {
    const lines = reply.split('\r\n').slice(1, -1).filter((_, i) => i % 2 === 1);
    const pairs: string[] = [];
    for (let i = 0; i < lines.length; i += 2) pairs.push(`${lines[i]}=${lines[i + 1]}`);
    return pairs.sort();
  };

  const getCases: string[][] = [
    ['timeout'],
    ['hz', 'maxclients', 'timeout'],
    ['maxmemory', 'maxmemory-policy'],
    ['maxmemory', 'maxmemory'],
    ['save'],
    ['appendonly'],
    ['client-output-buffer-limit'],
    ['notify-keyspace-events'],
    ['no-such-directive'],
    ['proto-max-bulk-len', 'client-query-buffer-limit'],
    ['list-max-listpack-size', 'zset-max-listpack-entries', 'set-max-intset-entries'],
    ['replica-read-only', 'slave-read-only'],
    ['*-read-only'],
    ['MAXMEMORY'],
    ['maxmemory', 'MAXMEMORY'],
    ['MAXMEMORY-POL*'],
    ['repl-ping-*'],
    ['*ziplist*'],
    ['*listpack*'],
    ['[h]z', 'time?ut'],
    ['databases', 'loglevel', 'requirepass', 'masterauth', 'tcp-keepalive', 'tcp-backlog'],
    ['lfu-*'],
    ['repl-backlog-*'],
    ['slowlog-*'],
    ['latency-monitor-threshold'],
    ['acllog-max-len', 'aof-load-truncated', 'aof-rewrite-incremental-fsync', 'aof-timestamp-enabled', 'aof-use-rdb-preamble', 'appenddirname', 'appendfsync'],
    ['auto-aof-rewrite-min-size', 'auto-aof-rewrite-percentage', 'no-appendfsync-on-rewrite', 'disable-thp', 'jemalloc-bg-thread', 'hll-sparse-max-bytes'],
    ['stream-node-max-*', 'oom-score-adj*', 'proc-title-template', 'rdb-del-sync-files', 'rdb-save-incremental-fsync', 'repl-diskless-load'],
    ['repl-diskless-sync-max-replicas', '*ignore-maxmemory', 'replica-announced', 'unixsocket*', 'syslog-*', 'activedefrag', 'active-expire-effort'],
    ['maxmemory-eviction-tenacity', 'tracking-table-max-keys', 'latency-tracking', 'shutdown-timeout', 'crash-*', 'io-threads-do-reads'],
  ];
  test.each(getCases.map((c) => [c.join(' '), c]))('CONFIG GET %s', async (_name, patterns) => {
    const [mine, theirs] = await Promise.all([a.command('CONFIG', 'GET', ...(patterns as string[])), b.command('CONFIG', 'GET', ...(patterns as string[]))]);
    expect(asPairs(mine)).toEqual(asPairs(theirs));
  });

  /** Each command's reply, then CONFIG GET of what it touched, compared. */
  const setCases: string[][] = [
    ['CONFIG', 'SET', 'maxmemory', '1gb'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '100mb'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '1g'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '1kb'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '1GB'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', 'abc'],
    ['CONFIG', 'SET', 'maxmemory', '1.5gb'],
    ['CONFIG', 'SET', 'maxmemory', ' 1'],
    ['CONFIG', 'SET', 'maxmemory', '1gb '],
    ['CONFIG', 'SET', 'maxmemory', '+1'],
    ['CONFIG', 'SET', 'maxmemory', '-1'],
    ['CONFIG', 'SET', 'maxmemory', '0x10'],
    ['CONFIG', 'SET', 'maxmemory', '01kB'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', ''],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'timeout', '01'],
    ['CONFIG', 'SET', 'timeout', '-0'],
    ['CONFIG', 'SET', 'timeout', ' 1'],
    ['CONFIG', 'SET', 'timeout', '1e3'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['CONFIG', 'SET', 'hz', '0'],
    ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'hz', '501'],
    ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'hz', '-1'],
    ['CONFIG', 'SET', 'hz', '10'],
    ['CONFIG', 'SET', 'timeout', 'abc'],
    ['CONFIG', 'SET', 'timeout', '1.0'],
    ['CONFIG', 'SET', 'timeout', '+1'],
    ['CONFIG', 'SET', 'timeout', '-1'],
    ['CONFIG', 'SET', 'appendonly', 'maybe'],
    ['CONFIG', 'SET', 'appendonly', 'no'],
    ['CONFIG', 'SET', 'protected-mode', 'YES'],
    ['CONFIG', 'GET', 'protected-mode'],
    ['CONFIG', 'SET', 'loglevel', 'WARNING'],
    ['CONFIG', 'GET', 'loglevel'],
    ['CONFIG', 'SET', 'loglevel', 'foo'],
    ['CONFIG', 'SET', 'loglevel', 'notice'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'ALLKEYS-LRU'],
    ['CONFIG', 'GET', 'maxmemory-policy'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'bogus'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['CONFIG', 'SET', 'no-such-directive', '1'],
    ['CONFIG', 'SET', 'daemonize', 'yes'],
    ['CONFIG', 'SET', 'databases', '4'],
    ['CONFIG', 'SET', 'save', '100 10 200 20'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', '100 10 200'],
    ['CONFIG', 'SET', 'save', '0 0'],
    ['CONFIG', 'SET', 'save', 'x 1'],
    ['CONFIG', 'SET', 'save', '10 -1'],
    ['CONFIG', 'SET', 'save', '010 +5'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', ''],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 2mb 3 slave 10 20 30'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal x 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 replica 268435456 67108864 60'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1000'],
    ['CONFIG', 'SET', 'maxclients', '0'],
    ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
    ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
    ['CONFIG', 'SET', 'repl-backlog-ttl', '-1'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '-1'],
    ['CONFIG', 'SET', 'zset-max-ziplist-value', '1kb'],
    ['CONFIG', 'GET', 'zset-max-listpack-value'],
    ['CONFIG', 'SET', 'zset-max-ziplist-value', '64'],
    ['CONFIG', 'SET', 'list-max-listpack-size', '-99999999999'],
    ['CONFIG', 'SET', 'maxmemory-samples', '100'],
    ['CONFIG', 'GET', 'maxmemory-samples'],
    ['CONFIG', 'SET', 'maxmemory-samples', '5'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '0 200 3000'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '0 100 200'],
    ['CONFIG', 'GET', 'oom-score-adj-values'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '0 200 800'],
    ['CONFIG', 'SET', 'proc-title-template', '{bogus}'],
    ['CONFIG', 'SET', 'proc-title-template', '{title} x'],
    ['CONFIG', 'GET', 'proc-title-template'],
    ['CONFIG', 'SET', 'proc-title-template', '{title} {listen-addr} {server-mode}'],
    ['CONFIG', 'SET', 'appendfsync', 'sometimes'],
    ['CONFIG', 'SET', 'repl-diskless-load', 'bogus'],
    ['CONFIG', 'SET', 'active-expire-effort', '0'],
    ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '101'],
    ['CONFIG', 'SET', 'auto-aof-rewrite-min-size', '-1'],
    ['CONFIG', 'SET', 'unixsocketperm', '777'],
    ['CONFIG', 'SET', 'syslog-enabled', 'yes'],
    ['CONFIG', 'SET', 'slave-read-only', 'no'],
    ['CONFIG', 'GET', 'replica-read-only'],
    ['CONFIG', 'SET', 'replica-read-only', 'yes'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'X'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAmn'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Kg$lshzxetd'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'nmEx$'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'E'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    // Several pairs apply together or not at all.
    ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'allkeys-lru', 'timeout', '7'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'timeout', '9', 'maxmemory', 'lots'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'timeout', '9', 'daemonize', 'no'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'timeout', '0'],
    ['CONFIG', 'SET'],
    ['CONFIG', 'SET', 'timeout'],
    ['CONFIG', 'SET', 'timeout', '5', 'hz'],
    ['CONFIG', 'SET', 'timeout', '5', 'timeout', '6'],
    ['CONFIG', 'SET', 'slave-read-only', 'no', 'replica-read-only', 'no'],
    ['CONFIG', 'SET', 'maxmemory', 'lots', 'daemonize', 'yes'],
    ['CONFIG', 'SET', 'maxmemory', 'lots', 'no-such-directive', '1'],
    ['CONFIG', 'SET', 'slave-read-only', 'maybe'],
    ['CONFIG', 'SET', 'a', 'b', 'c', 'd', 'e'],
    // dir and dbfilename are protected (enable-protected-configs is "no" on both): checked with the names.
    ['CONFIG', 'GET', 'enable-protected-configs'],
    ['CONFIG', 'SET', 'dir', '/tmp'],
    ['CONFIG', 'SET', 'dbfilename', 'other.rdb'],
    ['CONFIG', 'SET', 'timeout', '5', 'dir', '/nonexistent'],
    ['CONFIG', 'GET', 'timeout'],
    ['CONFIG', 'SET', 'enable-protected-configs', 'yes'],
    ['CONFIG', 'SET', 'enable-debug-command', 'yes'],
    ['CONFIG', 'GET'],
    ['CONFIG', 'RESETSTAT', 'x'],
    ['CONFIG', 'REWRITE'],
    ['CONFIG', 'NOSUCH'],
  ];
  test.each(setCases.map((c) => [c.slice(1).join(' '), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await Promise.all([a.command(...(args as string[])), b.command(...(args as string[]))]);
    expect(mine).toEqual(theirs);
  });
});

describeWithRedis('protected configs and DEBUG, side by side with Redis 7.0', () => {
  // Protected configs allowed to loopback clients, DEBUG refused to everyone.
  const servers = sideBySide(['--enable-protected-configs', 'local', '--enable-debug-command', 'no']);
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });
  const target = tempDir();

  const cases: string[][] = [
    ['CONFIG', 'GET', 'enable-protected-configs'],
    ['CONFIG', 'GET', 'enable-debug-command'],
    ['CONFIG', 'SET', 'dir', '/nonexistent/kts'],
    ['CONFIG', 'SET', 'dir', '/etc/passwd'],
    ['CONFIG', 'SET', 'dbfilename', 'sub/other.rdb'],
    ['CONFIG', 'SET', 'dbfilename', '../other.rdb'],
    ['CONFIG', 'SET', 'dbfilename', 'other.rdb'],
    ['CONFIG', 'GET', 'dbfilename'],
    ['CONFIG', 'SET', 'dir', target],
    ['CONFIG', 'GET', 'dir'],
    ['DEBUG', 'SLEEP', '0'],
    ['DEBUG'],
    ['MULTI'],
    ['DEBUG', 'SLEEP', '0'],
    ['PING'],
    ['EXEC'],
  ];
  test.each(cases.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await Promise.all([a.command(...(args as string[])), b.command(...(args as string[]))]);
    expect(mine).toEqual(theirs);
  });

  test('DEBUG is refused before authentication is asked for', async () => {
    await Promise.all([a.command('CONFIG', 'SET', 'requirepass', 'pw'), b.command('CONFIG', 'SET', 'requirepass', 'pw')]);
    const [c, d] = await Promise.all([ReplyReader.open(servers.ourPort()), ReplyReader.open(servers.refPort())]);
    try {
      const [mine, theirs] = await Promise.all([c.command('DEBUG', 'SLEEP', '0'), d.command('DEBUG', 'SLEEP', '0')]);
      expect(mine).toEqual(theirs);
      expect(mine).toContain('DEBUG command not allowed');
    } finally {
      c.close();
      d.close();
      await Promise.all([a.command('CONFIG', 'SET', 'requirepass', ''), b.command('CONFIG', 'SET', 'requirepass', '')]);
    }
  });
});

describe('protected configs take effect', () => {
  test('with enable-protected-configs yes, SAVE writes to the dir and dbfilename set at run time', async () => {
    const s = await startServer(['--enable-protected-configs', 'yes']);
    try {
      const r = s.client();
      const elsewhere = tempDir();
      await r.set('k', 'v');
      expect(await r.config('SET', 'dir', elsewhere, 'dbfilename', 'moved.rdb')).toBe('OK');
      expect(await r.save()).toBe('OK');
      expect(existsSync(join(elsewhere, 'moved.rdb'))).toBe(true);
      expect(existsSync(join(s.dir, 'dump.rdb'))).toBe(false);
    } finally {
      await s.stop();
    }
  });
});

describe('CONFIG SET takes effect', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('requirepass set at run time protects new connections', async () => {
    const admin = s.client();
    await admin.config('SET', 'requirepass', 'later');
    await expect(s.client().get('x')).rejects.toThrow(/NOAUTH/);
    const ok = s.client({ password: 'later' });
    expect(await ok.ping()).toBe('PONG');
    await ok.config('SET', 'requirepass', '');
  });

  test('maxclients set at run time refuses the next client', async () => {
    const admin = s.client();
    await admin.ping();
    const before = Number(/connected_clients:(\d+)/.exec((await admin.info('clients')) as string)![1]);
    await admin.config('SET', 'maxclients', String(before));
    const refused = s.client({ lazyConnect: true });
    await expect(refused.connect().then(() => refused.ping())).rejects.toThrow(/max number of clients reached|Connection is closed/);
    await admin.config('SET', 'maxclients', '10000');
  });

  test('CONFIG RESETSTAT zeroes INFO counters, commandstats and errorstats', async () => {
    const r = s.client();
    await r.set('rs', '1');
    await r.get('rs');
    await r.get('missing');
    await expect(r.call('NOSUCHCMD')).rejects.toThrow();
    const before = (await r.info('everything')) as string;
    expect(before).toMatch(/cmdstat_get:calls=2/);
    expect(before).toMatch(/errorstat_ERR:count=\d+/);
    expect(await r.config('RESETSTAT')).toBe('OK');
    const after = (await r.info('everything')) as string;
    expect(after).toMatch(/total_commands_processed:[01]\r\n/);
    expect(after).toMatch(/keyspace_hits:0\r\n/);
    expect(after).toMatch(/keyspace_misses:0\r\n/);
    expect(after).toMatch(/total_error_replies:0\r\n/);
    expect(after).not.toMatch(/cmdstat_get:/);
    expect(after).not.toMatch(/errorstat_ERR/);
  });
});

describe('CONFIG REWRITE', () => {
  test('rewrites values in place, keeps comments and order, appends new directives', async () => {
    const dir = tempDir();
    const conf = writeConf(dir, 'rewrite.conf', [
      '# my settings',
      'timeout 10',
      '',
      '# memory',
      'maxmemory-policy allkeys-lru',
      'save 900 1',
      'save 300 10',
      'slave-read-only yes',
      '# trailing comment',
      'hz 10',
    ]);
    const s = await startServer([], { configFile: conf, cwd: dir });
    try {
      const r = s.client();
      await r.config('SET', 'timeout', '0');
      await r.config('SET', 'replica-read-only', 'no');
      await r.config('SET', 'hz', '20');
      await r.config('SET', 'save', '60 1000');
      await r.config('SET', 'slowlog-max-len', '256');
      expect(await r.config('REWRITE')).toBe('OK');
      const lines = readFileSync(conf, 'latin1').split('\n');
      // The second save line is left blank, as Redis leaves it.
      expect(lines.slice(0, 10)).toEqual(['# my settings', 'timeout 0', '', '# memory', 'maxmemory-policy allkeys-lru', 'save 60 1000', '', 'replica-read-only no', '# trailing comment', 'hz 20']);
      expect(lines).toContain('# Generated by CONFIG REWRITE');
      expect(lines.indexOf('slowlog-max-len 256')).toBeGreaterThan(lines.indexOf('# Generated by CONFIG REWRITE'));
      // The rewritten file starts a server with the same values.
      const again = await startServer([], { configFile: conf, cwd: dir });
      const flat = (await again.client().config('GET', 'timeout', 'hz', 'slowlog-max-len', 'replica-read-only')) as string[];
      expect(flat).toEqual(expect.arrayContaining(['timeout', '0', 'hz', '20', 'slowlog-max-len', '256', 'replica-read-only', 'no']));
      await again.stop();
    } finally {
      await closeClients();
      await s.stop();
    }
  });

  test('without a config file it fails as Redis does', async () => {
    const s = await startServer();
    try {
      await expect(s.client().config('REWRITE')).rejects.toThrow('ERR The server is running without a config file');
    } finally {
      await closeClients();
      await s.stop();
    }
  });
});

describeWithRedis('CONFIG REWRITE, side by side with Redis 7.0', () => {
  /** Starts redis-server on a config file (the reference helper takes no file). */
  const startRedisWith = async (file: string, cwd: string): Promise<{ port: number; stop: () => void }> => {
    const port = await freePort();
    const proc = spawn('redis-server', [file, '--port', String(port)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(out)), 10000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return { port, stop: () => proc.kill('SIGKILL') };
  };

  test('the rewritten file has the lines Redis writes', async () => {
    const original = [
      '# my settings',
      'timeout 10',
      '',
      '# memory',
      'maxmemory 100mb',
      'maxmemory-policy allkeys-lru',
      'save 900 1',
      'save 300 10',
      'slave-read-only yes',
      '# trailing comment',
      'hz 10',
      'save ""',
      'bind 127.0.0.1',
      'appendonly no',
    ];
    const ourDir = tempDir();
    const refDir = tempDir();
    const ourFile = writeConf(ourDir, 'o.conf', original);
    const refFile = writeConf(refDir, 'r.conf', original);
    // The helper's DEBUG allowance back at its default, so that REWRITE has no line for it.
    const ours = await startServer(['--enable-debug-command', 'no'], { configFile: ourFile, cwd: ourDir });
    const ref = await startRedisWith(refFile, refDir);
    const sets = [
      ['timeout', '0'],
      ['maxmemory', '200mb'],
      ['replica-read-only', 'no'],
      ['hz', '20'],
      ['notify-keyspace-events', 'Ex'],
      ['save', '60 1000'],
      ['requirepass', 'sec ret'],
      ['maxmemory-samples', '7'],
      ['client-output-buffer-limit', 'normal 1mb 2mb 30'],
      ['proto-max-bulk-len', '1000000000'],
    ];
    const theirs = await ReplyReader.open(ref.port);
    const r = ours.client();
    try {
      for (const [name, value] of sets) {
        expect(await r.config('SET', name, value)).toBe('OK');
        expect(await theirs.command('CONFIG', 'SET', name, value)).toBe('+OK\r\n');
      }
      expect(await r.config('REWRITE')).toBe('OK');
      await theirs.command('AUTH', 'sec ret');
      expect(await theirs.command('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      // Redis also writes the working directory, its ACL user line and a
      // latency-tracking default it always forces; those are not ours to write.
      const redisOnly = /^(dir |user |latency-tracking-info-percentiles |port )/;
      // Appended directives come in Redis's dict order: compare that part as a set.
      const split = (file: string): [string[], string[]] => {
        const lines = readFileSync(file, 'latin1').split('\n').filter((l) => !redisOnly.test(l));
        const at = lines.indexOf('# Generated by CONFIG REWRITE');
        return [lines.slice(0, at + 1), lines.slice(at + 1).sort()];
      };
      expect(split(ourFile)).toEqual(split(refFile));
    } finally {
      theirs.close();
      ref.stop();
      await closeClients();
      await ours.stop();
    }
  });
});
