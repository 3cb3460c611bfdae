/**
 * Hostile input: malformed RESP, giant lengths and a seeded fuzz loop of
 * random frames over many connections. Every case must end in an error
 * reply or a clean close, the server must never crash, and a client
 * connected meanwhile must keep getting correct answers.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { encodeCommand, replyLength } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True when text is a whole number of well-formed RESP replies. */
function isWellFormedReplies(text: string): boolean {
  let pos = 0;
  while (pos < text.length) {
    let len: number;
    try {
      len = replyLength(text, pos);
    } catch {
      return false;
    }
    if (len <= 0) return false;
    pos += len;
  }
  return true;
}

/** Commands a fuzzed client may send: none stops, pauses or reconfigures the server. */
const SAFE_COMMANDS = ['GET', 'SET', 'DEL', 'INCR', 'APPEND', 'EXPIRE', 'TTL', 'MGET', 'MSET', 'EXISTS', 'TYPE', 'KEYS', 'SCAN', 'ECHO', 'PING', 'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PUBLISH', 'SELECT', 'GETRANGE', 'SETRANGE', 'STRLEN', 'RENAME', 'HELLO', 'CLIENT', 'OBJECT', 'COPY', 'GETEX', 'INCRBYFLOAT', 'NOSUCHCMD'];

function randomFrame(rand: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const arg = () => (rand() < 0.3 ? randomBytes(Math.floor(rand() * 12)) : Buffer.from(pick(['k', 'x', '0', '-1', '1e9', 'nx', 'ex', '10', 'a*', '', 'ch'])));
  const kind = rand();
  if (kind < 0.35) {
    const args: Buffer[] = [Buffer.from(pick(SAFE_COMMANDS))];
    const n = Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) args.push(arg());
    return encodeCommand(args);
  }
  if (kind < 0.5) {
    // A valid frame cut short (a later frame then continues it).
    const full = encodeCommand([Buffer.from(pick(SAFE_COMMANDS)), arg(), arg()]);
    return full.subarray(0, Math.floor(rand() * full.length));
  }
  if (kind < 0.65) return randomBytes(1 + Math.floor(rand() * 64));
  if (kind < 0.8) {
    const header = pick(['*', '$', '*1\r\n$', '*2\r\n$3\r\nGET\r\n$']);
    const n = pick(['99999999999', '-5', '2147483648', '-1', '0', 'abc', '', '1048576', '3', '18446744073709551616', '+1', ' 2']);
    return Buffer.from(`${header}${n}\r\n`, 'latin1');
  }
  if (kind < 0.9) {
    // Inline commands, quotes balanced or not.
    const q = pick(['"', "'", '']);
    return Buffer.from(`${pick(SAFE_COMMANDS)} ${q}a b${rand() < 0.5 ? q : ''} \\x4${pick(['1', 'z'])}\r\n`, 'latin1');
  }
  return Buffer.from(pick(['\r\n', '\n', '*\r\n', '$\r\n', '\r', '*-1\r\n', '*0\r\n', '*1\r\n*1\r\n']), 'latin1');
}

describe('hostile input', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(['--maxclients', '1000']);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  /** Sends bytes on a fresh connection and returns what came back once closed or quiet. */
  const probe = async (bytes: string | Buffer): Promise<{ text: string; closed: boolean }> => {
    const conn = await RawConnection.open(s.port);
    conn.send(bytes);
    await conn.waitFor(() => false, 300);
    const out = { text: conn.text, closed: conn.closed };
    conn.end();
    return out;
  };

  const malformed: [string, string, string][] = [
    ['*99999999999', '*99999999999\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['$-5', '*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['$2147483648', '*1\r\n$2147483648\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['$ with no digits', '*1\r\n$\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['a simple string where a bulk belongs', '*1\r\n+OK\r\n', "-ERR Protocol error: expected '$', got '+'\r\n"],
    ['a NUL where a bulk belongs', '*1\r\n\0\r\n', "-ERR Protocol error: expected '$', got '\0'\r\n"],
    ['*-99999999999999999999', '*-99999999999999999999\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['unbalanced inline quotes', 'SET "a b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
  ];
  test.each(malformed)('%s: an error reply, then a close', async (_name, bytes, expected) => {
    const r = await probe(bytes);
    expect(r).toEqual({ text: expected, closed: true });
  });

  // A declared bulk is assembled in a buffer that doubles as bytes arrive,
  // so a 40-byte frame declaring 512 MB costs nothing up front.
  test('a huge declared bulk that never arrives only waits, and costs no memory up front', async () => {
    const conn = await RawConnection.open(s.port);
    conn.send('*2\r\n$3\r\nGET\r\n$536870912\r\nabc');
    await conn.waitFor(() => false, 200);
    expect(conn.closed).toBe(false);
    const r = s.client();
    const line = ((await r.client('LIST')) as string).split('\n').find((l) => / qbuf=\d+/.test(l) && !l.includes('cmd=client|list'));
    expect(line).toBeDefined();
    const used = Number(/used_memory:(\d+)/.exec((await r.info('memory')) as string)![1]);
    expect(used).toBeLessThan(400 * 1024 * 1024);
    conn.end();
  });

  test('binary garbage in an inline line is an unknown command, not a crash', async () => {
    const r = await probe(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a]));
    expect(r.text.startsWith("-ERR unknown command '")).toBe(true);
    expect(r.closed).toBe(false);
  });

  test('a seeded fuzz loop over many connections: only well-formed replies, the server stays up, an observer keeps working', async () => {
    const seed = 20240607;
    const rand = prng(seed);
    const observer = s.client();
    let observed = 0;
    let isFuzzing = true;
    const watch = (async () => {
      while (isFuzzing) {
        const v = `v${observed}`;
        expect(await observer.set('observer:key', v)).toBe('OK');
        expect(await observer.get('observer:key')).toBe(v);
        expect(await observer.incr('observer:counter')).toBe(observed + 1);
        observed++;
      }
    })();
    const connections = 150;
    const framesPerConnection = 20;
    let closedByServer = 0;
    const batch = async (from: number, to: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: to - from }, async () => {
          const conn = await RawConnection.open(s.port);
          const frames: Buffer[] = [];
          for (let f = 0; f < framesPerConnection; f++) frames.push(randomFrame(rand));
          for (const f of frames) conn.send(f);
          await conn.waitFor(() => false, 150);
          if (conn.closed) closedByServer++;
          const text = conn.text;
          // Whatever came back is whole replies (a trailing error is the protocol error).
          if (!isWellFormedReplies(text)) throw new Error(`seed ${seed}: malformed output ${JSON.stringify(text.slice(0, 200))}`);
          conn.end();
        }),
      );
    };
    for (let i = 0; i < connections; i += 50) await batch(i, Math.min(connections, i + 50));
    isFuzzing = false;
    await watch;
    expect(s.proc.exitCode).toBeNull();
    expect(observed).toBeGreaterThan(0);
    expect(closedByServer).toBeGreaterThan(0);
    expect(await observer.get('observer:counter')).toBe(String(observed));
    expect(await s.client().ping()).toBe('PONG');
    expect(s.output()).not.toMatch(/Internal error while running/);
  });
});
