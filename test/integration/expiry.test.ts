/**
 * Expiry: the EXPIRE family with NX/XX/GT/LT, TTL/PTTL/EXPIRETIME/
 * PEXPIRETIME, PERSIST, SET with EX/PX/EXAT/PXAT/KEEPTTL, GETEX, compared
 * with Redis 7.0 (absolute times keep the replies deterministic), then
 * lazy expiry (active cycle off) and active expiry (keys vanish unread).
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithRedis('expiry commands, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const cases: string[][] = [
    ['EXPIRE', 'k', '9223372036854775807'],
    ['EXPIRE', 'k', '9223372036854775'],
    ['EXPIRE', 'k', '9223372036854'],
    ['PEXPIRE', 'k', '9223372036854775807'],
    ['PEXPIREAT', 'k', '9223372036854775807'],
    ['EXPIREAT', 'k', '9223372036854775807'],
    ['EXPIRE', 'k', '-9223372036854775808'],
    ['SET', 'k', 'v', 'EX', '9999999999999999'],
    ['SET', 'k', 'v', 'EX', '9223372036854775807'],
    ['SET', 'k', 'v', 'PX', '9223372036854775807'],
    ['SET', 'k', 'v', 'EXAT', '9223372036854775807'],
    ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
    ['SETEX', 'k', '9223372036854775807', 'v'],
    ['GETEX', 'k', 'EX', '9999999999999999'],
    ['SET', 'k', 'v'],
    ['FLUSHALL'],
    ['SET', 'k', 'v'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '10', 'xx', 'nx'],
    ['EXPIRE', 'k', '10', 'gt', 'gt'],
    ['EXPIRE', 'k', '10', 'nx', 'nx'],
    ['EXPIRE', 'k', '10', 'lt', 'xx'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100', 'lt', 'xx'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '1.5'],
    ['SET', 'k', 'v', 'EX', '-1'],
    ['SET', 'k', 'v', 'PX', '0'],
    ['SET', 'k', 'v', 'EXAT', '0'],
    ['SET', 'k', 'v', 'PXAT', '-5'],
    ['SET', 'k', 'v', 'EX', '1.5'],
    ['SET', 'k', 'v', 'EX'],
    ['SET', 'k', 'v', 'KEEPTTL', 'PX', '100'],
    ['SET', 'k', 'v', 'PX', '100', 'KEEPTTL'],
    ['SET', 'k', 'v', 'EX', '10', 'PX', '10'],
    ['SETEX', 'k', '0', 'v'],
    ['SETEX', 'k', '-1', 'v'],
    ['PSETEX', 'k', '0', 'v'],
    ['GETEX', 'k', 'EX', '0'],
    ['GETEX', 'k', 'PX', '-1'],
    ['GETEX', 'k', 'EXAT', '0'],
    ['GETEX', 'k', 'EX', '10', 'PX', '10'],
    ['GETEX', 'k', 'PERSIST', 'EX', '10'],
    ['GETEX', 'k', 'FOO'],
    ['GETEX', 'nokey', 'EX', '10'],
    ['GETEX', 'k', 'EX'],
    ['SET', 'k', 'v', 'EXAT', '4000000000'],
    ['EXPIRETIME', 'k'],
    ['PEXPIRETIME', 'k'],
    ['TTL', 'k'],
    ['SET', 'k', 'v', 'PXAT', '4000000000123'],
    ['PEXPIRETIME', 'k'],
    ['EXPIRETIME', 'k'],
    ['SET', 'k2', 'v'],
    ['EXPIRETIME', 'k2'],
    ['PEXPIRETIME', 'nokey'],
    ['EXPIREAT', 'k2', '4000000000', 'NX'],
    ['EXPIREAT', 'k2', '3000000000', 'GT'],
    ['EXPIREAT', 'k2', '3000000000', 'LT'],
    ['EXPIRETIME', 'k2'],
    ['EXPIREAT', 'k2', '4500000000', 'XX'],
    ['EXPIRETIME', 'k2'],
    ['PERSIST', 'k2'],
    ['PERSIST', 'k2'],
    ['EXPIREAT', 'k2', '3000000000', 'XX'],
    ['EXPIREAT', 'k2', '3000000000', 'GT'],
    ['EXPIREAT', 'k2', '3000000000', 'LT'],
    ['EXPIRETIME', 'k2'],
    ['SET', 'k2', 'v', 'KEEPTTL'],
    ['EXPIRETIME', 'k2'],
    ['SET', 'k2', 'v'],
    ['EXPIRETIME', 'k2'],
    ['EXPIRE', 'k2', '-1'],
    ['EXISTS', 'k2'],
    ['SET', 'k3', 'v', 'EX', '100'],
    ['GETEX', 'k3', 'PERSIST'],
    ['TTL', 'k3'],
    ['GETEX', 'k3', 'EXAT', '4000000000'],
    ['EXPIRETIME', 'k3'],
    ['GETEX', 'k3'],
    ['EXPIRETIME', 'k3'],
    ['PEXPIREAT', 'k3', '1'],
    ['GET', 'k3'],
  ];
  test.each(cases.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await Promise.all([a.command(...(args as string[])), b.command(...(args as string[]))]);
    expect(mine).toEqual(theirs);
  });
});

describe('lazy and active expiry', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(['--hz', '100']);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  const expiredKeys = async (): Promise<number> => Number(/expired_keys:(\d+)/.exec((await s.client().info('stats')) as string)![1]);

  test('with the active cycle off, an expired key stays counted until it is read (lazy expiry)', async () => {
    const r = s.client();
    await r.select(1);
    expect(await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('OK');
    try {
      for (let i = 0; i < 20; i++) await r.set(`lazy:${i}`, 'v', 'PX', 50);
      await r.set('lazy:keeper', 'v');
      await sleep(300);
      // Nobody read them: DBSIZE still counts them, as Redis does.
      expect(await r.dbsize()).toBe(21);
      const before = await expiredKeys();
      expect(await r.get('lazy:0')).toBeNull();
      expect(await r.dbsize()).toBe(20);
      expect(await r.exists('lazy:1', 'lazy:2')).toBe(0);
      expect(await r.dbsize()).toBe(18);
      expect(await r.ttl('lazy:3')).toBe(-2);
      expect(await expiredKeys()).toBe(before + 4);
      expect(await r.keys('lazy:*')).toEqual(['lazy:keeper']);
    } finally {
      await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      await r.flushdb();
    }
  });

  test('active expiry removes keys nobody reads: DBSIZE drops on its own', async () => {
    const r = s.client();
    await r.select(2);
    const before = await expiredKeys();
    const pipe = r.pipeline();
    for (let i = 0; i < 500; i++) pipe.set(`active:${i}`, 'v', 'PX', 100 + (i % 50));
    for (let i = 0; i < 50; i++) pipe.set(`stays:${i}`, 'v', 'EX', 1000);
    await pipe.exec();
    expect(await r.dbsize()).toBe(550);
    const deadline = Date.now() + 5000;
    while ((await r.dbsize()) > 50 && Date.now() < deadline) await sleep(50);
    expect(await r.dbsize()).toBe(50);
    expect(await expiredKeys()).toBe(before + 500);
    const info = (await r.info('keyspace')) as string;
    expect(info).toMatch(/db2:keys=50,expires=50,avg_ttl=\d+/);
  });

  test('TTL and PTTL count down; PERSIST, SET and SET KEEPTTL change the TTL', async () => {
    const r = s.client();
    await r.select(3);
    await r.set('t', 'v', 'EX', 100);
    expect(await r.ttl('t')).toBe(100);
    const pttl = await r.pttl('t');
    expect(pttl).toBeGreaterThan(99000);
    expect(pttl).toBeLessThanOrEqual(100000);
    await r.set('t', 'w', 'KEEPTTL');
    expect(await r.ttl('t')).toBeGreaterThan(98);
    expect(await r.persist('t')).toBe(1);
    expect(await r.ttl('t')).toBe(-1);
    expect(await r.persist('t')).toBe(0);
    await r.expire('t', 50);
    await r.set('t', 'x');
    expect(await r.ttl('t')).toBe(-1);
    expect(await r.ttl('missing')).toBe(-2);
    expect(await r.pttl('missing')).toBe(-2);
  });

  test('a key expiring in 200 ms is gone after 300 ms, GETEX and SETEX included', async () => {
    const r = s.client();
    await r.select(4);
    await r.set('g', 'v');
    expect(await r.getex('g', 'PX', 200)).toBe('v');
    await r.setex('sx', 1, 'v');
    await r.psetex('psx', 200, 'v');
    await r.set('px', 'v', 'PXAT', Date.now() + 200);
    await sleep(300);
    expect(await r.get('g')).toBeNull();
    expect(await r.get('psx')).toBeNull();
    expect(await r.get('px')).toBeNull();
    expect(await r.get('sx')).toBe('v');
    await sleep(800);
    expect(await r.get('sx')).toBeNull();
  });

  test('EXPIRE with a time in the past deletes the key at once', async () => {
    const r = s.client();
    await r.select(5);
    await r.set('past', 'v');
    expect(await r.expire('past', -1)).toBe(1);
    expect(await r.exists('past')).toBe(0);
    await r.set('past2', 'v');
    expect(await r.pexpireat('past2', 1)).toBe(1);
    expect(await r.exists('past2')).toBe(0);
  });
});
