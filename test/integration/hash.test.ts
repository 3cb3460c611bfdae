/**
 * Hash commands side by side with Redis 7.0: every command, its error texts,
 * 64-bit and float edge cases, listpack → hashtable conversion, RESP3 shapes
 * and keyspace notifications, compared as exact reply bytes. Random and
 * unordered replies (HRANDFIELD sampling, big hashes, HSCAN over a
 * hashtable) are checked for their guarantees through ioredis.
 */
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

type Cmd = string[];

const LONG_MIN = '-9223372036854775808';
const LONG_MAX = '9223372036854775807';
const LONG_65 = 'x'.repeat(65);

const resp2Cases: Cmd[] = [
  ['SET', 's', 'str'],
  // HSET / HMSET / HGET / HMGET
  ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
  ['HSET', 'h', 'f1', 'v1b', 'f3', 'v3'],
  ['HSET', 'h', 'f1'],
  ['HSET', 'h', 'f1', 'v', 'f2'],
  ['HSET', 'h'],
  ['HSET', 's', 'f', 'v'],
  ['HMSET', 'h', 'f4', 'v4', 'f5', 'v5'],
  ['HMSET', 'h', 'f4', 'v4', 'f5'],
  ['HMSET', 's', 'f', 'v'],
  ['HGET', 'h', 'f1'],
  ['HGET', 'h', 'nof'],
  ['HGET', 'nokey', 'f'],
  ['HGET', 's', 'f'],
  ['HMGET', 'h', 'f1', 'nof', 'f3'],
  ['HMGET', 'nokey', 'a', 'b'],
  ['HMGET', 's', 'a'],
  ['HMGET', 'h'],
  ['HLEN', 'h'],
  ['HLEN', 'nokey'],
  ['HLEN', 's'],
  ['HSTRLEN', 'h', 'f1'],
  ['HSTRLEN', 'h', 'nof'],
  ['HSTRLEN', 'nokey', 'f'],
  ['HSTRLEN', 's', 'f'],
  ['HEXISTS', 'h', 'f1'],
  ['HEXISTS', 'h', 'nof'],
  ['HEXISTS', 'nokey', 'f'],
  ['HEXISTS', 's', 'f'],
  ['HKEYS', 'h'],
  ['HVALS', 'h'],
  ['HGETALL', 'h'],
  ['HKEYS', 'nokey'],
  ['HVALS', 'nokey'],
  ['HGETALL', 'nokey'],
  ['HGETALL', 's'],
  ['HKEYS', 's'],
  ['TYPE', 'h'],
  ['OBJECT', 'ENCODING', 'h'],
  // HSETNX
  ['HSETNX', 'h', 'f1', 'x'],
  ['HSETNX', 'h', 'f9', 'x'],
  ['HSETNX', 'fresh', 'f', 'v'],
  ['HGETALL', 'fresh'],
  ['HSETNX', 's', 'f', 'v'],
  // HDEL: order after deletes in the middle, emptied key removed
  ['HDEL', 'h', 'f2', 'nof'],
  ['HDEL', 'h', 'f2'],
  ['HDEL', 'nokey', 'f'],
  ['HDEL', 's', 'f'],
  ['HGETALL', 'h'],
  ['HSET', 'h', 'f2', 'again'],
  ['HKEYS', 'h'],
  ['HDEL', 'h', 'f1', 'f3', 'f4', 'f5', 'f9', 'f2', 'extra'],
  ['EXISTS', 'h'],
  // HINCRBY
  ['HINCRBY', 'n', 'a', '5'],
  ['HINCRBY', 'n', 'a', '-10'],
  ['HINCRBY', 'n', 'a', 'x'],
  ['HINCRBY', 'n', 'a', '1.5'],
  ['HINCRBY', 'n', 'a', '9223372036854775808'],
  ['HINCRBY', 'nokey', 'a', 'x'],
  ['EXISTS', 'nokey'],
  ['HSET', 'n', 'str', 'abc', 'sp', ' 1', 'big', '9223372036854775806', 'neg', LONG_MIN],
  ['HINCRBY', 'n', 'str', '1'],
  ['HINCRBY', 'n', 'sp', '1'],
  ['HINCRBY', 'n', 'big', '1'],
  ['HINCRBY', 'n', 'big', '1'],
  ['HINCRBY', 'n', 'big', LONG_MIN],
  ['HINCRBY', 'n', 'neg', '-1'],
  ['HINCRBY', 'n', 'neg', LONG_MAX],
  ['HINCRBY', 'n', 'fresh', LONG_MIN],
  ['HINCRBY', 's', 'a', '1'],
  // HINCRBYFLOAT
  ['HINCRBYFLOAT', 'n', 'fl', '10.5'],
  // Sums a double represents exactly; see the report on long double rounding.
  ['HINCRBYFLOAT', 'n', 'fl', '0.25'],
  ['HINCRBYFLOAT', 'n', 'fl', '-5'],
  ['HINCRBYFLOAT', 'n', 'fl', '1e3'],
  ['HINCRBYFLOAT', 'n', 'fl', '-1005.75'],
  ['HINCRBYFLOAT', 'n', 'fl', 'inf'],
  ['HINCRBYFLOAT', 'n', 'fl', '-inf'],
  ['HINCRBYFLOAT', 'n', 'fl', 'nan'],
  ['HINCRBYFLOAT', 'n', 'fl', 'abc'],
  ['HINCRBYFLOAT', 'n', 'str', '1'],
  ['HINCRBYFLOAT', 'n', 'a', '2.5'],
  ['HINCRBYFLOAT', 'n', 'e', '5.0e3'],
  ['HINCRBYFLOAT', 'n', 'e', '-5000'],
  ['HINCRBYFLOAT', 's', 'a', '1'],
  ['HINCRBYFLOAT', 'nokey', 'a', 'inf'],
  ['EXISTS', 'nokey'],
  ['HGETALL', 'n'],
  // encodings: value and field length limits, entry count, one-way conversion
  ['OBJECT', 'ENCODING', 'n'],
  ['HSET', 'enc1', 'f', 'x'.repeat(64)],
  ['OBJECT', 'ENCODING', 'enc1'],
  ['HSET', 'enc1', 'g', LONG_65],
  ['OBJECT', 'ENCODING', 'enc1'],
  ['HSET', 'enc2', LONG_65, 'v'],
  ['OBJECT', 'ENCODING', 'enc2'],
  ['HSETNX', 'enc3', 'f', LONG_65],
  ['OBJECT', 'ENCODING', 'enc3'],
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
  ['HSET', 'enc4', 'a', '1', 'b', '2'],
  ['OBJECT', 'ENCODING', 'enc4'],
  ['HSET', 'enc4', 'c', '3'],
  ['OBJECT', 'ENCODING', 'enc4'],
  ['HDEL', 'enc4', 'c', 'b'],
  ['OBJECT', 'ENCODING', 'enc4'],
  ['HSET', 'n', 'one-more', 'x'],
  ['OBJECT', 'ENCODING', 'n'],
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '3'],
  ['HINCRBYFLOAT', 'enc5', 'f', '1.5'],
  ['OBJECT', 'ENCODING', 'enc5'],
  ['HINCRBYFLOAT', 'enc5', 'f', '0.25'],
  ['OBJECT', 'ENCODING', 'enc5'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
  // HRANDFIELD: argument errors and the deterministic cases
  ['HRANDFIELD', 'nokey'],
  ['HRANDFIELD', 'nokey', '5'],
  ['HRANDFIELD', 'nokey', '0'],
  ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
  ['HRANDFIELD', 's'],
  ['HRANDFIELD', 's', '1'],
  ['HRANDFIELD', 's', '0'],
  ['HSET', 'r', 'a', '1', 'b', '2', 'c', '3'],
  ['HRANDFIELD', 'r', 'x'],
  ['HRANDFIELD', 'r', '1', 'x'],
  ['HRANDFIELD', 'r', 'x', 'y'],
  ['HRANDFIELD', 'r', '1', 'WITHVALUES', 'extra'],
  ['HRANDFIELD', 'r', LONG_MIN],
  ['HRANDFIELD', 'r', LONG_MIN, 'WITHVALUES'],
  ['HRANDFIELD', 'r', LONG_MAX, 'WITHVALUES'],
  ['HRANDFIELD', 'r', '-4611686018427387904', 'WITHVALUES'],
  ['HRANDFIELD', 'r', '4611686018427387904', 'WITHVALUES'],
  ['HRANDFIELD', 'r', '4611686018427387903', 'WITHVALUES'],
  ['HRANDFIELD', 'r', LONG_MAX],
  ['HRANDFIELD', 'r', '0'],
  ['HRANDFIELD', 'r', '0', 'withvalues'],
  ['HRANDFIELD', 'r', '3'],
  ['HRANDFIELD', 'r', '10', 'WITHVALUES'],
  ['HSET', 'one', 'only', '1'],
  ['HRANDFIELD', 'one'],
  ['HRANDFIELD', 'one', '1'],
  ['HRANDFIELD', 'one', '-3'],
  ['HRANDFIELD', 'one', '-3', 'WITHVALUES'],
  ['HRANDFIELD', 'one', '1', 'WITHVALUES'],
  // HSCAN: a listpack comes back whole with cursor 0
  ['HSET', 'sc', 'f1', 'a', 'g1', 'b', 'f2', 'c'],
  ['HSCAN', 'sc', '0'],
  ['HSCAN', 'sc', '0', 'MATCH', 'f*'],
  ['HSCAN', 'sc', '0', 'COUNT', '1'],
  ['HSCAN', 'sc', '123'],
  ['HSCAN', 'sc', '0', 'MATCH', 'zz*', 'COUNT', '100'],
  ['HSCAN', 'sc', 'x'],
  ['HSCAN', 'sc', '0', 'COUNT', '0'],
  ['HSCAN', 'sc', '0', 'COUNT', 'x'],
  ['HSCAN', 'sc', '0', 'TYPE', 'string'],
  ['HSCAN', 'sc', '0', 'MATCH'],
  ['HSCAN', 'nokey', '0', 'BADOPT'],
  ['HSCAN', 'nokey', 'x'],
  ['HSCAN', 's', '0'],
  ['HSCAN', 's', 'x'],
  ['HSCAN', 'sc'],
  // binary-safe fields and values
  ['HSET', 'bin', '\x00\xff', 'a\r\nb', '', 'empty-field', 'empty-value', ''],
  ['HGETALL', 'bin'],
  ['HGET', 'bin', '\x00\xff'],
  ['HSTRLEN', 'bin', '\x00\xff'],
  ['HDEL', 'bin', ''],
  ['HKEYS', 'bin'],
];

const resp3Cases: Cmd[] = [
  ['HSET', 'h3', 'a', '1', 'b', '2'],
  ['HGETALL', 'h3'],
  ['HGETALL', 'nokey'],
  ['HKEYS', 'nokey'],
  ['HVALS', 'h3'],
  ['HGET', 'nokey', 'f'],
  ['HGET', 'h3', 'nof'],
  ['HMGET', 'nokey', 'a', 'b'],
  ['HRANDFIELD', 'nokey'],
  ['HRANDFIELD', 'nokey', '2', 'WITHVALUES'],
  ['HRANDFIELD', 'one', '1', 'WITHVALUES'],
  ['HRANDFIELD', 'one', '-2', 'WITHVALUES'],
  ['HRANDFIELD', 'h3', '10', 'WITHVALUES'],
  ['HRANDFIELD', 'h3', '10'],
  ['HINCRBYFLOAT', 'h3', 'a', '1.5'],
  ['HINCRBY', 'h3', 'b', '3'],
  ['HSCAN', 'h3', '0'],
  ['HSCAN', 'nokey', '0'],
];

describeWithRedis('hashes, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  async function same(args: string[]): Promise<void> {
    const [mine, theirs] = await Promise.all([a.command(...args), b.command(...args)]);
    expect({ args, reply: mine }).toEqual({ args, reply: theirs });
  }

  test.each(resp2Cases.map((c) => [JSON.stringify(c).slice(0, 120), c]))('RESP2 %s', async (_name, args) => {
    await same(args as string[]);
  });

  test('RESP3 shapes', async () => {
    await Promise.all([a.command('HELLO', '3'), b.command('HELLO', '3')]);
    for (const args of resp3Cases) await same(args);
    await Promise.all([a.command('HELLO', '2'), b.command('HELLO', '2')]);
  });

  test('a hash past the listpack limits holds the same data', async () => {
    const mine = servers.ours().client();
    const theirs = new Redis({ port: servers.ref().port, host: '127.0.0.1' });
    try {
      for (const r of [mine, theirs]) {
        const p = r.pipeline();
        for (let i = 0; i < 1000; i++) p.hset('bigh', `field:${i}`, `value:${i % 13}`);
        for (let i = 0; i < 1000; i += 3) p.hdel('bigh', `field:${i}`);
        for (let i = 0; i < 1000; i += 7) p.hincrby('bigh', `counter:${i % 50}`, i);
        for (let i = 0; i < 400; i++) p.hset('midh', `m${(i * 37) % 400}`, String(i));
        for (let i = 0; i < 400; i += 5) p.hdel('midh', `m${i}`);
        await p.exec();
      }
      // Under the 512-entry default a hash is still a listpack: same order, byte for byte.
      await same(['OBJECT', 'ENCODING', 'midh']);
      await same(['HGETALL', 'midh']);
      await same(['HSCAN', 'midh', '0', 'MATCH', 'm1*']);
      await same(['OBJECT', 'ENCODING', 'bigh']);
      await same(['HLEN', 'bigh']);
      await same(['HGET', 'bigh', 'field:500']);
      await same(['HMGET', 'bigh', 'field:3', 'field:4', 'counter:7']);
      expect(await mine.hgetall('bigh')).toEqual(await theirs.hgetall('bigh'));
      expect((await mine.hkeys('bigh')).sort()).toEqual((await theirs.hkeys('bigh')).sort());
    } finally {
      theirs.disconnect();
    }
  });

  test('keyspace notifications match Redis event for event', async () => {
    const [subA, subB] = await Promise.all([ReplyReader.open(servers.ours().port), ReplyReader.open(servers.ref().port)]);
    try {
      await same(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']);
      for (const s of [subA, subB]) {
        await s.command('PSUBSCRIBE', '__key*__:*');
        await s.command('SUBSCRIBE', 'end-of-events');
      }
      const steps: Cmd[] = [
        ['HSET', 'ev', 'a', '1', 'b', '2'],
        ['HSET', 'ev', 'a', '1'],
        ['HMSET', 'ev', 'c', '3'],
        ['HSETNX', 'ev', 'a', 'x'],
        ['HSETNX', 'ev', 'd', 'x'],
        ['HINCRBY', 'ev', 'a', '2'],
        ['HINCRBYFLOAT', 'ev', 'b', '0.5'],
        ['HINCRBY', 'ev', 'd', '1'],
        ['HDEL', 'ev', 'nope'],
        ['HDEL', 'ev', 'a', 'b'],
        ['HDEL', 'ev', 'c', 'd'],
        ['HINCRBY', 'ev2', 'n', '1'],
        ['HGET', 'ev2', 'n'],
        ['PUBLISH', 'end-of-events', 'done'],
      ];
      for (const s of steps) await same(s);
      const collect = async (s: ReplyReader): Promise<string[]> => {
        const events: string[] = [];
        for (;;) {
          const m = await s.next();
          if (m.includes('end-of-events')) return events;
          events.push(m);
        }
      };
      const [mine, theirs] = await Promise.all([collect(subA), collect(subB)]);
      expect(mine.length).toBeGreaterThan(15);
      expect(mine).toEqual(theirs);
    } finally {
      subA.close();
      subB.close();
      await same(['CONFIG', 'SET', 'notify-keyspace-events', '']);
    }
  });
});

describe('hashes: random and incremental replies', () => {
  let server: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    server = await startServer();
    r = server.client();
    const p = r.pipeline();
    for (let i = 0; i < 50; i++) p.hset('small', `f${i}`, `v${i}`);
    for (let i = 0; i < 2000; i++) p.hset('large', `f${i}`, `v${i}`);
    await p.exec();
  });
  afterAll(async () => {
    await closeClients();
    await server.stop();
  });

  test('a positive count gives distinct existing fields', async () => {
    for (const key of ['small', 'large']) {
      for (const count of [2, 20, 40, 49, 700, 1500]) {
        const size = key === 'small' ? 50 : 2000;
        const fields = (await r.hrandfield(key, count)) as string[];
        expect(fields.length).toBe(Math.min(count, size));
        expect(new Set(fields).size).toBe(fields.length);
        for (const f of fields) expect(f).toMatch(/^f\d+$/);
      }
    }
  });

  test('a small hash samples in insertion order, as a listpack does', async () => {
    const fields = (await r.hrandfield('small', 10)) as string[];
    const order = fields.map((f) => Number(f.slice(1)));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  test('a negative count gives exactly that many, values matching fields', async () => {
    // ioredis speaks RESP3: each pair comes nested.
    const pairs = (await r.call('HRANDFIELD', 'large', '-300', 'WITHVALUES')) as [string, string][];
    expect(pairs.length).toBe(300);
    for (const [f, v] of pairs) expect(v).toBe('v' + f.slice(1));
    const many = (await r.hrandfield('small', -500)) as string[];
    expect(many.length).toBe(500);
    expect(new Set(many).size).toBeLessThan(51);
  });

  test('HRANDFIELD without count returns a field of the hash, and reaches all of them', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) seen.add((await r.hrandfield('small')) as string);
    expect(seen.size).toBeGreaterThan(40);
  });

  test('HSCAN over a hashtable visits every field once, even while it changes', async () => {
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, flat] = await r.hscan('large', cursor, 'COUNT', '100');
      for (let i = 0; i < flat.length; i += 2) {
        expect(seen.has(flat[i])).toBe(false);
        seen.set(flat[i], flat[i + 1]);
      }
      if (calls === 3) await r.hset('large', 'added-during-scan', 'x');
      if (calls === 4) await r.hdel('large', 'f1999');
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(15);
    for (let i = 0; i < 1999; i++) expect(seen.get(`f${i}`)).toBe(`v${i}`);
    const [, matched] = await r.hscan('large', '0', 'MATCH', 'f19*', 'COUNT', '5000');
    const expected = Array.from({ length: 1999 }, (_, i) => `f${i}`).filter((f) => f.startsWith('f19'));
    expect(matched.filter((_, i) => i % 2 === 0).sort()).toEqual(expected.sort());
  });
});
