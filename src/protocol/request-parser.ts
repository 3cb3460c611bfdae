/**
 * Request parser: socket bytes → argv, for RESP multibulk requests and
 * telnet-style inline lines, pull-based so the caller can stop between
 * commands (a blocked client, a client being closed) and resume later.
 *
 * Why not redis-parser here: it is a reply parser; it cannot read inline
 * commands, cannot enforce proto-max-bulk-len before buffering a giant bulk,
 * and does not report the bytes each frame took, which a replica needs for
 * its replication offset. Requests are only arrays of bulks, so a small
 * dedicated parser is both stricter and faster.
 *
 * Arguments are latin1 strings (one char per byte, so binary-safe): the form
 * the store keeps keys and values in, made once here. A Buffer view per
 * argument, converted again by every handler, cost ~2x the allocation and
 * ~25% of a short command (LPUSH in-process: subarray, FastBuffer, latin1
 * copies and the extra scavenges). Short ones are built in JS
 * (common/latin1.ts). A bulk of 32 KB or more is assembled in
 * its own buffer so a large value arriving in many chunks is copied once,
 * not once per chunk.
 *
 * Limits and their Redis errors (each is followed by a close):
 *   inline line over 64 KB        Protocol error: too big inline request
 *   *<count> line over 64 KB      Protocol error: too big mbulk count string
 *   count not an int / > INT_MAX  Protocol error: invalid multibulk length
 *   element not starting with $   Protocol error: expected '$', got 'x'
 *   bulk length bad / > max       Protocol error: invalid bulk length
 *     (and, once received, a bulk over V8's string limit, 512 MB - 24 bytes)
 *   unauthenticated: count > 10, bulk > 16 KB (Redis's pre-AUTH caps)
 */
import { constants } from 'node:buffer';
import { latin1String } from '../common/latin1';
import { storedString } from '../common/short-strings';
import { splitArgs } from './split-args';

const INLINE_MAX_BYTES = 64 * 1024;
const BIG_ARG_BYTES = 32 * 1024;
/** A big argument's buffer starts at most this large and doubles as bytes arrive. */
const BIG_ARG_FIRST_ALLOC = 1024 * 1024;
const INT_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);
const NO_ARGS: string[] = [];
/** Arrays for up to this many arguments are allocated at their final size. */
const PREALLOCATE_ARGS = 1024;
/** V8's longest string (512 MB - 24 bytes on 64-bit): an argument must fit in one. */
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

export interface ParserLimits {
  maxBulkBytes: number;
  /** True while the client still has to AUTH: Redis caps request sizes then. */
  isUnauthenticated: boolean;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Bytes of buf that are input: buf may be a longer buffer the caller reuses. */
  private end = 0;
  /** Elements still expected in the current multibulk; 0 when between requests. */
  private argsLeft = 0;
  private args: string[] = NO_ARGS;
  private argCount = 0;
  /** The last command name made into a string: a pipeline repeats it, so it is reused when the bytes match. */
  private lastName = '';
  /** Length of the bulk being read, or -1 while its `$` header is pending. */
  private bulkLen = -1;
  /** A big argument being assembled: `bigTarget` bytes (value + CRLF) expected, `bigFilled` received. */
  private big: Buffer | null = null;
  private bigFilled = 0;
  private bigTarget = 0;
  /** Total bytes consumed by completed requests (a replica's processed offset). */
  consumedBytes = 0;
  /** Bytes of the request being parsed so far. */
  private frameBytes = 0;
  /** Bytes of the request last returned by next(). */
  lastFrameBytes = 0;
  /** Set when a protocol error was found; the connection must be closed. */
  error: string | null = null;

  constructor(readonly limits: ParserLimits) {}

  /**
   * Takes bytes [0, length) of chunk. The parser may keep chunk until
   * releaseInput() is called; a caller that reuses its buffer must call it
   * before the next read (the socket's shared read buffer does).
   */
  feed(chunk: Buffer, length = chunk.length): void {
    if (this.big !== null) {
      const take = Math.min(this.bigTarget - this.bigFilled, length);
      this.appendBig(chunk, 0, take);
      if (take === length) return;
      chunk = chunk.subarray(take, length);
      length = chunk.length;
    }
    if (this.pos >= this.end) {
      this.buf = chunk;
      this.end = length;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos, this.end), chunk.subarray(0, length)]);
      this.end = this.buf.length;
    }
    this.pos = 0;
  }

  /**
   * Copies the bytes not parsed yet out of the buffer last fed, so its owner
   * may reuse it. Reads need no copy of their own this way: at -P 1 a read
   * is almost always parsed whole before its handler returns.
   */
  releaseInput(): void {
    if (this.pos >= this.end) {
      this.buf = EMPTY;
      this.pos = 0;
      this.end = 0;
      return;
    }
    const rest = Buffer.allocUnsafe(this.end - this.pos);
    this.buf.copy(rest, 0, this.pos, this.end);
    this.buf = rest;
    this.pos = 0;
    this.end = rest.length;
  }

  /** Bytes received but not yet turned into a command (qbuf in CLIENT LIST). */
  get bufferedBytes(): number {
    return this.end - this.pos + (this.big !== null ? this.bigFilled : 0);
  }

  /**
   * Copies bytes into the big argument, growing its buffer by doubling: a
   * frame that only declares a huge length costs no memory up front.
   */
  private appendBig(src: Buffer, from: number, to: number): void {
    const n = to - from;
    let big = this.big!;
    if (this.bigFilled + n > big.length) {
      let size = big.length;
      while (size < this.bigFilled + n) size *= 2;
      const grown = Buffer.allocUnsafe(Math.min(size, this.bigTarget));
      big.copy(grown, 0, 0, this.bigFilled);
      this.big = big = grown;
    }
    src.copy(big, this.bigFilled, from, to);
    this.bigFilled += n;
  }

  /** Allocated query-buffer memory. */
  get allocatedBytes(): number {
    return this.end + (this.big !== null ? this.big.length : 0);
  }

  /** Returns the next complete request, or null when more bytes are needed or on error. */
  next(): string[] | null {
    for (;;) {
      if (this.error !== null) return null;
      if (this.argsLeft === 0 && this.big === null) {
        if (this.pos >= this.end) {
          this.buf = EMPTY;
          this.pos = 0;
          this.end = 0;
          return null;
        }
        if (this.buf[this.pos] !== 42 /* '*' */) {
          const inline = this.parseInline();
          if (inline === null) return null;
          if (inline.length === 0) continue; // empty line: Redis ignores it
          this.finishFrame();
          return inline;
        }
        if (!this.parseCount()) return null;
        if (this.argsLeft === 0) {
          this.finishFrame();
          continue; // *0 or *-1: nothing to run
        }
      }
      if (!this.parseArgs()) return null;
      const argv = this.args;
      this.args = NO_ARGS;
      this.finishFrame();
      return argv;
    }
  }

  private finishFrame(): void {
    this.lastFrameBytes = this.frameBytes;
    this.consumedBytes += this.frameBytes;
    this.frameBytes = 0;
  }

  private fail(message: string): null {
    this.error = `Protocol error: ${message}`;
    return null;
  }

  private parseInline(): string[] | null {
    const found = this.buf.indexOf(10, this.pos);
    const nl = found < this.end ? found : -1;
    if (nl < 0) {
      if (this.end - this.pos > INLINE_MAX_BYTES) this.fail('too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === 13) end--;
    const line = this.buf.latin1Slice(this.pos, end);
    this.frameBytes += nl + 1 - this.pos;
    this.pos = nl + 1;
    const parts = splitArgs(line);
    if (parts === null) return this.fail('unbalanced quotes in request');
    return parts;
  }

  /** Reads `*<count>\r\n`; false when incomplete or invalid. */
  private parseCount(): boolean {
    const cr = findCr(this.buf, this.pos, this.end);
    if (cr < 0 || cr + 1 >= this.end) {
      if (this.end - this.pos > INLINE_MAX_BYTES) this.fail('too big mbulk count string');
      return false;
    }
    const n = parseDecimal(this.buf, this.pos + 1, cr);
    if (n === null || n > INT_MAX) {
      this.fail('invalid multibulk length');
      return false;
    }
    if (n > 10 && this.limits.isUnauthenticated) {
      this.fail('unauthenticated multibulk length');
      return false;
    }
    this.frameBytes += cr + 2 - this.pos;
    this.pos = cr + 2;
    this.argsLeft = n > 0 ? n : 0;
    // Sized once when the count is plausible (a declared count may never arrive).
    this.args = n > 0 && n <= PREALLOCATE_ARGS ? new Array<string>(n) : [];
    this.argCount = 0;
    this.bulkLen = -1;
    return true;
  }

  private addArg(arg: string): void {
    if (this.argCount < this.args.length) this.args[this.argCount] = arg;
    else this.args.push(arg);
    this.argCount++;
  }

  /** argv[0]: the previous command's name string when the bytes are the same. */
  private commandName(at: number, len: number): string {
    const name = this.lastName;
    const buf = this.buf;
    if (name.length === len) {
      let i = 0;
      while (i < len && buf[at + i] === name.charCodeAt(i)) i++;
      if (i === len) return name;
    }
    const made = latin1String(buf, at, at + len);
    if (len <= 32) this.lastName = made;
    return made;
  }

  private parseArgs(): boolean {
    while (this.argsLeft > 0) {
      if (this.big !== null) {
        if (this.bigFilled < this.bigTarget) return false;
        if (this.bigTarget - 2 > MAX_STRING_LENGTH) {
          this.fail('invalid bulk length');
          return false;
        }
        this.addArg(this.big.latin1Slice(0, this.bigTarget - 2));
        this.big = null;
        this.bigFilled = 0;
        this.bigTarget = 0;
        this.bulkLen = -1;
        this.argsLeft--;
        continue;
      }
      if (this.bulkLen < 0) {
        if (this.pos >= this.end) return false;
        const c = this.buf[this.pos];
        if (c !== 36 /* '$' */) {
          this.fail(`expected '$', got '${String.fromCharCode(c)}'`);
          return false;
        }
        const cr = findCr(this.buf, this.pos, this.end);
        if (cr < 0 || cr + 1 >= this.end) {
          if (this.end - this.pos > INLINE_MAX_BYTES) this.fail('too big bulk count string');
          return false;
        }
        const n = parseDecimal(this.buf, this.pos + 1, cr);
        if (n === null || n < 0 || n > this.limits.maxBulkBytes) {
          this.fail('invalid bulk length');
          return false;
        }
        if (n > 16384 && this.limits.isUnauthenticated) {
          this.fail('unauthenticated bulk length');
          return false;
        }
        this.frameBytes += cr + 2 - this.pos + n + 2;
        this.pos = cr + 2;
        this.bulkLen = n;
        if (n >= BIG_ARG_BYTES && this.end - this.pos < n + 2) {
          // Assemble a large value in one buffer: each later chunk is copied once.
          this.bigTarget = n + 2;
          this.big = Buffer.allocUnsafe(Math.min(this.bigTarget, BIG_ARG_FIRST_ALLOC));
          this.bigFilled = 0;
          this.appendBig(this.buf, this.pos, this.end);
          this.pos = this.end;
          continue;
        }
      }
      if (this.end - this.pos < this.bulkLen + 2) return false;
      const at = this.pos;
      const len = this.bulkLen;
      this.addArg(this.argCount === 0 ? this.commandName(at, len) : storedString(this.buf, at, at + len));
      this.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    return true;
  }
}

/**
 * The next CR at or after `from`, or -1. Length lines are a few bytes long:
 * a JS scan finds their end faster than a call into native indexOf; longer
 * (malformed) lines fall back to it.
 */
function findCr(buf: Buffer, from: number, to: number): number {
  const end = Math.min(to, from + 24);
  for (let i = from; i < end; i++) if (buf[i] === 13) return i;
  if (end >= to) return -1;
  const cr = buf.indexOf(13, end);
  return cr < to ? cr : -1;
}

/**
 * Parses an optionally negative decimal in buf[start, end); null if
 * malformed. Like Redis's string2ll: no leading zeros, no "-0".
 */
function parseDecimal(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 18) return null;
  let i = start;
  let negative = false;
  if (buf[i] === 45) {
    negative = true;
    i++;
    if (i === end) return null;
  }
  if (buf[i] === 48 && (end - i > 1 || negative)) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}
