/**
 * Keyspace commands: SELECT SWAPDB MOVE COPY FLUSHDB FLUSHALL DBSIZE
 * RANDOMKEY KEYS SCAN DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX OBJECT,
 * compared with Redis 7.0 where the reply is deterministic, plus SCAN's
 * guarantee under concurrent writes.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

describeWithRedis('keyspace commands, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const both = async (...args: string[]): Promise<[string, string]> => Promise.all([a.command(...args), b.command(...args)]);

  const cases: string[][] = [
    ['FLUSHALL'],
    ['SET', 'foo', 'bar'],
    ['SELECT', '1'],
    ['SET', 'foo', 'one'],
    ['SET', 'only1', 'x'],
    ['SELECT', '0'],
    ['SWAPDB', '0', '1'],
    ['GET', 'foo'],
    ['GET', 'only1'],
    ['SWAPDB', '1', '0'],
    ['SWAPDB', '0', '0'],
    ['SWAPDB', '0', '99'],
    ['SWAPDB', '-1', '0'],
    ['SWAPDB', '0'],
    ['SWAPDB', 'a', '1'],
    ['SWAPDB', '0', 'b'],
    ['SWAPDB', '99999999999999999999', '0'],
    ['SWAPDB', '0', '99999999999'],
    ['SWAPDB', '0', '9223372036854775807'],
    ['MOVE', 'foo', '99999999999'],
    ['MOVE', 'foo', '9223372036854775807'],
    ['COPY', 'foo', 'f2', 'DB', '9223372036854775807'],
    ['SCAN', '0', 'COUNT', '9223372036854775807', 'MATCH', 'nothing-matches'],
    ['MOVE', 'foo', '0'],
    ['MOVE', 'foo', '1'],
    ['MOVE', 'nokey', '1'],
    ['MOVE', 'foo', 'x'],
    ['MOVE', 'foo', '99'],
    ['SET', 'm', 'v', 'EX', '1000'],
    ['MOVE', 'm', '2'],
    ['SELECT', '2'],
    ['TTL', 'm'],
    ['SELECT', '0'],
    ['COPY', 'foo', 'foo'],
    ['COPY', 'foo', 'f2'],
    ['COPY', 'foo', 'f2'],
    ['COPY', 'foo', 'f2', 'REPLACE'],
    ['COPY', 'foo', 'f3', 'DB', '1'],
    ['COPY', 'foo', 'foo', 'DB', '1', 'REPLACE'],
    ['COPY', 'foo', 'f2', 'DB', 'x'],
    ['COPY', 'foo', 'f2', 'DB'],
    ['COPY', 'foo', 'f2', 'REPLACE', 'DB', '99'],
    ['COPY', 'foo', 'f2', 'BOGUS'],
    ['COPY', 'nokey', 'f9'],
    ['DBSIZE'],
    ['DBSIZE', 'x'],
    ['FLUSHDB', 'ASYNC'],
    ['DBSIZE'],
    ['FLUSHDB', 'SYNC'],
    ['FLUSHDB', 'foo'],
    ['FLUSHDB', 'ASYNC', 'SYNC'],
    ['FLUSHALL', 'ASYNC'],
    ['FLUSHALL', 'bogus'],
    ['RANDOMKEY'],
    ['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6', 'h[llo', '7'],
    ['UNLINK', 'hallo', 'nope', 'hallo'],
    ['DEL', 'hxllo', 'hxllo'],
    ['DEL'],
    ['EXISTS'],
    ['EXISTS', 'hello', 'hello', 'nope'],
    ['TYPE', 'hello'],
    ['TYPE', 'nope'],
    ['TOUCH', 'hello', 'nope', 'hello'],
    ['RENAME', 'hello', 'hello'],
    ['RENAMENX', 'hello', 'hello'],
    ['RENAME', 'nope', 'nope'],
    ['RENAMENX', 'nope', 'a'],
    ['SET', 'ttl', 'v', 'PX', '100000'],
    ['RENAME', 'ttl', 'ttl2'],
    ['PTTL', 'ttl'],
    ['RENAMENX', 'ttl2', 'hello'],
    ['RENAMENX', 'ttl2', 'ttl3'],
    ['OBJECT', 'ENCODING', 'hllo'],
    ['OBJECT', 'ENCODING', 'nope'],
    ['OBJECT', 'ENCODING'],
    ['OBJECT'],
    ['OBJECT', 'foo'],
    ['OBJECT', 'FREQ', 'hllo'],
    ['OBJECT', 'REFCOUNT', 'hllo'],
    ['OBJECT', 'REFCOUNT', 'hello'],
    ['OBJECT', 'REFCOUNT', 'nope'],
    ['SET', 'n10000', '10000'],
    ['OBJECT', 'REFCOUNT', 'n10000'],
    ['SET', 'n0', '0'],
    ['OBJECT', 'REFCOUNT', 'n0'],
    ['CONFIG', 'SET', 'maxmemory', '1gb', 'maxmemory-policy', 'allkeys-lru'],
    ['SET', 'n1', '1'],
    ['OBJECT', 'REFCOUNT', 'n1'],
    ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'],
    ['SET', 'big', '12345678901234567890'],
    ['OBJECT', 'ENCODING', 'big'],
    ['SET', 'maxint', '9223372036854775807'],
    ['OBJECT', 'ENCODING', 'maxint'],
    ['SET', 'neg', '-5'],
    ['OBJECT', 'ENCODING', 'neg'],
    ['SET', 'lead', '05'],
    ['OBJECT', 'ENCODING', 'lead'],
    ['SET', 'e44', 'x'.repeat(44)],
    ['OBJECT', 'ENCODING', 'e44'],
    ['SET', 'e45', 'x'.repeat(45)],
    ['OBJECT', 'ENCODING', 'e45'],
    ['KEYS', 'nomatch*'],
    ['SCAN', '0', 'COUNT', '0'],
    ['SCAN', '0', 'COUNT', '-1'],
    ['SCAN', '0', 'COUNT', 'x'],
    ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE'],
    ['SCAN', 'x'],
    ['SCAN', '18446744073709551616'],
    ['SCAN', '-18446744073709551616'],
    ['SCAN', ' 0'],
    ['SCAN', '0 '],
    ['SCAN', '1.0'],
    ['SCAN', '0', 'FOO', 'bar'],
    ['SCAN', '0', 'TYPE', 'string', 'COUNT', '1000', 'MATCH', 'nomatch'],
    ['SCAN', '0', 'TYPE', 'list', 'COUNT', '1000'],
  ];
  test.each(cases.map((c) => [c.join(' ').slice(0, 80), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await both(...(args as string[]));
    expect(mine).toEqual(theirs);
  });

  /** A multi-bulk of keys, sorted: KEYS and SCAN order is the hash table's. */
  const sortedItems = (reply: string): string[] => reply.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0).sort();

  test.each([['h?llo'], ['h*llo'], ['h[ae]llo'], ['h[^e]llo'], ['h[a-b]llo'], ['h[b-a]llo'], ['h\\*llo'], ['h\\[llo'], ['*'], ['h[llo'], ['h['], ['[']])('KEYS %s matches the same keys', async (pattern) => {
    await both('FLUSHDB');
    await both('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6', 'h[llo', '7', 'hbllo', '8');
    const [mine, theirs] = await both('KEYS', pattern);
    expect(sortedItems(mine)).toEqual(sortedItems(theirs));
  });

  test('reads count keyspace hits and misses as Redis counts them', async () => {
    const stat = (info: string) => /keyspace_hits:\d+\r\nkeyspace_misses:\d+/.exec(info)![0];
    const sequence = [['SET', 'present', '1'], ['CONFIG', 'RESETSTAT'], ['GET', 'present'], ['GET', 'absent'], ['TYPE', 'present'], ['TYPE', 'absent'], ['OBJECT', 'ENCODING', 'present'], ['OBJECT', 'ENCODING', 'absent'], ['EXISTS', 'present', 'absent'], ['TTL', 'absent'], ['MGET', 'present', 'absent'], ['STRLEN', 'absent'], ['SET', 'present', '2', 'GET'], ['APPEND', 'present', 'x'], ['RENAME', 'present', 'p2'], ['SCAN', '0'], ['KEYS', '*']];
    for (const args of sequence) await both(...args);
    const [mine, theirs] = await both('INFO', 'stats');
    expect(stat(mine)).toEqual(stat(theirs));
  });

  test('SCAN accepts the cursors strtoul accepts: +0 starts a scan, -1 and 2^64-1 are cursors', async () => {
    for (const cursor of ['+0', '-0', '-1', '18446744073709551615', '007']) {
      const [mine, theirs] = await both('SCAN', cursor, 'COUNT', '1');
      expect([cursor, mine.startsWith('*2\r\n')]).toEqual([cursor, true]);
      expect([cursor, theirs.startsWith('*2\r\n')]).toEqual([cursor, true]);
    }
  });

  test('SCAN with a large COUNT returns everything in one call, MATCH and TYPE filter', async () => {
    await both('FLUSHDB');
    for (let i = 0; i < 30; i++) await both('SET', `scan:${i}`, String(i));
    const [all, allRef] = await both('SCAN', '0', 'COUNT', '1000');
    expect(all.startsWith('*2\r\n$1\r\n0\r\n')).toBe(true);
    expect(sortedItems(all.slice(all.indexOf('\r\n*') + 2))).toEqual(sortedItems(allRef.slice(allRef.indexOf('\r\n*') + 2)));
    const [m, mRef] = await both('SCAN', '0', 'COUNT', '1000', 'MATCH', 'scan:1*', 'TYPE', 'string');
    expect(sortedItems(m.slice(m.indexOf('\r\n*') + 2))).toEqual(sortedItems(mRef.slice(mRef.indexOf('\r\n*') + 2)));
  });
});

describe('keyspace behaviour', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('SCAN returns every key present for the whole scan at least once while keys are added and removed', async () => {
    const r = s.client();
    await r.select(4);
    const stable = new Set<string>();
    const pipe = r.pipeline();
    for (let i = 0; i < 2000; i++) {
      pipe.set(`stable:${i}`, '1');
      stable.add(`stable:${i}`);
    }
    for (let i = 0; i < 500; i++) pipe.set(`doomed:${i}`, '1');
    await pipe.exec();
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', '37');
      for (const k of keys) seen.add(k);
      cursor = next;
      // Meanwhile other writes: new keys appear, doomed keys go.
      await r.set(`added:${round}`, '1');
      await r.del(`doomed:${round}`);
      round++;
    } while (cursor !== '0');
    for (const k of stable) expect(seen.has(k)).toBe(true);
    expect(round).toBeGreaterThan(2000 / 37);
  });

  test('SCAN MATCH and TYPE filter, COUNT bounds the work per call', async () => {
    const r = s.client();
    await r.select(5);
    for (let i = 0; i < 100; i++) await r.set(`user:${i}`, '1');
    for (let i = 0; i < 100; i++) await r.set(`order:${i}`, '1');
    const found: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'user:*', 'COUNT', '20', 'TYPE', 'string');
      expect(keys.length).toBeLessThanOrEqual(20);
      found.push(...keys);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(new Set(found).size).toBe(100);
    expect(found.every((k) => k.startsWith('user:'))).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(10);
    const [, none] = await r.scan('0', 'COUNT', '1000', 'TYPE', 'hash');
    expect(none).toEqual([]);
  });

  test('RANDOMKEY returns existing keys and eventually many different ones', async () => {
    const r = s.client();
    await r.select(6);
    expect(await r.randomkey()).toBeNull();
    for (let i = 0; i < 50; i++) await r.set(`rk:${i}`, '1');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = await r.randomkey();
      expect(k).toMatch(/^rk:\d+$/);
      seen.add(k!);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  test('FLUSHALL ASYNC empties every db at once; DBSIZE follows', async () => {
    const r = s.client();
    await r.select(7);
    for (let i = 0; i < 1000; i++) await r.set(`f:${i}`, '1');
    await r.select(8);
    await r.set('other', '1');
    expect(await r.flushall('ASYNC')).toBe('OK');
    expect(await r.dbsize()).toBe(0);
    await r.select(7);
    expect(await r.dbsize()).toBe(0);
    expect((await r.info('keyspace')) as string).not.toMatch(/db7:/);
  });

  test('SWAPDB is seen by a client that has the other db selected', async () => {
    const r1 = s.client();
    const r2 = s.client();
    await r1.select(9);
    await r2.select(10);
    await r1.set('sw', 'from9');
    await r2.set('sw', 'from10');
    expect(await r1.swapdb(9, 10)).toBe('OK');
    expect(await r1.get('sw')).toBe('from10');
    expect(await r2.get('sw')).toBe('from9');
  });

  test('COPY to another db keeps the TTL; MOVE keeps the value and TTL', async () => {
    const r = s.client();
    await r.select(11);
    await r.set('c', 'v', 'EX', 500);
    expect(await r.copy('c', 'c2', 'DB', 12)).toBe(1);
    expect(await r.move('c', 13)).toBe(1);
    await r.select(12);
    expect(await r.get('c2')).toBe('v');
    expect(await r.ttl('c2')).toBeGreaterThan(490);
    await r.select(13);
    expect(await r.get('c')).toBe('v');
    expect(await r.ttl('c')).toBeGreaterThan(490);
  });

  test('INFO keyspace lists each non-empty db with keys and expires', async () => {
    const r = s.client();
    await r.select(14);
    await r.flushdb();
    await r.set('k1', '1');
    await r.set('k2', '1', 'EX', 100);
    const info = (await r.info('keyspace')) as string;
    expect(info).toMatch(/^# Keyspace\r\n/);
    expect(info).toMatch(/\r\ndb14:keys=2,expires=1,avg_ttl=\d+\r\n/);
  });
});
