/**
 * List commands side by side with Redis 7.0: every command, its error
 * texts, index and count corner cases, emptied-key deletion, RESP3 shapes,
 * keyspace notifications and a list large enough to catch quadratic paths.
 * Each case sends the same command to both servers and expects the same
 * reply bytes.
 */

import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

type Cmd = string[];

const LONG_MIN = '-9223372036854775808';
const LONG_MAX = '9223372036854775807';

const resp2Cases: Cmd[] = [
  ['SET', 's', 'str'],
  // push, length, range
  ['LPUSH', 'l', 'a', 'b', 'c'],
  ['RPUSH', 'l', 'd', 'e'],
  ['LPUSH', 'l'],
  ['LPUSH', 's', 'x'],
  ['RPUSH', 's', 'x'],
  ['LRANGE', 'l', '0', '-1'],
  ['LRANGE', 'l', '-100', '100'],
  ['LRANGE', 'l', '2', '1'],
  ['LRANGE', 'l', '5', '10'],
  ['LRANGE', 'l', '-2', '-1'],
  ['LRANGE', 'l', '-1', '-2'],
  ['LRANGE', 'l', LONG_MIN, LONG_MAX],
  ['LRANGE', 'l', '0', '9223372036854775808'],
  ['LRANGE', 'l', 'x', '1'],
  ['LRANGE', 'l', '0', 'y'],
  ['LRANGE', 'nokey', '0', '-1'],
  ['LRANGE', 'nokey', 'x', '1'],
  ['LRANGE', 's', '0', '-1'],
  ['LLEN', 'l'],
  ['LLEN', 'nokey'],
  ['LLEN', 's'],
  ['OBJECT', 'ENCODING', 'l'],
  ['TYPE', 'l'],
  // LINDEX / LSET
  ['LINDEX', 'l', '0'],
  ['LINDEX', 'l', '-1'],
  ['LINDEX', 'l', '5'],
  ['LINDEX', 'l', '-6'],
  ['LINDEX', 'l', LONG_MAX],
  ['LINDEX', 'l', LONG_MIN],
  ['LINDEX', 'l', 'x'],
  ['LINDEX', 'nokey', 'x'],
  ['LINDEX', 's', '0'],
  ['LSET', 'l', '0', 'A'],
  ['LSET', 'l', '-1', 'E'],
  ['LSET', 'l', '5', 'x'],
  ['LSET', 'l', '-6', 'x'],
  ['LSET', 'nokey', '0', 'x'],
  ['LSET', 'nokey', 'x', 'y'],
  ['LSET', 's', '0', 'x'],
  ['LSET', 'l', 'x', 'y'],
  ['LRANGE', 'l', '0', '-1'],
  // LINSERT
  ['LINSERT', 'l', 'BEFORE', 'b', 'b0'],
  ['LINSERT', 'l', 'after', 'b', 'b1'],
  ['LINSERT', 'l', 'AFTER', 'E', 'tail'],
  ['LINSERT', 'l', 'before', 'A', 'head'],
  ['LINSERT', 'l', 'AFTER', 'zz', 'x'],
  ['LINSERT', 'l', 'middle', 'b', 'x'],
  ['LINSERT', 'nokey', 'before', 'a', 'x'],
  ['LINSERT', 'nokey', 'middle', 'a', 'x'],
  ['LINSERT', 's', 'before', 'a', 'x'],
  ['EXISTS', 'nokey'],
  ['LRANGE', 'l', '0', '-1'],
  // LPUSHX / RPUSHX
  ['LPUSHX', 'nokey', 'a'],
  ['RPUSHX', 'nokey', 'a', 'b'],
  ['EXISTS', 'nokey'],
  ['LPUSHX', 'l', 'x', 'y'],
  ['RPUSHX', 'l', 'z'],
  ['LPUSHX', 's', 'a'],
  ['LRANGE', 'l', '0', '-1'],
  // LREM
  ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
  ['LREM', 'r', '2', 'a'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '-1', 'a'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '0', 'b'],
  ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '1', 'zz'],
  ['LREM', 'r', 'x', 'a'],
  ['LREM', 'nokey', '1', 'a'],
  ['LREM', 'nokey', 'x', 'a'],
  ['LREM', 's', '1', 'a'],
  ['LREM', 'r', LONG_MIN, 'a'],
  ['LREM', 'r', '0', 'c'],
  ['EXISTS', 'r'],
  // LTRIM
  ['RPUSH', 't', '1', '2', '3', '4', '5', '6'],
  ['LTRIM', 't', '1', '-2'],
  ['LRANGE', 't', '0', '-1'],
  ['LTRIM', 't', '-100', '100'],
  ['LRANGE', 't', '0', '-1'],
  ['LTRIM', 't', '1', '1'],
  ['LRANGE', 't', '0', '-1'],
  ['LTRIM', 't', '2', '1'],
  ['EXISTS', 't'],
  ['LTRIM', 'nokey', '0', '1'],
  ['LTRIM', 's', '0', '1'],
  ['LTRIM', 't', 'a', '1'],
  ['LTRIM', 's', 'a', '1'],
  // LPOP / RPOP
  ['RPUSH', 'p', '1', '2', '3', '4', '5', '6', '7'],
  ['LPOP', 'p'],
  ['RPOP', 'p'],
  ['LPOP', 'p', '2'],
  ['RPOP', 'p', '2'],
  ['RPOP', 'p', '0'],
  ['LPOP', 'p', '-1'],
  ['LPOP', 'p', 'x'],
  ['LPOP', 'p', '1', '2'],
  ['RPOP', 'p', LONG_MAX],
  ['EXISTS', 'p'],
  ['LPOP', 'p'],
  ['RPOP', 'p', '0'],
  ['LPOP', 'p', '2'],
  ['RPOP', 's'],
  ['RPOP', 's', '1'],
  ['LPOP', 's', '-1'],
  ['LPOP', 'nokey', 'x'],
  ['LPOP'],
  // LPOS
  ['RPUSH', 'q', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'],
  ['LPOS', 'q', 'c'],
  ['LPOS', 'q', 'c', 'RANK', '2'],
  ['LPOS', 'q', 'c', 'RANK', '-1'],
  ['LPOS', 'q', 'c', 'RANK', '-2'],
  ['LPOS', 'q', 'c', 'RANK', '4'],
  ['LPOS', 'q', 'c', 'COUNT', '0'],
  ['LPOS', 'q', 'c', 'COUNT', '2'],
  ['LPOS', 'q', 'c', 'COUNT', '2', 'RANK', '-1'],
  ['LPOS', 'q', 'c', 'COUNT', '2', 'RANK', '2'],
  ['LPOS', 'q', 'c', 'COUNT', '0', 'MAXLEN', '7'],
  ['LPOS', 'q', 'c', 'MAXLEN', '2'],
  ['LPOS', 'q', 'c', 'RANK', '-1', 'MAXLEN', '1'],
  ['LPOS', 'q', 'c', 'RANK', '0'],
  ['LPOS', 'q', 'c', 'RANK', 'x'],
  ['LPOS', 'q', 'c', 'COUNT', '-1'],
  ['LPOS', 'q', 'c', 'COUNT', 'x'],
  ['LPOS', 'q', 'c', 'MAXLEN', '-1'],
  ['LPOS', 'q', 'c', 'MAXLEN', 'x'],
  ['LPOS', 'q', 'c', 'RANK'],
  ['LPOS', 'q', 'c', 'FOO', '1'],
  ['LPOS', 'q', 'zz'],
  ['LPOS', 'q', 'zz', 'COUNT', '1'],
  ['LPOS', 'nokey', 'a'],
  ['LPOS', 'nokey', 'a', 'COUNT', '1'],
  ['LPOS', 'nokey', 'a', 'RANK', '0'],
  ['LPOS', 's', 'a'],
  ['LPOS', 'q', 'c', 'RANK', LONG_MIN],
  ['LPOS', 'q', 'c', 'RANK', LONG_MIN, 'COUNT', '1'],
  ['LPOS', 'q', 'c', 'RANK', LONG_MAX],
  ['LPOS', 'q', 'c', 'COUNT', LONG_MAX, 'MAXLEN', LONG_MAX],
  // LMOVE / RPOPLPUSH
  ['RPUSH', 'm', '1', '2', '3'],
  ['LMOVE', 'm', 'm2', 'LEFT', 'RIGHT'],
  ['LMOVE', 'm', 'm2', 'right', 'left'],
  ['LRANGE', 'm2', '0', '-1'],
  ['LMOVE', 'm', 'm', 'LEFT', 'RIGHT'],
  ['LMOVE', 'm', 's', 'LEFT', 'LEFT'],
  ['LRANGE', 'm', '0', '-1'],
  ['LMOVE', 'm', 'm2', 'UP', 'LEFT'],
  ['LMOVE', 'm', 'm2', 'LEFT', 'DOWN'],
  ['LMOVE', 'nokey', 'm2', 'LEFT', 'LEFT'],
  ['LMOVE', 'nokey', 's', 'LEFT', 'LEFT'],
  ['LMOVE', 's', 'm2', 'LEFT', 'LEFT'],
  ['RPOPLPUSH', 'm', 'm2'],
  ['RPOPLPUSH', 'm', 'm2'],
  ['EXISTS', 'm'],
  ['LRANGE', 'm2', '0', '-1'],
  ['RPOPLPUSH', 'm2', 'm2'],
  ['RPOPLPUSH', 'm2', 's'],
  ['RPOPLPUSH', 's', 'm2'],
  ['LRANGE', 'm2', '0', '-1'],
  // LMPOP
  ['RPUSH', 'mp', 'a', 'b', 'c', 'd'],
  ['LMPOP', '2', 'nokey', 'mp', 'LEFT'],
  ['LMPOP', '2', 'nokey', 'mp', 'RIGHT', 'COUNT', '2'],
  ['LMPOP', '1', 'mp', 'left', 'count', '10'],
  ['LMPOP', '1', 'mp', 'LEFT'],
  ['EXISTS', 'mp'],
  ['LMPOP', '0', 'mp', 'LEFT'],
  ['LMPOP', 'x', 'mp', 'LEFT'],
  ['LMPOP', '-1', 'mp', 'LEFT'],
  ['LMPOP', '3', 'a', 'b', 'LEFT'],
  ['LMPOP', '1', 'a', 'MIDDLE'],
  ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
  ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'],
  ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
  ['LMPOP', '1', 'a', 'LEFT', 'COUNT'],
  ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
  ['LMPOP', '1', 's', 'LEFT'],
  ['LMPOP', '2', 'nokey', 's', 'LEFT'],
  ['LMPOP', '1', 'k'],
  // blocking commands that find data, or time out quickly
  ['RPUSH', 'bl', 'a', 'b', 'c', 'd', 'e'],
  ['BLPOP', 'nokey', 'bl', '0'],
  ['BRPOP', 'bl', 'nokey', '0'],
  ['BLPOP', 'bl', '-1'],
  ['BLPOP', 'bl', 'abc'],
  ['BLPOP', 'bl', ' 1'],
  ['BLPOP', 's', '0'],
  ['BLPOP', 'nokey', 's', '0'],
  ['BLPOP', 's', 'abc'],
  ['BLPOP', 'nokey', '0.01'],
  ['BLPOP', 'nokey', 'inf'],
  ['BLPOP', 'nokey', '-inf'],
  ['BLPOP', 'nokey', '1e400'],
  ['BLPOP', 'nokey', '9.3e15'],
  ['BLPOP', 'nokey', 'nan'],
  ['BLPOP', 'nokey', '0x0.04'],
  ['BLPOP', 'nokey', '1e-400'],
  ['BLPOP', 'k'],
  ['BLMOVE', 'bl', 'bl2', 'LEFT', 'LEFT', '0'],
  ['BLMOVE', 'nokey', 'bl2', 'LEFT', 'LEFT', '0.01'],
  ['BLMOVE', 'bl', 's', 'LEFT', 'LEFT', '0'],
  ['BLMOVE', 'bl', 'bl2', 'X', 'LEFT', '0'],
  ['BLMOVE', 'bl', 'bl2', 'LEFT', 'LEFT', '-1'],
  ['BLMOVE', 's', 'bl2', 'LEFT', 'LEFT', '0'],
  ['BRPOPLPUSH', 'bl2', 'bl', '0'],
  ['BRPOPLPUSH', 'nokey', 'bl', '0.01'],
  ['BRPOPLPUSH', 'nokey', 'bl', 'x'],
  ['BLMPOP', '0', '2', 'nokey', 'bl', 'LEFT', 'COUNT', '2'],
  ['BLMPOP', '0.01', '1', 'nokey', 'LEFT'],
  ['BLMPOP', '-1', '1', 'nokey', 'LEFT'],
  ['BLMPOP', '0', '0', 'nokey', 'LEFT'],
  ['BLMPOP', 'x', '1', 'nokey', 'LEFT'],
  ['BLMPOP', 'x', '1', 'nokey', 'MIDDLE'],
  ['BLMPOP', '0', '1', 'nokey', 'LEFT', 'COUNT', '0'],
  ['BLMPOP', '0', '1', 's', 'LEFT'],
  ['BLMPOP', '0', '1', 'k'],
  ['LRANGE', 'bl', '0', '-1'],
  // blocking commands inside MULTI answer at once
  ['MULTI'],
  ['BLPOP', 'nokey', '0'],
  ['BRPOP', 'nokey', '0'],
  ['BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0'],
  ['BRPOPLPUSH', 'nokey', 'x', '0'],
  ['BLMPOP', '0', '1', 'nokey', 'LEFT'],
  ['RPUSH', 'nokey', 'v1', 'v2'],
  ['BLPOP', 'nokey', '0'],
  ['BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0'],
  ['EXEC'],
  ['LRANGE', 'x', '0', '-1'],
  ['EXISTS', 'nokey'],
  // binary-safe elements
  ['RPUSH', 'bin', '\x00\xff', 'a\r\nb', ''],
  ['LRANGE', 'bin', '0', '-1'],
  ['LPOS', 'bin', '\x00\xff'],
  ['LPOS', 'bin', ''],
  ['LREM', 'bin', '0', 'a\r\nb'],
  ['LINSERT', 'bin', 'AFTER', '', '\x80'],
  ['LRANGE', 'bin', '0', '-1'],
];

/** RESP3 changes the null and empty shapes; these are the replies that differ. */
const resp3Cases: Cmd[] = [
  ['RPUSH', 'r3', 'a', 'b', 'c'],
  ['LPOP', 'nokey'],
  ['LPOP', 'nokey', '1'],
  ['LPOP', 'r3', '0'],
  ['LPOP', 'r3', '2'],
  ['LINDEX', 'nokey', '0'],
  ['LINDEX', 'r3', '5'],
  ['LPOS', 'nokey', 'a'],
  ['LPOS', 'r3', 'zz'],
  ['LPOS', 'nokey', 'a', 'COUNT', '1'],
  ['LMPOP', '1', 'nokey', 'LEFT'],
  ['RPUSH', 'r3', 'd', 'e'],
  ['LMPOP', '1', 'r3', 'RIGHT', 'COUNT', '2'],
  ['LMOVE', 'nokey', 'x', 'LEFT', 'LEFT'],
  ['RPOPLPUSH', 'nokey', 'x'],
  ['BLPOP', 'nokey', '0.01'],
  ['BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0.01'],
  ['BLMPOP', '0.01', '1', 'nokey', 'LEFT'],
  ['BLPOP', 'r3', '0'],
  ['MULTI'],
  ['BLPOP', 'nokey', '0'],
  ['BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0'],
  ['EXEC'],
  ['LRANGE', 'nokey', '0', '-1'],
  ['LRANGE', 'x', '0', '-1'],
];

describeWithRedis('lists, side by side with Redis 7.0', () => {
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

  test.each(resp2Cases.map((c) => [JSON.stringify(c), c]))('RESP2 %s', async (_name, args) => {
    await same(args as string[]);
  });

  test('RESP3 shapes', async () => {
    await Promise.all([a.command('HELLO', '3'), b.command('HELLO', '3')]);
    for (const args of resp3Cases) await same(args);
    await Promise.all([a.command('HELLO', '2'), b.command('HELLO', '2')]);
  });

  test('a large list: ranges, indexes, inserts and removals stay identical', async () => {
    await same(['DEL', 'big']);
    for (let batch = 0; batch < 10; batch++) {
      const args = ['RPUSH', 'big'];
      for (let i = 0; i < 1000; i++) args.push(String((batch * 1000 + i) % 97));
      await same(args);
    }
    for (let i = 0; i < 500; i++) await Promise.all([a.command('LPUSH', 'big', `h${i}`), b.command('LPUSH', 'big', `h${i}`)]);
    const steps: Cmd[] = [
      ['LLEN', 'big'],
      ['LINDEX', 'big', '5000'],
      ['LINDEX', 'big', '-5000'],
      ['LSET', 'big', '-2500', 'x'],
      ['LSET', 'big', '7000', 'y'],
      ['LINSERT', 'big', 'BEFORE', 'x', 'before-x'],
      ['LINSERT', 'big', 'AFTER', 'y', 'after-y'],
      ['LINSERT', 'big', 'AFTER', 'h3', 'after-h3'],
      ['LREM', 'big', '-3', '42'],
      ['LREM', 'big', '5', '13'],
      ['LPOS', 'big', '50', 'RANK', '-3', 'COUNT', '4'],
      ['LPOS', 'big', '50', 'COUNT', '0', 'MAXLEN', '3000'],
      ['LRANGE', 'big', '4000', '4100'],
      ['LTRIM', 'big', '100', '-100'],
      ['LPOP', 'big', '300'],
      ['RPOP', 'big', '300'],
      ['LMPOP', '1', 'big', 'RIGHT', 'COUNT', '77'],
      ['LRANGE', 'big', '0', '-1'],
      ['LREM', 'big', '0', '7'],
      ['LRANGE', 'big', '0', '-1'],
    ];
    for (const s of steps) await same(s);
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
        ['LPUSH', 'n', 'a', 'b'],
        ['RPUSH', 'n', 'c'],
        ['LPUSHX', 'nokey', 'a'],
        ['LINSERT', 'n', 'BEFORE', 'a', 'z'],
        ['LINSERT', 'n', 'BEFORE', 'nope', 'z'],
        ['LSET', 'n', '0', 'y'],
        ['LREM', 'n', '0', 'nope'],
        ['LREM', 'n', '1', 'y'],
        ['LPOP', 'n'],
        ['RPOP', 'n', '5'],
        ['RPUSH', 'n', '1', '2', '3'],
        ['LTRIM', 'n', '0', '1'],
        ['LTRIM', 'n', '5', '1'],
        ['RPUSH', 'n', '1', '2'],
        ['LMOVE', 'n', 'n2', 'LEFT', 'RIGHT'],
        ['RPOPLPUSH', 'n', 'n2'],
        ['LMPOP', '1', 'n2', 'LEFT', 'COUNT', '1'],
        ['BLPOP', 'n2', '0'],
        ['RPUSH', 'n', 'x'],
        ['BLMOVE', 'n', 'n3', 'RIGHT', 'LEFT', '0'],
        ['BRPOPLPUSH', 'n3', 'n3', '0'],
        ['BLMPOP', '0', '1', 'n3', 'LEFT', 'COUNT', '3'],
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
      expect(mine.length).toBeGreaterThan(30);
      expect(mine).toEqual(theirs);
    } finally {
      subA.close();
      subB.close();
      await same(['CONFIG', 'SET', 'notify-keyspace-events', '']);
    }
  });
});
