/**
 * RDB persistence through the real server process: SAVE / BGSAVE /
 * LASTSAVE, INFO persistence, save points, restart keeps the data (save
 * on SHUTDOWN and SIGTERM, load at start with -LOADING meanwhile), kill -9
 * during BGSAVE leaves the old dump intact, a corrupt dump is refused, and
 * MISCONF after a failed background save.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Crc64 } from '../../src/persistence/crc64';
import { RdbEncoder } from '../../src/persistence/rdb-writer';
import { ReplyReader } from '../helpers/compare';
import { describeWithRedis, freePort, startReference } from '../helpers/reference';
import { BIN, closeClients, RunningServer, startServer, stopProcess } from '../helpers/server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes a dump of n string keys `key:<i>` → `value:<i>` (plus padding) straight with the encoder. */
function writeDump(dir: string, n: number, valueBytes = 32): Buffer {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), false);
  enc.header();
  enc.aux('redis-ver', '7.0.15');
  enc.selectDb(0);
  enc.resizeDb(n, 0);
  const pad = 'p'.repeat(Math.max(0, valueBytes - 12));
  for (let i = 0; i < n; i++) enc.keyValue(`key:${i}`, `value:${i}:${pad}`, -1, -1);
  enc.eof();
  enc.flush();
  const body = Buffer.concat(chunks);
  const crc = new Crc64();
  crc.update(body);
  const file = Buffer.concat([body, crc.digestBytes()]);
  writeFileSync(join(dir, 'dump.rdb'), file);
  return file;
}

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return m[1].trim();
}

async function waitBgsaveDone(r: Redis): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const info = await r.info('persistence');
    if (infoField(info, 'rdb_bgsave_in_progress') === '0') return info;
    await sleep(25);
  }
  throw new Error('BGSAVE did not finish');
}

afterEach(async () => {
  await closeClients();
});

describe('SAVE, BGSAVE, LASTSAVE and INFO persistence', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  test('SAVE writes dir/dbfilename, resets the change counter and moves LASTSAVE', async () => {
    const r = s.client();
    await r.set('a', '1');
    await r.rpush('l', 'x', 'y');
    let info = await r.info('persistence');
    expect(Number(infoField(info, 'rdb_changes_since_last_save'))).toBeGreaterThanOrEqual(2);
    const before = await r.lastsave();
    await sleep(1100);
    expect(await r.save()).toBe('OK');
    expect(await r.lastsave()).toBeGreaterThan(before);
    info = await r.info('persistence');
    expect(infoField(info, 'rdb_changes_since_last_save')).toBe('0');
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(infoField(info, 'rdb_saves'))).toBeGreaterThanOrEqual(1);
    const file = readFileSync(join(s.dir, 'dump.rdb'));
    expect(file.subarray(0, 9).toString()).toBe('REDIS0010');
    // No temp file is left behind.
    expect(readdirSync(s.dir).filter((f) => f.startsWith('temp-'))).toEqual([]);
  });

  test('BGSAVE runs in the background; INFO reports it; changes made meanwhile stay counted', async () => {
    const r = s.client();
    const pipe = r.pipeline();
    for (let i = 0; i < 50000; i++) pipe.set(`bg:${i}`, `v${i}`);
    await pipe.exec();
    expect(await r.bgsave()).toBe('Background saving started');
    await r.set('during', 'x');
    const info = await waitBgsaveDone(r);
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok');
    expect(infoField(info, 'rdb_last_bgsave_time_sec')).not.toBe('-1');
    expect(infoField(info, 'rdb_current_bgsave_time_sec')).toBe('-1');
    expect(Number(infoField(info, 'rdb_changes_since_last_save'))).toBeGreaterThanOrEqual(1);
  });

  test('INFO persistence lists Redis 7.0 fields in Redis order', async () => {
    const info = await s.client().info('persistence');
    const names = info
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => l.split(':')[0]);
    expect(names).toEqual([
      'loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age', 'current_fork_perc',
      'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save', 'rdb_bgsave_in_progress',
      'rdb_last_save_time', 'rdb_last_bgsave_status', 'rdb_last_bgsave_time_sec', 'rdb_current_bgsave_time_sec', 'rdb_saves',
      'rdb_last_cow_size', 'rdb_last_load_keys_expired', 'rdb_last_load_keys_loaded', 'aof_enabled', 'aof_rewrite_in_progress',
      'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec', 'aof_last_bgrewrite_status',
      'aof_rewrites', 'aof_rewrites_consecutive_failures', 'aof_last_write_status', 'aof_last_cow_size', 'module_fork_in_progress',
      'module_fork_last_cow_size',
    ]);
  });

  test('BGSAVE inside EXEC is scheduled and then runs', async () => {
    const r = s.client();
    const savesBefore = Number(infoField(await r.info('persistence'), 'rdb_saves'));
    expect(await r.multi().bgsave().exec()).toEqual([[null, 'Background saving scheduled']]);
    for (let i = 0; i < 100 && Number(infoField(await r.info('persistence'), 'rdb_saves')) === savesBefore; i++) await sleep(50);
    await waitBgsaveDone(r);
    expect(Number(infoField(await r.info('persistence'), 'rdb_saves'))).toBe(savesBefore + 1);
  });
});

describeWithRedis('replies side by side with Redis 7.0', () => {
  test('argument errors, BGSAVE while one runs, SAVE in MULTI', async () => {
    const [ours, ref] = await Promise.all([startServer(), startReference()]);
    const [a, b] = await Promise.all([ReplyReader.open(ours.port), ReplyReader.open(ref.port)]);
    try {
      for (const cmd of [['BGSAVE', 'foo'], ['BGSAVE', 'schedule', 'x'], ['SAVE', 'x'], ['LASTSAVE', 'x']]) {
        expect(await a.command(...cmd)).toBe(await b.command(...cmd));
      }
      // Back to back: the second BGSAVE finds the first still running, in both servers.
      expect([await a.command('BGSAVE'), await a.command('BGSAVE'), await a.command('SAVE')]).toEqual([
        await b.command('BGSAVE'),
        await b.command('BGSAVE'),
        await b.command('SAVE'),
      ]);
      for (const cmd of [['MULTI'], ['SAVE'], ['EXEC']]) expect(await a.command(...cmd)).toBe(await b.command(...cmd));
    } finally {
      a.close();
      b.close();
      await Promise.all([ours.stop(), ref.stop()]);
    }
  });
});

describe('restart keeps the data', () => {
  test('SHUTDOWN whose final save fails replies an error and the server keeps running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-shutdown-fail-'));
    const s = await startServer(['--save', '3600 1'], { cwd: dir });
    const r = s.client();
    await r.set('k', 'v');
    rmSync(dir, { recursive: true, force: true }); // nowhere to write the dump any more
    await expect(r.shutdown()).rejects.toThrow('ERR Errors trying to SHUTDOWN. Check logs.');
    expect(await r.get('k')).toBe('v');
    expect(await r.shutdown('NOSAVE').catch(() => 'closed')).toBe('closed');
    expect(await stopProcess(s.proc)).toBe(0);
  });

  test('SHUTDOWN saves when save points exist; the next start loads every type, TTL and db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-restart-'));
    let s = await startServer(['--save', '3600 1'], { cwd: dir });
    let r = s.client();
    await r.set('str', 'hello');
    await r.set(Buffer.from([0, 255, 1]), Buffer.from([9, 0, 13, 10]));
    await r.rpush('list', 'a', 'b', 'c');
    await r.sadd('set', 'x', 'y');
    await r.hset('hash', 'f', 'v');
    await r.set('ttl', 'v', 'PXAT', 4102444800123);
    await r.select(7);
    await r.set('db7', 'seven');
    await r.select(0);
    await r.shutdown().catch(() => undefined); // the server closes the connection, as Redis does
    expect(await stopProcess(s.proc)).toBe(0);
    expect(s.output()).toMatch(/Saving the final RDB snapshot before exiting/);

    s = await startServer([], { cwd: dir });
    r = s.client();
    expect(s.output()).toMatch(/Done loading RDB, keys loaded: 7, keys expired: 0/);
    expect(await r.get('str')).toBe('hello');
    expect(await r.getBuffer(Buffer.from([0, 255, 1]))).toEqual(Buffer.from([9, 0, 13, 10]));
    expect(await r.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
    expect((await r.smembers('set')).sort()).toEqual(['x', 'y']);
    expect(await r.hgetall('hash')).toEqual({ f: 'v' });
    expect(Number(await r.call('PEXPIRETIME', 'ttl'))).toBe(4102444800123);
    await r.select(7);
    expect(await r.get('db7')).toBe('seven');
    expect(infoField(await r.info('persistence'), 'rdb_last_load_keys_loaded')).toBe('7');
    await s.stop();
  });

  test('SIGTERM saves when save points exist; SHUTDOWN NOSAVE does not; save "" means no save unless SHUTDOWN SAVE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-sigterm-'));
    let s = await startServer(['--save', '3600 1'], { cwd: dir });
    await s.client().set('k', 'via-sigterm');
    await s.stop(); // SIGTERM
    expect(readFileSync(join(dir, 'dump.rdb')).includes(Buffer.from('via-sigterm'))).toBe(true);

    s = await startServer(['--save', '3600 1'], { cwd: dir });
    await s.client().set('k', 'not-saved');
    await s.client().shutdown('NOSAVE').catch(() => undefined);
    await stopProcess(s.proc);
    expect(readFileSync(join(dir, 'dump.rdb')).includes(Buffer.from('via-sigterm'))).toBe(true);

    s = await startServer([], { cwd: dir }); // --save ""
    const r = s.client();
    expect(await r.get('k')).toBe('via-sigterm');
    await r.set('k', 'forced');
    await r.shutdown('SAVE').catch(() => undefined);
    await stopProcess(s.proc);
    expect(readFileSync(join(dir, 'dump.rdb')).includes(Buffer.from('forced'))).toBe(true);
  });

  test('FLUSHALL with save points saves the empty dataset at once: a crash right after brings no key back', async () => {
    const s = await startServer(['--save', '3600 1']);
    const r = s.client();
    await r.mset('a', '1', 'b', '2', 'c', '3');
    expect(await r.save()).toBe('OK');
    expect(await r.flushall()).toBe('OK');
    expect(infoField(await r.info('persistence'), 'rdb_changes_since_last_save')).toBe('1');
    await stopProcess(s.proc, 'SIGKILL');
    const again = await startServer([], { cwd: s.dir });
    expect(await again.client().dbsize()).toBe(0);
    await again.stop();
  });

  test('FLUSHALL stops a BGSAVE under way: no dump of the removed keys appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-flushall-bgsave-'));
    const before = writeDump(dir, 400_000, 100);
    const s = await startServer([], { cwd: dir });
    const r = s.client();
    expect(await r.bgsave()).toBe('Background saving started');
    expect(infoField(await r.info('persistence'), 'rdb_bgsave_in_progress')).toBe('1');
    expect(await r.flushall()).toBe('OK');
    expect(infoField(await r.info('persistence'), 'rdb_bgsave_in_progress')).toBe('0');
    await sleep(300);
    expect(readdirSync(dir).filter((f) => f.startsWith('temp-'))).toEqual([]);
    expect(readFileSync(join(dir, 'dump.rdb')).equals(before)).toBe(true);
    await s.stop();
  });

  test('save points start a BGSAVE on their own', async () => {
    const s = await startServer(['--save', '1 1']);
    const r = s.client();
    await r.set('k', 'v');
    for (let i = 0; i < 100 && !existsSync(join(s.dir, 'dump.rdb')); i++) await sleep(50);
    expect(existsSync(join(s.dir, 'dump.rdb'))).toBe(true);
    await waitBgsaveDone(r);
    expect(s.output()).toMatch(/1 changes in 1 seconds. Saving.../);
    await s.stop();
  });
});

describe('durability and refusal of bad files', () => {
  test('kill -9 during BGSAVE leaves the previous dump intact and loadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-kill9-'));
    writeDump(dir, 400_000, 100);
    const s = await startServer([], { cwd: dir });
    const r = s.client();
    await r.set('marker', 'new-data');
    expect(await r.save()).toBe('OK');
    const good = readFileSync(join(dir, 'dump.rdb'));
    await r.set('marker', 'in-the-bgsave-that-dies');
    expect(await r.bgsave()).toBe('Background saving started');
    for (let i = 0; i < 200 && !readdirSync(dir).some((f) => f.startsWith('temp-')); i++) await sleep(5);
    expect(infoField(await r.info('persistence'), 'rdb_bgsave_in_progress')).toBe('1');
    await stopProcess(s.proc, 'SIGKILL');
    expect(readFileSync(join(dir, 'dump.rdb')).equals(good)).toBe(true);
    const again = await startServer([], { cwd: dir });
    expect(await again.client().get('marker')).toBe('new-data');
    expect(await again.client().dbsize()).toBe(400_001);
    await again.stop();
  });

  test.each([
    ['truncated', (f: Buffer) => f.subarray(0, f.length - 100), /unexpected end of data at byte \d+.*truncated file/],
    ['wrong checksum', (f: Buffer) => Buffer.concat([f.subarray(0, f.length - 1), Buffer.from([f[f.length - 1] ^ 1])]), /Wrong RDB checksum.*record at byte offset \d+/],
    ['bad version', (f: Buffer) => Buffer.concat([Buffer.from('REDIS0011'), f.subarray(9)]), /Can't handle RDB format version 0011/],
    ['unknown value type', (f: Buffer) => Buffer.concat([f.subarray(0, 33), Buffer.from([0x42]), f.subarray(34)]), /key 'key:0' has unknown type 66 \(RDB type 66\).*record at byte offset 33/],
  ])('a %s dump is refused with offset and reason; the server does not start and the file is untouched', async (_name, corrupt, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-corrupt-'));
    const bad = corrupt(writeDump(dir, 1000));
    writeFileSync(join(dir, 'dump.rdb'), bad);
    await expect(startServer(['--save', '3600 1'], { cwd: dir })).rejects.toThrow(message);
    expect(readFileSync(join(dir, 'dump.rdb')).equals(bad)).toBe(true);
  });

  test('clients get -LOADING and INFO loading:1 with progress while a large dump loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-loading-'));
    writeDump(dir, 1_500_000, 40);
    const port = await freePort();
    const proc = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      let sawLoading = false;
      let sawInfo = '';
      for (let i = 0; i < 400 && !out.includes('Ready to accept connections'); i++) {
        // No ready check: ioredis would wait for loading:0 itself.
        const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, enableReadyCheck: false });
        r.on('error', () => undefined);
        try {
          await r.connect();
          try {
            await r.set('k', 'v');
          } catch (e) {
            if ((e as Error).message === 'LOADING Redis is loading the dataset in memory') {
              sawLoading = true;
              sawInfo = await r.info('persistence');
            }
          }
        } catch {
          // not listening yet
        }
        r.disconnect();
        if (sawLoading) break;
        await sleep(10);
      }
      expect(sawLoading).toBe(true);
      expect(infoField(sawInfo, 'loading')).toBe('1');
      expect(Number(infoField(sawInfo, 'loading_total_bytes'))).toBeGreaterThan(0);
      expect(sawInfo).toMatch(/loading_loaded_perc:\d+\.\d\d/);
      for (let i = 0; i < 600 && !out.includes('Ready to accept connections'); i++) await sleep(25);
      const r = new Redis({ port, host: '127.0.0.1' });
      expect(await r.dbsize()).toBe(1_500_000);
      expect(infoField(await r.info('persistence'), 'loading')).toBe('0');
      r.disconnect();
    } finally {
      await stopProcess(proc);
    }
  });
});

describe('MISCONF after a failed background save', () => {
  test('writes and PING are refused until a save succeeds again; reads go on', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kts-misconf-')), 'data');
    mkdirSync(dir);
    const s = await startServer(['--save', '3600 1', '--dir', dir]);
    const r = s.client();
    await r.set('k', 'v');
    rmSync(dir, { recursive: true });
    expect(await r.bgsave()).toBe('Background saving started');
    const info = await waitBgsaveDone(r);
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('err');
    await expect(r.set('k', 'w')).rejects.toThrow(/^MISCONF Redis is configured to save RDB snapshots/);
    await expect(r.ping()).rejects.toThrow(/^MISCONF/);
    expect(await r.get('k')).toBe('v');
    await expect(r.multi().set('k', 'x').exec()).rejects.toThrow(/MISCONF|EXECABORT/);
    await r.config('SET', 'stop-writes-on-bgsave-error', 'no');
    expect(await r.set('k', 'allowed')).toBe('OK');
    await r.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    mkdirSync(dir);
    expect(await r.bgsave()).toBe('Background saving started');
    await waitBgsaveDone(r);
    expect(await r.set('k', 'again')).toBe('OK');
    expect(await r.ping()).toBe('PONG');
    await s.stop();
  });
});

describe('copy-on-write while BGSAVE runs', () => {
  test('the file holds the dataset as of BGSAVE, though clients overwrite, delete and add keys meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-cow-'));
    writeDump(dir, 300_000, 64);
    const s = await startServer([], { cwd: dir });
    const r = s.client();
    expect(await r.bgsave()).toBe('Background saving started');
    let writes = 0;
    while (infoField(await r.info('persistence'), 'rdb_bgsave_in_progress') === '1') {
      const pipe = r.pipeline();
      for (let i = 0; i < 200; i++) {
        const k = Math.floor(Math.random() * 300_000);
        pipe.set(`key:${k}`, 'overwritten');
        pipe.del(`key:${(k * 7) % 300_000}`);
        pipe.set(`added:${writes++}`, 'new');
      }
      await pipe.exec();
    }
    const info = await r.info('persistence');
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(infoField(info, 'rdb_last_cow_size'))).toBeGreaterThan(0);
    await s.stop();
    // Load the file alone and check it is exactly the original dataset.
    const check = await startServer([], { cwd: dir });
    const c = check.client();
    expect(await c.dbsize()).toBe(300_000);
    expect(await c.get('key:123')).toBe(`value:123:${'p'.repeat(52)}`);
    expect(await c.exists('added:0')).toBe(0);
    const sample = await c.mget(...Array.from({ length: 500 }, (_, i) => `key:${i * 599}`));
    expect(sample.every((v, i) => v === `value:${i * 599}:${'p'.repeat(52)}`)).toBe(true);
    await check.stop();
  }, 60000);
});
