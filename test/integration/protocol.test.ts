/**
 * The wire protocol, side by side with Redis 7.0: inline commands, RESP
 * framing errors and limits (each must get the exact `-ERR Protocol error:`
 * bytes Redis sends, then a close), pipelining, and RESP3 after HELLO 3.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { encodeCommand, ReplyReader, sideBySide } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';

/** What a fresh connection gets back for `bytes`, and whether the server closed it. */
interface Exchange {
  text: string;
  closed: boolean;
}

const END_MARK = '__end_of_exchange__';

/**
 * Sends bytes on a fresh connection. When the server is expected to keep the
 * connection open and answer everything, a trailing ECHO marks the end so the
 * wait is short; `isPending` cases (an incomplete frame) wait for a quiet period.
 */
async function exchange(port: number, bytes: string | Buffer, isPending: boolean): Promise<Exchange> {
  const conn = await RawConnection.open(port);
  conn.send(bytes);
  if (isPending) {
    await conn.waitFor(() => false, 300);
  } else {
    conn.send(`ECHO ${END_MARK}\r\n`);
    await conn.waitFor((t) => t.includes(END_MARK));
  }
  const result = { text: conn.text.replace(`$${END_MARK.length}\r\n${END_MARK}\r\n`, ''), closed: conn.closed };
  conn.end();
  return result;
}

describeWithRedis('protocol, side by side with Redis 7.0', () => {
  let ours: RunningServer;
  let ref: ReferenceServer;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(), startReference()]);
  });
  afterAll(async () => {
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });

  const big = (n: number) => 'x'.repeat(n);
  const cases: [name: string, bytes: string, isPending?: boolean][] = [
    ['inline PING', 'PING\r\n'],
    ['inline with LF only', 'PING\n'],
    ['inline SET/GET with double quotes', 'SET k "hello world"\r\nGET k\r\n'],
    ['inline escapes in double quotes', 'ECHO "a\\x41\\n\\t\\\\\\""\r\n'],
    ['inline single quotes', "ECHO 'it\\'s'\r\n"],
    ['inline empty lines are ignored', '\r\n\r\n   \r\nPING\r\n'],
    ['inline unbalanced double quotes', 'ECHO "abc\r\nPING\r\n'],
    ['inline unbalanced single quotes', "ECHO 'abc\r\nPING\r\n"],
    ['inline closing quote glued to text', 'ECHO "a"b\r\nPING\r\n'],
    ['inline line over 64 KB without newline', big(70000), true],
    ['inline line over 64 KB with newline', big(70000) + '\r\n'],
    ['unknown command, arguments quoted in the error', 'FOO bar baz\r\n'],
    ['unknown command with long arguments', 'FOO ' + big(200) + ' z\r\n'],
    ['*0 and *-1 are skipped', '*0\r\n*-1\r\nPING\r\n'],
    ['multibulk count not a number', '*abc\r\n'],
    ['multibulk count *99999999999', '*99999999999\r\n'],
    ['multibulk count over INT_MAX', '*2147483648\r\n'],
    ['multibulk count with a space', '* 1\r\n$4\r\nPING\r\n'],
    ['multibulk count with a plus sign', '*+1\r\n$4\r\nPING\r\n'],
    ['multibulk count line with LF only', '*1\n$4\r\nPING\r\n'],
    ['multibulk count string over 64 KB', '*' + '1'.repeat(70000), true],
    ['multibulk INT_MAX is accepted and waits', '*2147483647\r\n', true],
    ['bulk length $-5', '*1\r\n$-5\r\n'],
    ['bulk length $-1', '*1\r\n$-1\r\n'],
    ['bulk length $2147483648', '*1\r\n$2147483648\r\n'],
    ['bulk length over proto-max-bulk-len', '*1\r\n$536870913\r\n'],
    ['bulk length at proto-max-bulk-len waits', '*1\r\n$536870912\r\n', true],
    ['bulk length not a number', '*1\r\n$abc\r\n'],
    ['bulk length empty', '*1\r\n$\r\n'],
    ['bulk length with a plus sign', '*1\r\n$+4\r\nPING\r\n'],
    ['bulk count string over 64 KB', '*1\r\n$' + '1'.repeat(70000), true],
    ["element not starting with '$'", '*1\r\n+PING\r\n'],
    ["second element not starting with '$'", '*2\r\n$4\r\nECHO\r\n:5\r\n'],
    ['bulk followed by two junk bytes instead of CRLF', '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'],
    ['a frame split in the middle waits', '*2\r\n$4\r\nECHO\r\n$10\r\nabc', true],
    [
      'pipelined names of one length in mixed case',
      ['SET', 'get', 'SET', 'Get', 'DEL', 'GET', 'SET', 'set'].map((name, i) => `*${i % 2 === 0 ? 3 : 2}\r\n$3\r\n${name}\r\n$1\r\nk\r\n${i % 2 === 0 ? `$1\r\n${i}\r\n` : ''}`).join(''),
    ],
    ['a command of 1,500 arguments', `*1502\r\n$4\r\nSADD\r\n$1\r\ns\r\n${Array.from({ length: 1500 }, (_v, i) => `$${String(i).length}\r\n${i}\r\n`).join('')}SCARD s\r\n`],
  ];

  test.each(cases)('%s', async (_name, bytes, isPending = false) => {
    const [mine, theirs] = await Promise.all([exchange(ours.port, bytes, isPending), exchange(ref.port, bytes, isPending)]);
    expect(mine).toEqual(theirs);
  });

  // Arguments are bytes: ones that are not UTF-8 must come back unchanged, in values and in errors.
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const byteCases: [string, Buffer][] = [
    ['non-UTF-8 bytes in an unknown command and its arguments', latin1('*3\r\n$2\r\n\xff\xfe\r\n$3\r\na\x80b\r\n$1\r\n\xc3\r\n')],
    [
      'non-UTF-8 bytes in a key and a value',
      Buffer.concat([encodeCommand(['SET', latin1('k\xe9'), latin1('\x00\xff\x80')]), encodeCommand(['GET', latin1('k\xe9')]), latin1('ECHO "\xc3\x28"\r\n')]),
    ],
    ['non-UTF-8 bytes in an inline unknown command', latin1('\xfe\xff x\r\n')],
  ];
  test.each(byteCases)('%s', async (_name, bytes) => {
    const [mine, theirs] = await Promise.all([exchange(ours.port, bytes, false), exchange(ref.port, bytes, false)]);
    expect(mine).toEqual(theirs);
  });

  // Redis reads counts with string2ll, which refuses leading zeros.
  const leadingZeroCases: [string, string][] = [
    ['multibulk count with a leading zero', '*01\r\n$4\r\nPING\r\n'],
    ['bulk length with a leading zero', '*1\r\n$04\r\nPING\r\n'],
  ];
  test.each(leadingZeroCases)('%s', async (_name, bytes) => {
    const [mine, theirs] = await Promise.all([exchange(ours.port, bytes, false), exchange(ref.port, bytes, false)]);
    expect(mine).toEqual(theirs);
  });

  test('10k pipelined commands in one write get the same replies in order', async () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 10000; i++) {
      parts.push(i % 3 === 0 ? encodeCommand(['SET', `pipe:${i}`, `v${i}`]) : i % 3 === 1 ? encodeCommand(['INCR', 'pipe:n']) : encodeCommand(['GET', `pipe:${i - 2}`]));
    }
    const payload = Buffer.concat(parts);
    const run = async (port: number): Promise<string> => {
      const conn = await RawConnection.open(port);
      conn.send(payload);
      conn.send('PING\r\n');
      const text = await conn.waitFor((t) => t.endsWith('+PONG\r\n'), 10000);
      conn.end();
      return text;
    };
    const [mine, theirs] = await Promise.all([run(ours.port), run(ref.port)]);
    expect(mine.length).toBeGreaterThan(10000 * 4);
    expect(mine).toEqual(theirs);
  });

  test('a pipeline split at every byte boundary still parses', async () => {
    const payload = encodeCommand(['SET', 'split', 'a\r\nb']).toString('latin1') + 'GET split\r\n' + encodeCommand(['ECHO', '']).toString('latin1');
    const run = async (port: number): Promise<string> => {
      const conn = await RawConnection.open(port);
      for (const ch of payload) {
        conn.send(ch);
        await new Promise((r) => setImmediate(r));
      }
      const text = await conn.waitFor((t) => t.endsWith('$0\r\n\r\n'));
      conn.end();
      return text;
    };
    const [mine, theirs] = await Promise.all([run(ours.port), run(ref.port)]);
    expect(mine).toBe('+OK\r\n$4\r\na\r\nb\r\n$0\r\n\r\n');
    expect(mine).toEqual(theirs);
  });

  describe('limits changed with CONFIG SET', () => {
    const both = async (...args: string[]): Promise<void> => {
      const [x, y] = await Promise.all([ReplyReader.open(ours.port), ReplyReader.open(ref.port)]);
      const [mine, theirs] = await Promise.all([x.command(...args), y.command(...args)]);
      x.close();
      y.close();
      expect(mine).toEqual(theirs);
      expect(mine).toBe('+OK\r\n');
    };
    beforeAll(async () => {
      await both('CONFIG', 'SET', 'proto-max-bulk-len', '1mb', 'client-query-buffer-limit', '1mb');
    });
    afterAll(async () => {
      await both('CONFIG', 'SET', 'proto-max-bulk-len', '512mb', 'client-query-buffer-limit', '1gb');
    });

    const limitCases: [string, string, boolean?][] = [
      ['bulk of proto-max-bulk-len + 1', '*2\r\n$4\r\nECHO\r\n$1048577\r\n'],
      ['bulk of exactly proto-max-bulk-len waits', '*2\r\n$4\r\nECHO\r\n$1048576\r\n', true],
      ['partial big argument past client-query-buffer-limit closes silently', '*2\r\n$4\r\nECHO\r\n$1048576\r\n' + 'x'.repeat(1048000), true],
    ];
    test.each(limitCases)('%s', async (_name, bytes, isPending = false) => {
      const [mine, theirs] = await Promise.all([exchange(ours.port, bytes, isPending), exchange(ref.port, bytes, isPending)]);
      expect(mine).toEqual(theirs);
    });

    // Which of the two limits answers first depends on how the bytes are
    // chunked by the kernel, and a close with unread input may reset the
    // connection before the error arrives, so only the close is compared.
    test('1.1 MB of inline data without a newline closes the connection', async () => {
      const [mine, theirs] = await Promise.all([exchange(ours.port, 'x'.repeat(1100000), true), exchange(ref.port, 'x'.repeat(1100000), true)]);
      expect(mine.closed).toBe(true);
      expect(theirs.closed).toBe(true);
      expect(['', '-ERR Protocol error: too big inline request\r\n']).toContain(mine.text);
    });
  });

  describe('before AUTH (requirepass set)', () => {
    let ourPw: RunningServer;
    let refPw: ReferenceServer;
    beforeAll(async () => {
      [ourPw, refPw] = await Promise.all([startServer(['--requirepass', 'pw']), startReference(['--requirepass', 'pw'])]);
    });
    afterAll(async () => {
      await Promise.all([ourPw.stop(), refPw.stop()]);
    });
    const authCases: [string, string, boolean?][] = [
      ['multibulk of 11 elements', '*11\r\n'],
      ['multibulk of 10 elements is fine', '*10\r\n' + '$1\r\na\r\n'.repeat(10), true],
      ['bulk over 16 KB', '*2\r\n$4\r\nAUTH\r\n$16385\r\n'],
      ['bulk of 16 KB is fine', '*2\r\n$4\r\nAUTH\r\n$16384\r\n' + 'x'.repeat(16384) + '\r\n', true],
      ['after AUTH the caps are gone', '*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*12\r\n' + '$4\r\nECHO\r\n'.repeat(12), false],
    ];
    // ECHO (the end mark) is refused before AUTH, so every case waits for quiet.
    test.each(authCases)('%s', async (_name, bytes, isPending = true) => {
      const [mine, theirs] = await Promise.all([exchange(ourPw.port, bytes, isPending), exchange(refPw.port, bytes, isPending)]);
      expect(mine).toEqual(theirs);
    });
  });
});

describeWithRedis('RESP3 after HELLO 3, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  /** HELLO carries the connection id, which differs between the two servers. */
  const maskId = (s: string) => s.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:ID\r\n');

  test('HELLO 3 answers a map with the server facts', async () => {
    const [mine, theirs] = await Promise.all([a.command('HELLO', '3'), b.command('HELLO', '3')]);
    expect(mine.startsWith('%7\r\n')).toBe(true);
    expect(maskId(mine)).toEqual(maskId(theirs));
  });

  /** Each command with the number of frames it answers (pub/sub confirmations come one per channel). */
  const cases: [string[], number][] = [
    [['FLUSHALL'], 1],
    [['SET', 'k', 'v'], 1],
    [['GET', 'missing'], 1],
    [['MGET', 'k', 'missing'], 1],
    [['CONFIG', 'GET', 'maxmemory'], 1],
    [['CONFIG', 'GET', 'no-such-directive'], 1],
    [['OBJECT', 'ENCODING', 'missing'], 1],
    [['CLIENT', 'GETNAME'], 1],
    [['COMMAND', 'INFO', 'no-such-command'], 1],
    [['SET', 'k', 'v2', 'GET'], 1],
    [['SET', 'nx', 'v', 'XX', 'GET'], 1],
    [['GETEX', 'missing'], 1],
    [['RANDOMKEY'], 1],
    [['INCRBYFLOAT', 'f', '1.5'], 1],
    [['PUBSUB', 'NUMSUB', 'a', 'b'], 1],
    [['HELLO', '4'], 1],
    [['HELLO', '1'], 1],
    [['HELLO', 'x'], 1],
    [['HELLO', '3', 'FOO'], 1],
    [['HELLO', '3', 'AUTH', 'default'], 1],
    [['SUBSCRIBE', 'ch1', 'ch2'], 2],
    [['PING'], 1],
    [['PING', 'x'], 1],
    [['GET', 'k'], 1],
    [['PSUBSCRIBE', 'ch*'], 1],
    [['PUBLISH', 'ch1', 'hello'], 3],
    [['UNSUBSCRIBE', 'ch2'], 1],
    [['PUNSUBSCRIBE'], 1],
    [['UNSUBSCRIBE'], 1],
    [['UNSUBSCRIBE'], 1],
  ];
  const replies = async (r: ReplyReader, args: string[], n: number): Promise<string> => {
    let text = await r.command(...args);
    for (let i = 1; i < n; i++) text += await r.next();
    return text;
  };
  test.each(cases.map(([c, n]) => [c.join(' '), c, n] as const))('%s', async (_name, args, n) => {
    const [mine, theirs] = await Promise.all([replies(a, args, n), replies(b, args, n)]);
    expect(mine).toEqual(theirs);
  });

  test('a subscriber gets published messages as push frames', async () => {
    await Promise.all([a.command('SUBSCRIBE', 'news'), b.command('SUBSCRIBE', 'news')]);
    const [pa, pb] = await Promise.all([ReplyReader.open(servers.ours().port), ReplyReader.open(servers.ref().port)]);
    await Promise.all([pa.command('PUBLISH', 'news', 'flash'), pb.command('PUBLISH', 'news', 'flash')]);
    pa.close();
    pb.close();
    const [mine, theirs] = await Promise.all([a.next(), b.next()]);
    expect(mine).toBe('>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nflash\r\n');
    expect(mine).toEqual(theirs);
    await Promise.all([a.command('UNSUBSCRIBE'), b.command('UNSUBSCRIBE')]);
  });

  test('HELLO 2 goes back to RESP2 shapes', async () => {
    const [mine, theirs] = await Promise.all([a.command('HELLO', '2'), b.command('HELLO', '2')]);
    expect(maskId(mine)).toEqual(maskId(theirs));
    const [m2, t2] = await Promise.all([a.command('GET', 'missing'), b.command('GET', 'missing')]);
    expect(m2).toBe('$-1\r\n');
    expect(m2).toEqual(t2);
  });
});
