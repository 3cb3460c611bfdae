/**
 * RDB files cross between our server and Debian's redis-server 7.0 in both
 * directions: what we SAVE/BGSAVE loads in Redis with the same dataset,
 * what Redis saves (every compact and plain encoding) loads in ours, and
 * the snapshot streamed by a full sync loads on the other side (a real
 * Redis replica of ours, and ours as a replica of a real Redis).
 * Datasets are compared through clients: every db, key, type, value (as
 * bytes) and absolute expiry.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { crc64, Crc64 } from '../../src/persistence/crc64';
import { RdbEncoder } from '../../src/persistence/rdb-writer';
import { describeWithRedis, ReferenceServer, startReference } from '../helpers/reference';
import { closeClients, RunningServer, startServer } from '../helpers/server';

type Dataset = Record<number, Record<string, { type: string; value: unknown; expireAtMs: number }>>;

const DBS = [0, 3, 15];
const hex = (b: Buffer): string => b.toString('hex');

function connect(port: number, db: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', db, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  return r;
}

/** Every key of the given dbs with its type, value bytes and PEXPIRETIME. */
async function dumpDataset(port: number): Promise<Dataset> {
  const out: Dataset = {};
  for (const db of DBS) {
    const r = connect(port, db);
    const keys = (await r.keysBuffer('*')).sort(Buffer.compare);
    const entries: Dataset[number] = {};
    for (const key of keys) {
      const type = await r.type(key);
      let value: unknown;
      if (type === 'string') value = hex((await r.getBuffer(key))!);
      else if (type === 'list') value = (await r.lrangeBuffer(key, 0, -1)).map(hex);
      else if (type === 'set') value = (await r.smembersBuffer(key)).map(hex).sort();
      else if (type === 'hash') {
        const flat = (await r.call('HGETALL', key)) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(`${Buffer.from(flat[i], 'latin1').toString('hex')}=${Buffer.from(flat[i + 1], 'latin1').toString('hex')}`);
        value = pairs.sort();
      } else if (type === 'zset') {
        const flat = await r.zrangeBuffer(key, '0', '-1', 'WITHSCORES');
        const pairs: [string, number][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([hex(flat[i]), Number(flat[i + 1].toString())]);
        value = pairs;
      }
      entries[key.toString('latin1')] = { type, value, expireAtMs: Number(await r.call('PEXPIRETIME', key)) };
    }
    out[db] = entries;
    r.disconnect();
  }
  return out;
}

function bin(...bytes: number[]): Buffer {
  return Buffer.from(bytes);
}

/** Every type through commands both servers know; binary keys and values; TTLs; three dbs. */
async function populateCommonTypes(port: number): Promise<void> {
  const r0 = connect(port, 0);
  await r0.set('plain', 'Hello, RDB!');
  await r0.set('int', '12345');
  await r0.set('negative', '-7');
  await r0.set('leadingzero', '007');
  await r0.set('bigint', '9876543210123');
  await r0.set('empty', '');
  await r0.set('long', 'abcdefghij'.repeat(500));
  await r0.set(bin(0, 1, 2, 255, 0, 13, 10), bin(255, 0, 0, 128, 13, 10, 0));
  await r0.set('ttl:far', 'x', 'PXAT', 4102444800123);
  await r0.set('ttl:soon', 'y', 'PX', 3_600_000);
  await r0.rpush('list:small', 'one', 'two', '3', '');
  const big: string[] = [];
  for (let i = 0; i < 2000; i++) big.push(`element-${i}-${'e'.repeat(i % 50)}`);
  await r0.rpush('list:big', ...big);
  await r0.rpush(bin(0, 9, 0), bin(0), bin(1, 2, 3), bin(255));
  await r0.sadd('set:ints', '1', '2', '3', '-100', '100000');
  await r0.sadd('set:strs', 'apple', 'banana', bin(0, 255).toString('latin1'));
  await r0.sadd('set:big', ...big);
  await r0.hset('hash:small', 'f1', 'v1', 'f2', '2', 'empty', '');
  const fields: string[] = [];
  for (let i = 0; i < 500; i++) fields.push(`field-${i}`, `value-${i}`.repeat((i % 7) + 1));
  await r0.hset('hash:big', ...fields);
  await r0.hset('hash:bin', bin(0, 1), bin(2, 0, 3));
  await r0.pexpire('hash:small', 86_400_000);
  await r0.zadd('zset:common', 1, 'a', 2.5, 'b', '-inf', 'low', 'inf', 'high', 0, bin(0, 255).toString('latin1'));
  r0.disconnect();
  const r3 = connect(port, 3);
  await r3.set('db3:key', 'three');
  await r3.rpush('db3:list', 'a', 'b');
  r3.disconnect();
  const r15 = connect(port, 15);
  await r15.set('db15:key', 'fifteen', 'PXAT', 4133980800000);
  r15.disconnect();
}

/** Larger sorted sets, so Redis saves them as skiplists (type 5) as well as listpacks. */
async function populateLargeSortedSets(port: number): Promise<void> {
  const r = connect(port, 0);
  await r.zadd('zset:small', 1, 'a', 2.5, 'b', -3, 'c', 'inf', 'top', '-inf', 'bottom');
  const members: (string | number)[] = [];
  for (let i = 0; i < 1000; i++) members.push(i * 0.5 - 100, `member-${i}`);
  await r.zadd('zset:big', ...members);
  await r.zadd(bin(0, 0x7a), 0, bin(0, 255));
  r.disconnect();
}

describeWithRedis('RDB interop with redis-server 7.0', () => {
  let ours: RunningServer | null = null;
  let ref: ReferenceServer | null = null;

  afterEach(async () => {
    await closeClients();
    if (ours !== null) await ours.stop();
    if (ref !== null) await ref.stop();
    ours = null;
    ref = null;
  });

  /** Starts Redis on a copy of file and returns its dataset. */
  async function datasetInRedis(file: string): Promise<Dataset> {
    const dir = mkdtempSync(join(tmpdir(), 'rdb-interop-redis-'));
    copyFileSync(file, join(dir, 'dump.rdb'));
    ref = await startReference(['--dir', dir, '--dbfilename', 'dump.rdb']);
    const data = await dumpDataset(ref.port);
    await ref.stop();
    ref = null;
    return data;
  }

  test.each([
    ['SAVE', [] as string[]],
    ['SAVE with rdbcompression no', ['--rdbcompression', 'no']],
    ['SAVE with rdbchecksum no', ['--rdbchecksum', 'no']],
    ['BGSAVE', []],
  ])('%s: Redis loads our file with the same dataset (every type, binary, TTLs, 3 dbs)', async (mode, args) => {
    ours = await startServer(args);
    await populateCommonTypes(ours.port);
    const expected = await dumpDataset(ours.port);
    const r = ours.client();
    if (mode === 'BGSAVE') {
      expect(await r.bgsave()).toBe('Background saving started');
      for (let i = 0; i < 100 && (await r.info('persistence')).includes('rdb_bgsave_in_progress:1'); i++) await new Promise((res) => setTimeout(res, 50));
      expect(await r.info('persistence')).toContain('rdb_last_bgsave_status:ok');
    } else {
      expect(await r.save()).toBe('OK');
    }
    const file = join(ours.dir, 'dump.rdb');
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 9).toString()).toBe('REDIS0010');
    const trailer = bytes.readBigUInt64LE(bytes.length - 8);
    if (mode.includes('rdbchecksum no')) expect(trailer).toBe(0n);
    else expect(trailer).toBe(crc64(bytes.subarray(0, bytes.length - 8)));
    expect(await datasetInRedis(file)).toEqual(expected);
  });

  test('a dump Redis writes (listpack, intset, quicklist, hashtable, skiplist encodings) loads in ours, and our re-save loads back in Redis unchanged', async () => {
    ref = await startReference();
    await populateCommonTypes(ref.port);
    await populateLargeSortedSets(ref.port);
    const original = await dumpDataset(ref.port);
    const rr = connect(ref.port, 0);
    expect(await rr.save()).toBe('OK');
    rr.disconnect();
    const redisDir = ref.dir;
    await ref.stop();
    ref = null;

    const ourDir = mkdtempSync(join(tmpdir(), 'rdb-interop-ours-'));
    copyFileSync(join(redisDir, 'dump.rdb'), join(ourDir, 'dump.rdb'));
    ours = await startServer([], { cwd: ourDir });
    expect(ours.output()).toMatch(/Done loading RDB, keys loaded: 26, keys expired: 0/);
    const r = ours.client();
    // Types and values we can read back through our own commands.
    expect(await r.type('zset:big')).toBe('zset');
    expect(await r.lrange('list:small', 0, -1)).toEqual(['one', 'two', '3', '']);
    expect(await r.hget('hash:big', 'field-499')).toBe('value-499'.repeat((499 % 7) + 1));
    expect(await r.smembers('set:ints')).toEqual(expect.arrayContaining(['-100', '1', '2', '3', '100000']));
    expect(Number(await r.call('PEXPIRETIME', 'ttl:far'))).toBe(4102444800123);
    expect(await r.save()).toBe('OK');
    expect(await datasetInRedis(join(ourDir, 'dump.rdb'))).toEqual(original);
  });

  async function waitLinkUp(port: number): Promise<void> {
    const r = connect(port, 0);
    try {
      for (let i = 0; i < 200; i++) {
        if ((await r.info('replication')).includes('master_link_status:up')) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('replica link did not come up');
    } finally {
      r.disconnect();
    }
  }

  test.each([
    ['diskless ($EOF: framing)', 'yes'],
    ['disk-based ($<len> framing)', 'no'],
  ])('a real Redis replica full-syncs from our snapshot, %s', async (_name, diskless) => {
    ours = await startServer(['--repl-diskless-sync', diskless, '--repl-diskless-sync-delay', '0']);
    await populateCommonTypes(ours.port);
    const expected = await dumpDataset(ours.port);
    ref = await startReference(['--replicaof', '127.0.0.1', String(ours.port)]);
    await waitLinkUp(ref.port);
    expect(await dumpDataset(ref.port)).toEqual(expected);
  });

  test('we full-sync from a real Redis master and hold its dataset', async () => {
    ref = await startReference(['--repl-diskless-sync-delay', '0']);
    await populateCommonTypes(ref.port);
    await populateLargeSortedSets(ref.port);
    const expected = await dumpDataset(ref.port);
    ours = await startServer(['--replicaof', '127.0.0.1', String(ref.port)]);
    await waitLinkUp(ours.port);
    expect(await dumpDataset(ours.port)).toEqual(expected);
  });

  test('a full sync that arrives while our own dump still loads waits for it, then replaces it entirely', async () => {
    ref = await startReference(['--repl-diskless-sync-delay', '0']);
    await populateCommonTypes(ref.port);
    const expected = await dumpDataset(ref.port);
    // A dump large enough to still be loading when the master's RDB arrives.
    const dir = mkdtempSync(join(tmpdir(), 'rdb-interop-replica-'));
    const chunks: Buffer[] = [];
    const enc = new RdbEncoder((c) => chunks.push(c), false);
    enc.header();
    enc.selectDb(0);
    for (let i = 0; i < 600_000; i++) enc.keyValue(`stale:${i}`, `old-value-${i}`, -1, -1);
    enc.keyValue('plain', 'stale version', -1, -1);
    enc.eof();
    enc.flush();
    const body = Buffer.concat(chunks);
    const crc = new Crc64();
    crc.update(body);
    writeFileSync(join(dir, 'dump.rdb'), Buffer.concat([body, crc.digestBytes()]));
    ours = await startServer(['--replicaof', '127.0.0.1', String(ref.port)], { cwd: dir });
    await waitLinkUp(ours.port);
    expect(await dumpDataset(ours.port)).toEqual(expected);
  }, 60000);
});
