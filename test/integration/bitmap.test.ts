
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';
import Redis from 'ioredis';

/**
 * Bitmap commands side by side with Redis 7.0: every reply byte, every
 * error text, and the resulting string bytes (checked with GET).
 */
describeWithRedis('bitmaps, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  async function same(...args: (string | Buffer)[]): Promise<string> {
    const [mine, theirs] = await Promise.all([a.command(...args), b.command(...args)]);
    expect([args.join(' '), mine]).toEqual([args.join(' '), theirs]);
    return mine;
  }

  const cases: string[][] = [
    ['SETBIT', 'b', '7', '1'],
    ['SETBIT', 'b', '7', '1'],
    ['SETBIT', 'b', '100', '1'],
    ['GET', 'b'],
    ['GETBIT', 'b', '7'],
    ['GETBIT', 'b', '6'],
    ['GETBIT', 'b', '100000'],
    ['GETBIT', 'missing', '3'],
    ['SETBIT', 'b', '-1', '1'],
    ['SETBIT', 'b', 'x', '1'],
    ['SETBIT', 'b', '4294967296', '1'],
    ['SETBIT', 'b', '1', '2'],
    ['SETBIT', 'b', '1', '-1'],
    ['SETBIT', 'b', '1', 'on'],
    ['GETBIT', 'b', '-1'],
    ['RPUSH', 'list', 'x'],
    ['SETBIT', 'list', '1', '1'],
    ['SETBIT', 'list', 'x', '1'],
    ['GETBIT', 'list', '1'],
    ['SET', 's', 'foobar'],
    ['BITCOUNT', 's'],
    ['BITCOUNT', 's', '0', '0'],
    ['BITCOUNT', 's', '1', '1'],
    ['BITCOUNT', 's', '1', '1', 'BYTE'],
    ['BITCOUNT', 's', '5', '30', 'BIT'],
    ['BITCOUNT', 's', '-20', '-3', 'bit'],
    ['BITCOUNT', 's', '-1', '-3'],
    ['BITCOUNT', 's', '3', '1', 'BIT'],
    ['BITCOUNT', 's', '0', '100'],
    ['BITCOUNT', 's', '0', '-100'],
    ['BITCOUNT', 's', '9', '9', 'BIT'],
    ['BITCOUNT', 's', '0'],
    ['BITCOUNT', 's', '0', '1', 'WORD'],
    ['BITCOUNT', 's', 'a', '1'],
    ['BITCOUNT', 's', '0', '1', 'BIT', 'x'],
    ['BITCOUNT', 'missing', '0'],
    ['BITCOUNT', 'missing', 'a', 'b'],
    ['BITCOUNT', 'list'],
    ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807'],
    ['SET', 'e', ''],
    ['BITCOUNT', 'e'],
    ['BITPOS', 'e', '0'],
    ['BITPOS', 'e', '1'],
    ['SET', 'p', '\xff\xf0\x00'],
    ['BITPOS', 'p', '0'],
    ['BITPOS', 'p', '1'],
    ['BITPOS', 'p', '0', '2'],
    ['BITPOS', 'p', '1', '2'],
    ['BITPOS', 'p', '0', '0', '0'],
    ['BITPOS', 'p', '0', '0', '1'],
    ['BITPOS', 'p', '1', '7', '15', 'BIT'],
    ['BITPOS', 'p', '0', '7', '15', 'BIT'],
    ['BITPOS', 'p', '0', '0', '3', 'BIT'],
    ['BITPOS', 'p', '0', '9', '11', 'BIT'],
    ['BITPOS', 'p', '1', '9', '11', 'BIT'],
    ['BITPOS', 'p', '0', '-5', '-1', 'BIT'],
    ['BITPOS', 'p', '1', '-5', '-1', 'BIT'],
    ['BITPOS', 'p', '0', '12', '-1', 'BIT'],
    ['BITPOS', 'p', '0', '3', '1'],
    ['SET', 'ones', '\xff\xff'],
    ['BITPOS', 'ones', '0'],
    ['BITPOS', 'ones', '0', '1'],
    ['BITPOS', 'ones', '0', '0', '-1'],
    ['BITPOS', 'ones', '0', '3', '-1', 'BIT'],
    ['BITPOS', 'ones', '0', '3', 'x', 'BIT'],
    ['BITPOS', 'ones', '0', 'x'],
    ['BITPOS', 'ones', '2'],
    ['BITPOS', 'ones', 'x'],
    ['BITPOS', 'ones', '0', '1', '2', 'BYTES'],
    ['BITPOS', 'ones', '0', '1', '2', 'BIT', 'x'],
    ['BITPOS', 'missing', '0'],
    ['BITPOS', 'missing', '1'],
    ['BITPOS', 'missing', '1', 'x'],
    ['BITPOS', 'missing', '2'],
    ['BITPOS', 'list', '1'],
    ['SET', 'k1', 'foobar'],
    ['SET', 'k2', 'abcdefgh'],
    ['BITOP', 'AND', 'dest', 'k1', 'k2'],
    ['GET', 'dest'],
    ['BITOP', 'or', 'dest', 'k1', 'k2', 'missing'],
    ['GET', 'dest'],
    ['BITOP', 'XOR', 'dest', 'k1', 'k2'],
    ['GET', 'dest'],
    ['BITOP', 'NOT', 'dest', 'k1'],
    ['GET', 'dest'],
    ['BITOP', 'NOT', 'dest', 'k1', 'k2'],
    ['BITOP', 'NAND', 'dest', 'k1'],
    ['BITOP', 'AND', 'dest', 'k1', 'list'],
    ['BITOP', 'AND', 'dest', 'missing', 'missing2'],
    ['EXISTS', 'dest'],
    ['BITOP', 'AND', 'dest', 'k1', 'missing'],
    ['GET', 'dest'],
    ['BITFIELD', 'bf', 'SET', 'i8', '0', '-100', 'GET', 'u4', '0', 'GET', 'i8', '0'],
    ['GET', 'bf'],
    ['BITFIELD', 'bf', 'INCRBY', 'i8', '0', '-100'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-100', 'INCRBY', 'u4', '#3', '100'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-100', 'SET', 'u2', '100', '7', 'GET', 'u2', '100'],
    ['GET', 'bf'],
    ['BITFIELD', 'bf', 'SET', 'u8', '0', '-1', 'OVERFLOW', 'SAT', 'SET', 'u8', '8', '-1', 'SET', 'i8', '16', '200', 'OVERFLOW', 'WRAP', 'SET', 'i8', '24', '200'],
    ['BITFIELD', 'bf', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'GET', 'i64', '0'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '64', '9223372036854775807', 'INCRBY', 'i64', '64', '1'],
    ['BITFIELD', 'bf', 'SET', 'u63', '3', '9223372036854775807', 'GET', 'u63', '3', 'INCRBY', 'u63', '3', '5'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '3', '-9223372036854775808', 'INCRBY', 'u5', '#7', '-3'],
    ['GET', 'bf'],
    ['BITFIELD', 'bf', 'GET', 'u64', '0'],
    ['BITFIELD', 'bf', 'GET', 'i65', '0'],
    ['BITFIELD', 'bf', 'GET', 'I8', '0'],
    ['BITFIELD', 'bf', 'GET', 'i0', '0'],
    ['BITFIELD', 'bf', 'GET', 'i8', '-1'],
    ['BITFIELD', 'bf', 'GET', 'i8', '#-1'],
    ['BITFIELD', 'bf', 'GET', 'i8', 'x'],
    ['BITFIELD', 'bf', 'GET', 'i8', '#x'],
    ['BITFIELD', 'bf', 'GET', 'i8'],
    ['BITFIELD', 'bf', 'SET', 'i8', '0'],
    ['BITFIELD', 'bf', 'SET', 'i8', '0', 'x'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'MAYBE', 'GET', 'i8', '0'],
    ['BITFIELD', 'bf', 'OVERFLOW'],
    ['BITFIELD', 'bf', 'FOO', 'i8', '0'],
    ['BITFIELD', 'bf'],
    ['BITFIELD', 'missing', 'GET', 'i8', '0'],
    ['EXISTS', 'missing'],
    ['BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'SET', 'u2', '#20', '9'],
    ['GET', 'new'],
    ['BITFIELD', 'list', 'GET', 'i8', '0'],
    ['BITFIELD', 'list', 'SET', 'i8', '0', '1'],
    ['BITFIELD_RO', 'bf', 'GET', 'i8', '0', 'GET', 'u3', '#5'],
    ['BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'],
    ['BITFIELD_RO', 'bf', 'INCRBY', 'i8', '0', '1'],
    ['BITFIELD', 'bf', 'GET', 'i8', '#536870912'],
    ['BITFIELD', 'bf', 'GET', 'i8', '4294967288'],
    ['BITFIELD', 'bf', 'GET', 'i8', '4294967295'],
  ];
  it.each(cases.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    await same(...(args as string[]));
  });

  it('random SETBIT/BITFIELD/BITOP sequences leave identical strings', async () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const key = `r${rnd(3)}`;
      const kind = rnd(4);
      if (kind === 0) await same('SETBIT', key, String(rnd(300)), String(rnd(2)));
      else if (kind === 1) {
        const t = (rnd(2) === 0 ? 'i' : 'u') + String(1 + rnd(40));
        const ow = ['WRAP', 'SAT', 'FAIL'][rnd(3)];
        await same('BITFIELD', key, 'OVERFLOW', ow, 'INCRBY', t, String(rnd(200)), String(rnd(2000000) - 1000000), 'GET', t, String(rnd(200)));
      } else if (kind === 2) {
        await same('BITOP', ['AND', 'OR', 'XOR'][rnd(3)], `r${rnd(3)}`, 'r0', 'r1', 'r2');
      } else {
        await same('BITPOS', key, String(rnd(2)), String(rnd(80) - 40), String(rnd(400) - 200), 'BIT');
        await same('BITCOUNT', key, String(rnd(80) - 40), String(rnd(400) - 200), 'BIT');
      }
      await same('GET', key);
    }
  });

  it('fires the same keyspace events as Redis (no event for unchanged bits or failed fields)', async () => {
    const events: string[][] = [];
    for (const port of [servers.ours().port, servers.ref().port]) {
      const sub = new Redis(port);
      const cmd = new Redis(port);
      await cmd.config('SET', 'notify-keyspace-events', 'KEA');
      const seen: string[] = [];
      sub.on('pmessage', (_pattern: string, channel: string, key: string) => seen.push(`${channel} ${key}`));
      await sub.psubscribe('__keyevent@0__:*');
      const steps: string[][] = [
        ['SETBIT', 'ev', '3', '1'],
        ['SETBIT', 'ev', '3', '1'],
        ['SETBIT', 'ev', '3', '0'],
        ['SETBIT', 'ev', '30', '0'],
        ['BITFIELD', 'ev', 'GET', 'u8', '0'],
        ['BITFIELD', 'ev', 'SET', 'u8', '0', '0'],
        ['BITFIELD', 'ev', 'OVERFLOW', 'FAIL', 'SET', 'u2', '100', '9'],
        ['BITFIELD', 'ev', 'INCRBY', 'u2', '0', '0'],
        ['BITFIELD', 'evnew', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '9'],
        ['BITFIELD', 'ev', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2'],
        ['BITOP', 'OR', 'evdest', 'ev'],
        ['BITOP', 'OR', 'evdest', 'nothing'],
      ];
      for (const step of steps) await cmd.call(step[0], ...step.slice(1));
      const summary = `strlen ${await cmd.strlen('ev')} exists ${await cmd.exists('evnew')}`;
      // Events published before the PING reply have reached the subscriber.
      await sub.ping();
      seen.push(summary);
      events.push(seen);
      sub.disconnect();
      cmd.disconnect();
    }
    expect(events[0]).toEqual(events[1]);
  });
});
