/**
 * Collections past 2^12 members switch their member index to a sharded map
 * (store/sharded-map.ts). Through a real client: every command still sees
 * every member, a SCAN that runs across the switch returns every member
 * present throughout, and the data survives SAVE and a restart.
 */
import Redis from 'ioredis';
import { startServer, withServer } from '../helpers/server';

const N = 6000;

async function fullScan(r: Redis, cmd: 'sscan' | 'hscan' | 'zscan', key: string, during?: (round: number) => Promise<void>): Promise<Set<string>> {
  const seen = new Set<string>();
  let cursor = '0';
  let round = 0;
  do {
    const [next, items] = (await r[cmd](key, cursor, 'COUNT', '200')) as [string, string[]];
    const step = cmd === 'sscan' ? 1 : 2;
    for (let i = 0; i < items.length; i += step) seen.add(items[i]);
    cursor = next;
    if (during !== undefined) await during(round++);
  } while (cursor !== '0');
  return seen;
}

describe('collections larger than the sharding threshold', () => {
  const server = withServer(['--save', '']);
  let r: Redis;
  beforeAll(() => {
    r = server().client();
  });

  test('a set, hash and sorted set grown across the switch answer for every member; SCANs across it miss none', async () => {
    const half = N / 2;
    const p = r.pipeline();
    for (let i = 0; i < half; i++) {
      p.sadd('s', `m${i}`);
      p.hset('h', `f${i}`, `v${i}`);
      p.zadd('z', i, `m${i}`);
    }
    await p.exec();
    // Scan while the other half arrives: the index is switched mid-scan.
    const grow = async (round: number): Promise<void> => {
      if (round !== 2) return;
      const q = r.pipeline();
      for (let i = half; i < N; i++) {
        q.sadd('s', `m${i}`);
        q.hset('h', `f${i}`, `v${i}`);
        q.zadd('z', i, `m${i}`);
      }
      await q.exec();
    };
    const scannedSet = await fullScan(r, 'sscan', 's', grow);
    expect(await r.scard('s')).toBe(N);
    const scannedHash = await fullScan(r, 'hscan', 'h');
    const scannedZset = await fullScan(r, 'zscan', 'z');
    for (let i = 0; i < half; i++) expect(scannedSet.has(`m${i}`)).toBe(true);
    expect(scannedHash.size).toBe(N);
    expect(scannedZset.size).toBe(N);
    expect(await r.hlen('h')).toBe(N);
    expect(await r.zcard('z')).toBe(N);
    expect(await r.hget('h', `f${N - 1}`)).toBe(`v${N - 1}`);
    expect(await r.zscore('z', `m${N - 1}`)).toBe(String(N - 1));
    expect(await r.zrank('z', `m${N - 1}`)).toBe(N - 1);
    expect(await r.sismember('s', 'm0')).toBe(1);
  });

  test('removals, SAVE and a restart keep sharded collections exact', async () => {
    const p = r.pipeline();
    for (let i = 0; i < N; i += 2) {
      p.srem('s', `m${i}`);
      p.hdel('h', `f${i}`);
      p.zrem('z', `m${i}`);
    }
    await p.exec();
    expect(await r.save()).toBe('OK');
    const restarted = await startServer([], { cwd: server().dir });
    const before = r;
    r = restarted.client();
    try {
      await checkAfterRemovals();
    } finally {
      r.disconnect();
      r = before;
      await restarted.stop();
    }
  });

  async function checkAfterRemovals(): Promise<void> {
    expect(await r.scard('s')).toBe(N / 2);
    expect(await r.hlen('h')).toBe(N / 2);
    expect(await r.zcard('z')).toBe(N / 2);
    const members = new Set(await r.smembers('s'));
    for (let i = 0; i < N; i++) expect(members.has(`m${i}`)).toBe(i % 2 === 1);
    expect(await r.hget('h', 'f0')).toBeNull();
    expect(await r.hget('h', 'f1')).toBe('v1');
    expect(await r.zrange('z', '0', '2')).toEqual(['m1', 'm3', 'm5']);
  }
});
