/**
 * Set commands against the real server process: reply bytes side by side
 * with Redis 7.0 (RESP2 and RESP3), keyspace notifications compared with
 * Redis's, and the random commands (SPOP, SRANDMEMBER) and SSCAN checked
 * for their guarantees since their order cannot match byte for byte.
 */
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis } from '../helpers/reference';
import { keyspaceEvents, replyMismatches, ReplyReader, sideBySide } from '../helpers/compare';

/** A case whose reply is a flat array/set of bulks in hash order: compared as a sorted list. */
interface Unordered {
  unordered: string[];
}
type Case = string[] | Unordered;

/** Header line plus the sorted element lines of a flat aggregate of bulk strings. */
function sortedElements(reply: string): string {
  const nl = reply.indexOf('\r\n');
  const head = reply.slice(0, nl + 2);
  if (!'*~'.includes(reply[0])) return reply;
  const items: string[] = [];
  let p = nl + 2;
  while (p < reply.length) {
    const lineEnd = reply.indexOf('\r\n', p);
    const len = Number(reply.slice(p + 1, lineEnd));
    const end = lineEnd + 2 + len + 2;
    items.push(reply.slice(p, end));
    p = end;
  }
  return head + items.sort().join('');
}

const ints = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));

const CASES: Case[] = [
  ['SADD', 's1', '3', '1', '2', '-5', '10', '9223372036854775807', '-9223372036854775808'],
  ['SADD', 's1', '1', '2'],
  ['SMEMBERS', 's1'],
  ['OBJECT', 'ENCODING', 's1'],
  ['SCARD', 's1'],
  ['SCARD', 'nokey'],
  ['SISMEMBER', 's1', '10'],
  ['SISMEMBER', 's1', '010'],
  ['SISMEMBER', 's1', 'x'],
  ['SISMEMBER', 'nokey', 'x'],
  ['SMISMEMBER', 's1', '1', 'x', '10'],
  ['SMISMEMBER', 'nokey', 'a', 'b'],
  ['SADD', 's2', '2', '3', '4', '5', '10'],
  ['SINTER', 's1', 's2'],
  ['SINTER', 's2', 's1'],
  ['SINTER', 's1', 's1'],
  ['SINTER', 's1', 'nokey'],
  ['SINTERCARD', '2', 's1', 's2'],
  ['SINTERCARD', '2', 's1', 's2', 'LIMIT', '1'],
  ['SINTERCARD', '2', 's1', 's2', 'LIMIT', '0'],
  ['SINTERCARD', '2', 's1', 'nokey'],
  ['SINTERCARD', '0', 's1'],
  ['SINTERCARD', 'x', 's1'],
  ['SINTERCARD', '3', 's1', 's2'],
  ['SINTERCARD', '1', 's1', 'LIMIT', '-1'],
  ['SINTERCARD', '1', 's1', 'LIMIT', 'x'],
  ['SINTERCARD', '1', 's1', 'LIMIT'],
  ['SINTERCARD', '1', 's1', 'FOO', '1'],
  ['SUNION', 's1', 's2', 'nokey'],
  ['SUNION', 'nokey'],
  ['SDIFF', 's1', 's2'],
  ['SDIFF', 's2', 's1'],
  ['SDIFF', 's2', 's1', 'nokey', 's1'],
  ['SDIFF', 'nokey', 's1'],
  ['SDIFF', 's1', 's1'],
  ['SINTERSTORE', 'd', 's1', 's2'],
  ['SMEMBERS', 'd'],
  ['OBJECT', 'ENCODING', 'd'],
  ['SUNIONSTORE', 'd', 's1', 's2'],
  ['SMEMBERS', 'd'],
  ['SDIFFSTORE', 'd', 's1', 's2'],
  ['SMEMBERS', 'd'],
  ['SINTERSTORE', 'd', 's1', 'nokey'],
  ['EXISTS', 'd'],
  ['SUNIONSTORE', 'd', 'nokey'],
  ['SDIFFSTORE', 'd', 's2', 's2'],
  ['EXISTS', 'd'],
  ['SADD', 'd', '1'],
  ['EXPIRE', 'd', '100'],
  ['SUNIONSTORE', 'd', 's1'],
  ['TTL', 'd'],
  ['SINTERSTORE', 's2', 's2', 's1'],
  ['SMEMBERS', 's2'],
  ['SREM', 's2', '2', '3', '99'],
  ['SREM', 's2', '10', '10'],
  ['EXISTS', 's2'],
  ['SREM', 'nokey', 'a'],
  ['SMOVE', 's1', 's3', '1'],
  ['SMOVE', 's1', 's3', '1'],
  ['SMOVE', 'nokey', 's3', '1'],
  ['SMOVE', 's1', 's1', '10'],
  ['SMOVE', 's1', 's1', '11'],
  ['SMOVE', 's1', 's3', 'notint'],
  ['SMEMBERS', 's3'],
  ['OBJECT', 'ENCODING', 's3'],
  ['SADD', 'single', 'only'],
  ['SMOVE', 'single', 's3', 'only'],
  ['EXISTS', 'single'],
  ['SET', 'str', 'x'],
  ['SADD', 'str', 'a'],
  ['SREM', 'str', 'a'],
  ['SMOVE', 's1', 'str', '10'],
  ['SMOVE', 'str', 's1', '10'],
  ['SMOVE', 'nokey', 'str', '10'],
  ['SMEMBERS', 'str'],
  ['SISMEMBER', 'str', 'a'],
  ['SMISMEMBER', 'str', 'a'],
  ['SCARD', 'str'],
  ['SINTER', 'str'],
  ['SINTER', 'nokey', 'str'],
  ['SINTER', 'str', 'nokey'],
  ['SUNION', 'nokey', 'str'],
  ['SDIFF', 'nokey', 'str'],
  ['SINTERSTORE', 'd', 's1', 'str'],
  ['SINTERCARD', '2', 'nokey', 'str'],
  ['SPOP', 'str'],
  ['SPOP', 'str', '1'],
  ['SRANDMEMBER', 'str', '1'],
  ['SSCAN', 'str', '0'],
  ['SUNIONSTORE', 'str', 's3'],
  ['TYPE', 'str'],
  ['SPOP', 's1', '-1'],
  ['SPOP', 's1', 'x'],
  ['SPOP', 's1', '1', '2'],
  ['SPOP', 'nokey'],
  ['SPOP', 'nokey', '3'],
  ['SPOP', 's1', '0'],
  ['SRANDMEMBER', 'nokey'],
  ['SRANDMEMBER', 'nokey', '3'],
  ['SRANDMEMBER', 'nokey', '-3'],
  ['SRANDMEMBER', 's1', '0'],
  ['SRANDMEMBER', 's1', '100'],
  ['SRANDMEMBER', 's1', '-9223372036854775808'],
  ['SRANDMEMBER', 's1', '9223372036854775808'],
  ['SRANDMEMBER', 's1', '1', '2'],
  ['SRANDMEMBER', 's1', 'x'],
  ['SADD', 'one', '7'],
  ['SRANDMEMBER', 'one'],
  ['SRANDMEMBER', 'one', '-3'],
  ['SPOP', 'one', '5'],
  ['EXISTS', 'one'],
  ['SADD', 'two', '8', '7'],
  ['SPOP', 'two', '2'],
  ['EXISTS', 'two'],
  ['SADD', 'one', '7'],
  ['SPOP', 'one'],
  ['EXISTS', 'one'],
  // Hash order differs from Redis's: compare as sorted lists.
  { unordered: ['SADD', 'h', 'a', 'b', 'c', '1'] },
  { unordered: ['SMEMBERS', 'h'] },
  ['OBJECT', 'ENCODING', 'h'],
  { unordered: ['SUNION', 'h', 's1'] },
  { unordered: ['SINTER', 'h', 's3'] },
  { unordered: ['SDIFF', 'h', 's3'] },
  ['SREM', 'h', 'a', 'b', 'c'],
  ['OBJECT', 'ENCODING', 'h'],
  ['SADD', 'h', '5', '-2'],
  // A hashtable of few integers: SUNION builds an intset, so sorted like Redis.
  ['SUNION', 'h'],
  ['SPOP', 'h', '10'],
  ['SSCAN', 's1', '0'],
  ['SSCAN', 's1', '0', 'MATCH', '1*'],
  ['SSCAN', 's1', '0', 'MATCH', '*', 'COUNT', '1'],
  ['SSCAN', 's1', '0', 'COUNT', '0'],
  ['SSCAN', 's1', '0', 'COUNT'],
  ['SSCAN', 's1', '0', 'TYPE', 'set'],
  ['SSCAN', 's1', 'x'],
  ['SSCAN', 'nokey', '0'],
  ['SSCAN', 'nokey', '0', 'FOO'],
  // Binary-safe members.
  ['SADD', 'bin', '\u0000\u00ff', '\r\n', ''],
  ['SISMEMBER', 'bin', ''],
  ['SISMEMBER', 'bin', '\u0000\u00ff'],
  { unordered: ['SMEMBERS', 'bin'] },
  // Encodings: intset up to set-max-intset-entries, then hashtable for good.
  ['SADD', 'big', ...ints(0, 512)],
  ['OBJECT', 'ENCODING', 'big'],
  ['SMEMBERS', 'big'],
  ['SADD', 'big', '512'],
  ['OBJECT', 'ENCODING', 'big'],
  ['SREM', 'big', ...ints(10, 500)],
  ['OBJECT', 'ENCODING', 'big'],
  ['SINTERSTORE', 'small', 'big', 'big'],
  ['OBJECT', 'ENCODING', 'small'],
  ['SMEMBERS', 'small'],
  ['SADD', 'neg', '-1', '-10', '-2', '-100', '0', '100', '+1', '01', '-0'],
  { unordered: ['SMEMBERS', 'neg'] },
  ['OBJECT', 'ENCODING', 'neg'],
  ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
  ['SADD', 'tiny', '1', '2', '3'],
  ['OBJECT', 'ENCODING', 'tiny'],
  ['SADD', 'tiny', '4'],
  ['OBJECT', 'ENCODING', 'tiny'],
  ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
  // Arity.
  ['SADD', 's1'],
  ['SREM', 's1'],
  ['SMOVE', 's1', 's2'],
  ['SCARD'],
  ['SMEMBERS', 's1', 's2'],
  ['SINTERSTORE', 'd'],
  ['SSCAN', 's1'],
];

describeWithRedis('sets, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const runCases = (): Promise<string[]> =>
    replyMismatches(a, b, CASES, (k) => (Array.isArray(k) ? k : k.unordered), (k, reply) => (Array.isArray(k) ? reply : sortedElements(reply)));

  test('RESP2 replies are identical', async () => {
    expect(await runCases()).toEqual([]);
  });

  test('RESP3 replies are identical', async () => {
    await Promise.all([a.command('FLUSHALL'), b.command('FLUSHALL')]);
    await Promise.all([a.command('HELLO', '3'), b.command('HELLO', '3')]);
    expect(await runCases()).toEqual([]);
    await Promise.all([a.command('HELLO', '2'), b.command('HELLO', '2')]);
  });

  test('keyspace notifications match Redis', async () => {
    const script = async (r: Redis): Promise<void> => {
      await r.sadd('a', '1', '2', '3');
      await r.sadd('a', '1');
      await r.srem('a', '1', '9');
      await r.srem('a', '9');
      await r.smove('a', 'b', '2');
      await r.smove('a', 'b', '3');
      await r.sadd('c', 'x', 'y');
      await r.sinterstore('d', 'b', 'c');
      await r.sunionstore('d', 'b', 'c');
      await r.sdiffstore('d', 'b', 'c');
      await r.sdiffstore('d', 'b', 'b');
      await r.spop('c');
      await r.spop('c', 5);
      await r.sadd('e', '1', '2', '3');
      await r.spop('e', 1);
      await r.sadd('f', '1');
      await r.spop('f');
    };
    const [mine, theirs] = await Promise.all([keyspaceEvents(servers.ourPort(), script), keyspaceEvents(servers.refPort(), script)]);
    expect(theirs.length).toBeGreaterThan(20);
    expect(mine).toEqual(theirs);
  });
});

describe('sets: random members and scanning', () => {
  let s: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    s = await startServer();
    r = s.client();
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  async function fill(key: string, members: string[]): Promise<void> {
    await r.del(key);
    for (let i = 0; i < members.length; i += 1000) await r.sadd(key, ...members.slice(i, i + 1000));
  }

  const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i}`);

  test.each([
    ['a few of many (one by one)', 1000, 10],
    ['most of the set (keep a random remainder)', 1000, 990],
    ['most of a small intset', 20, 19],
  ])('SPOP count: %s', async (_name, size, count) => {
    const all = size === 20 ? ints(0, 20) : words(size);
    await fill('p', all);
    const popped = (await r.spop('p', count)) as string[];
    expect(popped).toHaveLength(count);
    expect(new Set(popped).size).toBe(count);
    const left = await r.smembers('p');
    expect(left).toHaveLength(size - count);
    expect(new Set([...popped, ...left])).toEqual(new Set(all));
  });

  test('SPOP of the whole set deletes the key', async () => {
    await fill('p', words(50));
    expect((await r.spop('p', 50)) as string[]).toHaveLength(50);
    expect(await r.exists('p')).toBe(0);
  });

  test.each([
    ['small sample', 10],
    ['most of the set', 900],
    ['all of it', 1000],
    ['more than all', 5000],
  ])('SRANDMEMBER positive count, %s: distinct members of the set', async (_name, count) => {
    const all = words(1000);
    await fill('r', all);
    const got = (await r.srandmember('r', count)) as string[];
    expect(got).toHaveLength(Math.min(count, 1000));
    expect(new Set(got).size).toBe(got.length);
    for (const m of got) expect(all).toContain(m);
    expect(await r.scard('r')).toBe(1000);
  });

  test('SRANDMEMBER negative count may repeat and returns exactly |count|', async () => {
    await fill('r', ['x', 'y']);
    const got = (await r.srandmember('r', -50)) as string[];
    expect(got).toHaveLength(50);
    expect(new Set(got)).toEqual(new Set(['x', 'y']));
  });

  test('SPOP and SRANDMEMBER reach every member (not stuck on one slot)', async () => {
    await fill('u', words(5));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add((await r.srandmember('u')) as string);
    expect(seen.size).toBe(5);
  });

  test('SSCAN walks a hashtable set in steps and returns every member despite concurrent changes', async () => {
    const all = words(3000);
    await fill('sc', all);
    const seen = new Set<string>();
    let cursor = '0';
    let steps = 0;
    do {
      const [next, items] = await r.sscan('sc', cursor, 'COUNT', 100);
      for (const m of items) seen.add(m);
      cursor = next;
      steps++;
      if (steps === 5) {
        // Members present for the whole scan must still be returned.
        await r.srem('sc', 'm0', 'm1', 'm2');
        await r.sadd('sc', 'late1', 'late2');
      }
    } while (cursor !== '0');
    expect(steps).toBeGreaterThan(10);
    for (const m of all.slice(3)) expect(seen.has(m)).toBe(true);
  });

  test('SSCAN MATCH filters members', async () => {
    await fill('sm', ['apple', 'banana', 'avocado', 'cherry']);
    const [cursor, items] = await r.sscan('sm', '0', 'MATCH', 'a*', 'COUNT', 1000);
    expect(cursor).toBe('0');
    expect(items.sort()).toEqual(['apple', 'avocado']);
  });

  test('binary members round-trip', async () => {
    const m = Buffer.from([0, 255, 128, 13, 10]);
    await r.sadd(Buffer.from('bin'), m);
    expect(await r.sismember(Buffer.from('bin'), m)).toBe(1);
    expect(await r.smembersBuffer(Buffer.from('bin'))).toEqual([m]);
  });
});
