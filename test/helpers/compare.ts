/**
 * Side-by-side replies: sends the same command to our server and to the
 * reference Redis over raw RESP and returns both reply byte strings, so a
 * test can assert they are identical (shapes, error texts, number formats).
 */
import { RawConnection } from './raw';

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
