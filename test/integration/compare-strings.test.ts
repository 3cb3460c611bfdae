
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

describeWithRedis('strings and keys, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const cases: string[][] = [
    ['SET', 's', 'hello'],
    ['GET', 's'],
    ['GET', 'missing'],
    ['SET', 's', 'x', 'NX'],
    ['SET', 's', 'y', 'XX', 'GET'],
    ['SET', 's', 'y', 'EX', '0'],
    ['SET', 's', 'y', 'EX', 'abc'],
    ['SET', 's', 'y', 'NX', 'XX'],
    ['SET', 's', 'y', 'KEEPTTL', 'EX', '10'],
    ['APPEND', 's', ' world'],
    ['STRLEN', 's'],
    ['GETRANGE', 's', '0', '-1'],
    ['GETRANGE', 's', '-3', '-1'],
    ['GETRANGE', 's', '5', '2'],
    ['SETRANGE', 's', '10', 'ZZ'],
    ['SETRANGE', 'fresh', '3', 'ab'],
    ['GET', 'fresh'],
    ['SETRANGE', 's', '-1', 'x'],
    ['GETRANGE', 's', '0', '9223372036854775807'],
    ['GETRANGE', 's', '-9223372036854775808', '-1'],
    ['GETRANGE', 's', '9223372036854775807', '-9223372036854775808'],
    ['GETRANGE', 's', '0', '9223372036854775808'],
    ['SETRANGE', 's', '9223372036854775807', 'x'],
    ['SETRANGE', 's', '9007199254740993', ''],
    ['SETRANGE', 's', '-9223372036854775808', 'x'],
    ['INCR', 'n'],
    ['INCRBY', 'n', '41'],
    ['DECRBY', 'n', '-10'],
    ['INCRBY', 'n', 'x'],
    ['INCR', 's'],
    ['SET', 'big', '9223372036854775806'],
    ['INCR', 'big'],
    ['INCR', 'big'],
    ['DECRBY', 'n', '-9223372036854775808'],
    ['SET', 'f', '10.5'],
    ['INCRBYFLOAT', 'f', '0.1'],
    ['INCRBYFLOAT', 'f', '2.5'],
    ['INCRBYFLOAT', 'f', 'abc'],
    // Redis adds in long double and prints %.17Lf without trailing zeros.
    ['INCRBYFLOAT', 'g', '0.1'],
    ['INCRBYFLOAT', 'g', '0.2'],
    ['INCRBYFLOAT', 'g', '-0.3'],
    ['INCRBYFLOAT', 'g', '1e-20'],
    ['INCRBYFLOAT', 'g', '-1e-20'],
    ['INCRBYFLOAT', 'h', '1e308'],
    ['INCRBYFLOAT', 'h', '1e308'],
    ['INCRBYFLOAT', 'h', '-2e308'],
    ['INCRBYFLOAT', 'h', '3.0e3'],
    ['INCRBYFLOAT', 'h', '.5'],
    ['INCRBYFLOAT', 'h', '5.'],
    ['INCRBYFLOAT', 'h', 'inf'],
    ['INCRBYFLOAT', 'h', '-infinity'],
    ['INCRBYFLOAT', 'h', 'nan'],
    ['INCRBYFLOAT', 'h', '1e'],
    ['INCRBYFLOAT', 'h', ' 1'],
    ['INCRBYFLOAT', 'h', '1e99999'],
    ['SET', 'i64', '9223372036854775807'],
    ['INCRBYFLOAT', 'i64', '1'],
    ['SET', 'third', '0.333333333333333333333333'],
    ['INCRBYFLOAT', 'third', '0'],
    ['INCRBYFLOAT', 'third', '1.1'],
    ['SET', 'ws', ' 1'],
    ['INCRBYFLOAT', 'ws', '1'],
    ['MSET', 'a', '1', 'b', '2'],
    ['MSET', 'a', '1', 'b'],
    ['MGET', 'a', 'b', 'nope'],
    ['MSETNX', 'a', '3', 'c', '4'],
    ['GETSET', 'a', '10'],
    ['GETDEL', 'a'],
    ['GETDEL', 'a'],
    ['GETEX', 'b', 'PX', '100000'],
    ['GETEX', 'b', 'PERSIST'],
    ['TTL', 'b'],
    ['EXPIRE', 'b', '100', 'NX'],
    ['EXPIRE', 'b', '50', 'GT'],
    ['EXPIRE', 'b', '50', 'LT'],
    ['EXPIRE', 'b', '50', 'NX', 'XX'],
    ['EXPIRE', 'b', '50', 'GT', 'LT'],
    ['EXPIRE', 'b', '50', 'FOO'],
    ['TTL', 'b'],
    ['PERSIST', 'b'],
    ['TTL', 'nokey'],
    ['EXISTS', 'b', 'b', 'nokey'],
    ['TYPE', 'b'],
    ['TYPE', 'nokey'],
    ['RENAME', 'nokey', 'x'],
    ['RENAME', 'b', 'b2'],
    ['RENAMENX', 'b2', 's'],
    ['OBJECT', 'ENCODING', 'n'],
    ['SELECT', '99'],
    ['SELECT', 'x'],
    ['MOVE', 'n', '1'],
    ['COPY', 's', 's2'],
    ['COPY', 's', 's2'],
    ['COPY', 's', 's2', 'REPLACE'],
    ['DEL', 's', 's2', 'nokey'],
    ['DBSIZE'],
    ['GET'],
    ['NOSUCHCOMMAND', 'a', 'b'],
    ['CONFIG', 'NOSUB'],
    ['CONFIG', 'GET', 'maxmemory-policy'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'bogus'],
    ['CONFIG', 'SET', 'databases', '1'],
    ['ECHO', 'hi'],
    ['PING', 'x', 'y'],
    ['FLUSHALL'],
    ['DBSIZE'],
  ];

  test.each(cases.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await Promise.all([a.command(...(args as string[])), b.command(...(args as string[]))]);
    expect(mine).toEqual(theirs);
  });

  test('reply bytes at the encoder boundaries: lengths around the short-copy limit, binary bytes, wide integers', async () => {
    const mismatches: string[] = [];
    const check = async (...args: string[]): Promise<void> => {
      const [mine, theirs] = await Promise.all([a.command(...args), b.command(...args)]);
      if (mine !== theirs) mismatches.push(`${args.join(' ').slice(0, 60)}: ${JSON.stringify(mine).slice(0, 80)} vs ${JSON.stringify(theirs).slice(0, 80)}`);
    };
    // Starts at byte 200 so short values carry high bytes and CR/LF too.
    const allBytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode((i + 200) % 256)).join('');
    for (const n of [0, 1, 9, 10, 11, 47, 48, 49, 99, 100, 255, 4095, 4096, 8191, 8192, 70000]) {
      const value = allBytes.repeat(Math.ceil(n / 256) + 1).slice(0, n);
      await check('SET', `len${n}`, value);
      await check('GET', `len${n}`);
      await check('RPUSH', 'lens', value);
    }
    await check('LRANGE', 'lens', '0', '-1');
    for (const n of ['-1', '-9', '-10', '-4294967295', '-4294967296', '4294967295', '4294967296', '9007199254740993', '-9223372036854775808']) {
      await check('SET', 'int', n);
      await check('INCRBY', 'int', '0');
      await check('STRLEN', 'int');
    }
    expect(mismatches).toEqual([]);
  });

  test('random INCRBYFLOAT and HINCRBYFLOAT sequences print exactly what Redis prints (long double)', async () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 300; i++) {
      const mantissa = (rand() * 2 - 1).toFixed(1 + Math.floor(rand() * 12));
      const exponent = Math.floor(rand() * 16) - 6;
      const incr = `${mantissa}e${exponent}`;
      for (const cmd of [['INCRBYFLOAT', 'rf', incr], ['HINCRBYFLOAT', 'rh', 'f', incr]]) {
        const [mine, theirs] = await Promise.all([a.command(...cmd), b.command(...cmd)]);
        if (mine !== theirs) mismatches.push(`${cmd.join(' ')} ours=${JSON.stringify(mine)} redis=${JSON.stringify(theirs)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
