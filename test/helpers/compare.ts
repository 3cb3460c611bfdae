/**
 * Side-by-side replies: sends the same command to our server and to the
 * reference Redis over raw RESP and returns both reply byte strings, so a
 * test can assert they are identical (shapes, error texts, number formats).
 */
import Redis from 'ioredis';
import { RawConnection } from './raw';
import { closeClients, startServer, RunningServer } from './server';
import { startReference, ReferenceServer } from './reference';

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length of the first complete RESP reply in text, or -1 when incomplete. */
export function replyLength(text: string, from = 0): number {
  const nl = text.indexOf('\r\n', from);
  if (nl < 0) return -1;
  const type = text[from];
  const head = text.slice(from + 1, nl);
  const after = nl + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after - from;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return after - from;
      return text.length >= after + n + 2 ? after + n + 2 - from : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(head);
      if (n < 0) return after - from;
      if (type === '%' || type === '|') n *= 2;
      let pos = after;
      for (let i = 0; i < n; i++) {
        const len = replyLength(text, pos);
        if (len < 0) return -1;
        pos += len;
      }
      return pos - from;
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(type)} in ${JSON.stringify(text.slice(from, from + 40))}`);
  }
}

/** A raw connection that sends one command and returns exactly one reply. */
export class ReplyReader {
  private consumed = 0;
  constructor(readonly conn: RawConnection) {}

  static async open(port: number): Promise<ReplyReader> {
    return new ReplyReader(await RawConnection.open(port));
  }

  async command(...args: (string | Buffer)[]): Promise<string> {
    this.conn.send(encodeCommand(args));
    return this.next();
  }

  async next(): Promise<string> {
    let len = -1;
    const text = await this.conn.waitFor((t) => {
      len = t.length > this.consumed ? replyLength(t, this.consumed) : -1;
      return len >= 0;
    });
    if (len < 0) throw new Error(`no complete reply; got ${JSON.stringify(text.slice(this.consumed))}`);
    const reply = text.slice(this.consumed, this.consumed + len);
    this.consumed += len;
    return reply;
  }

  close(): void {
    this.conn.end();
  }
}

/** Both servers' replies to each command, for expect(ours).toEqual(theirs). */
export async function bothReply(ours: ReplyReader, theirs: ReplyReader, ...args: (string | Buffer)[]): Promise<[string, string]> {
  return [await ours.command(...args), await theirs.command(...args)];
}

/**
 * Our server and a reference Redis for one describe block (both given
 * `args`), each with a raw connection; the accessors are valid inside tests.
 */
export function sideBySide(args: string[] = []): { a: () => ReplyReader; b: () => ReplyReader; ours: () => RunningServer; ref: () => ReferenceServer; ourPort: () => number; refPort: () => number } {
  let ours: RunningServer;
  let ref: ReferenceServer;
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(args), startReference(args)]);
    [a, b] = await Promise.all([ReplyReader.open(ours.port), ReplyReader.open(ref.port)]);
  });
  afterAll(async () => {
    a.close();
    b.close();
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });
  return { a: () => a, b: () => b, ours: () => ours, ref: () => ref, ourPort: () => ours.port, refPort: () => ref.port };
}

/**
 * Sends every case to both servers; returns a readable line per differing
 * reply ([] when all are identical). `normalize` may reorder replies whose
 * order Redis does not define.
 */
export async function replyMismatches<T>(a: ReplyReader, b: ReplyReader, cases: readonly T[], argsOf: (c: T) => string[], normalize: (c: T, reply: string) => string = (_c, r) => r): Promise<string[]> {
  const out: string[] = [];
  for (const k of cases) {
    const args = argsOf(k);
    const [mine, theirs] = await Promise.all([a.command(...args), b.command(...args)]);
    const [m, t] = [normalize(k, mine), normalize(k, theirs)];
    if (m !== t) out.push(`${args.join(' ').slice(0, 80)}\n  ours:   ${JSON.stringify(m).slice(0, 300)}\n  redis:  ${JSON.stringify(t).slice(0, 300)}`);
  }
  return out;
}

/** The keyspace events (`channel message`) a script causes on a server with notify-keyspace-events KEA. */
export async function keyspaceEvents(port: number, run: (r: Redis) => Promise<unknown>): Promise<string[]> {
  const r = new Redis({ port, host: '127.0.0.1' });
  const sub = new Redis({ port, host: '127.0.0.1' });
  const seen: string[] = [];
  await r.flushall();
  await r.config('SET', 'notify-keyspace-events', 'KEA');
  sub.on('pmessage', (_p: string, ch: string, msg: string) => seen.push(`${ch} ${msg}`));
  await sub.psubscribe('__key*__:*');
  await run(r);
  await r.ping();
  await new Promise((res) => setTimeout(res, 100));
  await r.config('SET', 'notify-keyspace-events', '');
  r.disconnect();
  sub.disconnect();
  return seen;
}
