/**
 * RESP2/RESP3 reply encoders. Handlers call these; they append to the
 * client's OutputBuffer and pick the wire form from the client's protocol
 * version (nulls, maps, sets, doubles and pushes differ between 2 and 3).
 * No allocation for small replies: digits and payloads are written in place.
 */
import { JS_COPY_MAX, type OutputBuffer } from '../server/output-buffer';
import { formatDouble } from '../common/numbers';
import { shared } from './shared';

export interface ReplyTarget {
  readonly out: OutputBuffer;
  resp: 2 | 3;
  /** Counts error replies for INFO errorstats. */
  onErrorReply(prefix: string): void;
}


/** Writes the decimal digits of an integer at p; returns the position after them. */
function putInt(b: Buffer, p: number, n: number): number {
  if (n > 0xffffffff || n < -0xffffffff || !Number.isInteger(n)) return p + b.latin1Write(String(n), p);
  if (n < 0) {
    b[p] = 45; // '-'
    return putInt(b, p + 1, -n);
  }
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = (t / 10) >>> 0) digits++;
  let q = p + digits;
  for (let t = n; q > p; t = (t / 10) >>> 0) b[--q] = 48 + (t % 10);
  return p + digits;
}

/** Copies a latin1 string's bytes at p; returns the position after them. */
function putLatin1(b: Buffer, p: number, s: string): number {
  const n = s.length;
  if (n > JS_COPY_MAX) return p + b.latin1Write(s, p);
  for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
  return p + n;
}

/** Writes `<type><n>\r\n` into the buffer. */
function header(out: OutputBuffer, type: number, n: number): void {
  const b = out.reserve(24);
  let p = out.writePos;
  b[p++] = type;
  p = putInt(b, p, n);
  b[p++] = 13;
  b[p++] = 10;
  out.advance(p - out.writePos);
}

export function addRaw(c: ReplyTarget, bytes: Buffer): void {
  c.out.writeBuffer(bytes);
}

export function addOk(c: ReplyTarget): void {
  c.out.writeBuffer(shared.ok);
}

export function addStatus(c: ReplyTarget, text: string): void {
  c.out.writeLatin1('+' + text + '\r\n');
}

/** `text` starts with the error code (ERR, WRONGTYPE...); newlines are flattened as Redis does. */
export function addError(c: ReplyTarget, text: string): void {
  const clean = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? text.replace(/[\r\n]/g, ' ') : text;
  const space = clean.indexOf(' ');
  c.onErrorReply(space > 0 ? clean.slice(0, space) : clean);
  c.out.writeLatin1('-' + clean + '\r\n');
}

export function addInteger(c: ReplyTarget, n: number | bigint): void {
  if (n === 0) return c.out.writeBuffer(shared.zero);
  if (n === 1) return c.out.writeBuffer(shared.one);
  if (typeof n === 'bigint') return c.out.writeLatin1(':' + n.toString() + '\r\n');
  header(c.out, 58 /* ':' */, n);
}

export function addBulk(c: ReplyTarget, s: string): void {
  const out = c.out;
  const n = s.length;
  if (n >= 4096) {
    header(out, 36, n);
    out.writeLatin1(s);
    out.writeLatin1('\r\n');
    return;
  }
  const b = out.reserve(n + 24);
  let p = out.writePos;
  b[p++] = 36; // '$'
  p = putInt(b, p, n);
  b[p++] = 13;
  b[p++] = 10;
  p = putLatin1(b, p, s);
  b[p++] = 13;
  b[p++] = 10;
  out.advance(p - out.writePos);
}

export function addBulkBuffer(c: ReplyTarget, data: Buffer): void {
  header(c.out, 36, data.length);
  c.out.writeBuffer(data);
  c.out.writeLatin1('\r\n');
}

export function addBulkOrNull(c: ReplyTarget, s: string | undefined | null): void {
  if (s === undefined || s === null) addNull(c);
  else addBulk(c, s);
}

/** A missing string: `$-1` in RESP2, `_` in RESP3. */
export function addNull(c: ReplyTarget): void {
  c.out.writeBuffer(c.resp === 3 ? shared.null3 : shared.nullBulk2);
}

/** A missing array: `*-1` in RESP2, `_` in RESP3. */
export function addNullArray(c: ReplyTarget): void {
  c.out.writeBuffer(c.resp === 3 ? shared.null3 : shared.nullArray2);
}

export function addArrayLen(c: ReplyTarget, n: number): void {
  header(c.out, 42 /* '*' */, n);
}

/** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
export function addMapLen(c: ReplyTarget, n: number): void {
  if (c.resp === 3) header(c.out, 37 /* '%' */, n);
  else header(c.out, 42, n * 2);
}

export function addSetLen(c: ReplyTarget, n: number): void {
  header(c.out, c.resp === 3 ? 126 /* '~' */ : 42, n);
}

/** Out-of-band data (pub/sub messages): `>n` in RESP3, an array in RESP2. */
export function addPushLen(c: ReplyTarget, n: number): void {
  header(c.out, c.resp === 3 ? 62 /* '>' */ : 42, n);
}

export function addDouble(c: ReplyTarget, d: number): void {
  const text = formatDouble(d);
  if (c.resp === 3) c.out.writeLatin1(',' + text + '\r\n');
  else addBulk(c, text);
}

export function addBool(c: ReplyTarget, v: boolean): void {
  if (c.resp === 3) c.out.writeLatin1(v ? '#t\r\n' : '#f\r\n');
  else c.out.writeBuffer(v ? shared.one : shared.zero);
}

/** Human-readable text (INFO, CLIENT LIST): verbatim `=` in RESP3, bulk in RESP2. */
export function addVerbatim(c: ReplyTarget, text: string, format = 'txt'): void {
  if (c.resp !== 3) return addBulk(c, text);
  header(c.out, 61 /* '=' */, text.length + 4);
  c.out.writeLatin1(format + ':' + text);
  c.out.writeLatin1('\r\n');
}

export function addBulkArray(c: ReplyTarget, items: readonly string[]): void {
  addArrayLen(c, items.length);
  for (let i = 0; i < items.length; i++) addBulk(c, items[i]);
}
