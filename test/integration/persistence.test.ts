/**
 * RDB persistence through the real server process: SAVE / BGSAVE /
 * LASTSAVE, INFO persistence, and MISCONF after a failed background save.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ReplyReader } from '../helpers/compare';
import { describeWithRedis, startReference } from '../helpers/reference';
import { closeClients, RunningServer, startServer } from '../helpers/server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
