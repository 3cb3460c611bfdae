/**
 * maxmemory against the real server process: which keys each policy evicts,
 * the OOM refusal, evicted_keys and `evicted` notifications, DELs reaching a
 * replica, and OBJECT IDLETIME / FREQ. Limits are set a few MB above the
 * used_memory INFO reports at the time, then crossed with 1 KB values.
 */
import type Redis from 'ioredis';
import { closeClients, startServer, type RunningServer } from '../helpers/server';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const VALUE = 'x'.repeat(1024);
/** V8 holds several MB of young garbage at any time, so the limit needs that much slack. */
const HEADROOM_BYTES = 20 * 1024 * 1024;

let s: RunningServer;
let r: Redis;

// A fresh server per test: garbage a previous test left in V8's heap would
// otherwise inflate the used_memory baseline the limit is computed from.
beforeEach(async () => {
  s = await startServer();
  r = s.client();
});

afterEach(async () => {
  await closeClients();
  await s.stop();
});

async function infoField(c: Redis, section: string, field: string): Promise<number> {
  const text = await c.info(section);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  if (m === null) throw new Error(`${field} missing from INFO ${section}`);
  return Number(m[1]);
}

/**
 * used_memory includes V8 garbage until a collection runs, so a single
 * reading right after a previous test's writes can sit far above what is
 * live; the lowest of a few readings over a second is the baseline.
 */
async function limitAboveCurrentUse(): Promise<void> {
  let used = Infinity;
  for (let i = 0; i < 10; i++) {
    used = Math.min(used, await infoField(r, 'memory', 'used_memory'));
    await sleep(100);
  }
  await r.config('SET', 'maxmemory', String(used + HEADROOM_BYTES));
}

async function writeKeys(prefix: string, from: number, to: number, ttlSec?: (i: number) => number): Promise<void> {
  const p = r.pipeline();
  for (let i = from; i < to; i++) {
    if (ttlSec === undefined) p.set(`${prefix}${i}`, VALUE);
    else p.set(`${prefix}${i}`, VALUE, 'EX', ttlSec(i));
  }
  await p.exec();
}

async function countExisting(keys: string[]): Promise<number> {
  const p = r.pipeline();
  for (const k of keys) p.exists(k);
  const res = (await p.exec()) ?? [];
  return res.reduce((n, [, v]) => n + Number(v), 0);
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

test('allkeys-lru keeps keys that are read and evicts most cold ones', async () => {
  await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
  const hot = Array.from({ length: 100 }, (_, i) => `hot:${i}`);
  await writeKeys('hot:', 0, hot.length);
  await limitAboveCurrentUse();
  const evictedBefore = await infoField(r, 'stats', 'evicted_keys');
  const coldPerRound = 1500;
  const rounds = 32;
  for (let round = 0; round < rounds; round++) {
    const p = r.pipeline();
    for (const k of hot) p.get(k);
    await p.exec();
    // The LRU clock ticks with the cron (100 ms): let the writes land in a later tick than the reads.
    await sleep(120);
    await writeKeys('cold:', round * coldPerRound, (round + 1) * coldPerRound);
  }
  const cold = Array.from({ length: coldPerRound * rounds }, (_, i) => `cold:${i}`);
  const coldLeft = await countExisting(cold);
  const hotLeft = await countExisting(hot);
  expect(await infoField(r, 'stats', 'evicted_keys')).toBeGreaterThan(evictedBefore + cold.length / 4);
  expect(coldLeft).toBeLessThan(cold.length / 2);
  // Sampling is approximate (as in Redis): a few hot keys may go, cold ones go far more.
  expect(hotLeft).toBeGreaterThanOrEqual(hot.length * 0.75);
}, 20000);

test('volatile-ttl evicts the nearest TTLs first and never keys without one', async () => {
  await r.config('SET', 'maxmemory-policy', 'volatile-ttl');
  await writeKeys('persistent:', 0, 300);
  await limitAboveCurrentUse();
  const n = 40000;
  for (let from = 0; from < n; from += 2000) await writeKeys('v:', from, from + 2000, (i) => 10000 + i);
  expect(await countExisting(Array.from({ length: 300 }, (_, i) => `persistent:${i}`))).toBe(300);
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.exists(`v:${i}`);
  const res = (await p.exec()) ?? [];
  let kept = 0;
  let keptIndexSum = 0;
  let goneIndexSum = 0;
  res.forEach(([, v], i) => {
    if (Number(v) === 1) {
      kept++;
      keptIndexSum += i;
    } else goneIndexSum += i;
  });
  const gone = n - kept;
  // The eviction estimate of freed memory is approximate (V8 frees lazily): at least an eighth must go.
  expect(gone).toBeGreaterThan(n / 8);
  // Later keys have longer TTLs: the survivors must be, on average, the later ones.
  expect(keptIndexSum / Math.max(kept, 1)).toBeGreaterThan(goneIndexSum / gone + n / 8);
}, 20000);

test('a volatile policy with no volatile keys refuses writes with OOM; reads go on', async () => {
  await r.set('k', 'v');
  await r.config('SET', 'maxmemory-policy', 'volatile-lru');
  await r.config('SET', 'maxmemory', '1');
  await expect(r.set('k2', 'v')).rejects.toThrow(OOM);
  expect(await r.get('k')).toBe('v');
  expect(await r.dbsize()).toBe(1);
});

test('noeviction answers exactly Redis OOM error on SET while GET works', async () => {
  await r.set('k', 'v');
  await r.config('SET', 'maxmemory', '1');
  await expect(r.set('k2', 'v')).rejects.toHaveProperty('message', OOM);
  expect(await r.get('k')).toBe('v');
  expect(await r.del('k')).toBe(1); // DEL is not denyoom
  // Inside MULTI even a non-denyoom command is refused, as Redis does.
  await r.config('SET', 'maxmemory', '0');
  const m = s.client();
  await m.multi({ pipeline: false });
  await r.config('SET', 'maxmemory', '1');
  await expect(m.get('k')).rejects.toThrow(OOM);
  await expect(m.exec()).rejects.toThrow('EXECABORT');
});

test('evicted keys fire `evicted`, count in evicted_keys and reach a replica as DEL', async () => {
  const replica = await startServer(['--replicaof', '127.0.0.1', String(s.port)]);
  try {
    const rr = replica.client();
    await writeKeys('e:', 0, 50);
    for (let i = 0; i < 100 && (await rr.dbsize()) !== 50; i++) await sleep(50);
    expect(await rr.dbsize()).toBe(50);
    const sub = s.client();
    await r.config('SET', 'notify-keyspace-events', 'Ee');
    const evicted: string[] = [];
    sub.on('message', (_ch: string, key: string) => evicted.push(key));
    await sub.subscribe('__keyevent@0__:evicted');
    const before = await infoField(r, 'stats', 'evicted_keys');
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    await r.config('SET', 'maxmemory', '1');
    for (let i = 0; i < 100 && evicted.length < 50; i++) await sleep(20);
    expect(evicted.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `e:${i}`).sort());
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe(before + 50);
    expect(await r.dbsize()).toBe(0);
    for (let i = 0; i < 100 && (await rr.dbsize()) !== 0; i++) await sleep(50);
    expect(await rr.dbsize()).toBe(0);
    await r.config('SET', 'notify-keyspace-events', '');
  } finally {
    await replica.stop();
  }
}, 20000);

test('OBJECT FREQ under allkeys-lfu counts accesses as Redis does', async () => {
  await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
  await r.config('SET', 'lfu-log-factor', '0'); // every access increments: deterministic
  await r.set('f', 'v');
  expect(await r.object('FREQ', 'f')).toBe(5); // LFU_INIT_VAL, and OBJECT itself does not count
  expect(await r.object('FREQ', 'f')).toBe(5);
  for (let i = 0; i < 10; i++) await r.get('f');
  expect(await r.object('FREQ', 'f')).toBe(15);
  await expect(r.object('IDLETIME', 'f')).rejects.toThrow('ERR An LFU maxmemory policy is selected');
  await r.config('SET', 'lfu-log-factor', '10');
});

test('OBJECT IDLETIME under an LRU policy grows with time and resets on access', async () => {
  await r.config('SET', 'maxmemory-policy', 'volatile-lru');
  await r.set('i', 'v');
  expect(await r.object('IDLETIME', 'i')).toBe(0);
  await sleep(2100);
  expect(await r.object('IDLETIME', 'i')).toBeGreaterThanOrEqual(2);
  await r.get('i');
  await sleep(150);
  expect(await r.object('IDLETIME', 'i')).toBe(0);
});
