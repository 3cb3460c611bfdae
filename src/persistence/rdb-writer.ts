/**
 * The RDB encoder: keys and values → RDB version 10 bytes that Redis 7.0
 * loads. Output goes into large chunks (`chunkBytes`, 256 KB by default)
 * handed to `emit` as each fills, so callers write files and sockets in big
 * pieces; `flush` hands over the partial chunk.
 *
 * Encodings, chosen for a simple writer Redis accepts (all verified to load
 * into 7.0.15): strings raw, int-encoded when they are the canonical text of
 * a 32-bit integer, LZF-compressed when `rdbcompression` is on, longer than
 * 20 bytes and at least 4 bytes shorter compressed (rdbSaveRawString's
 * rules); lists as type 1, sets type 2, hashes type 4, sorted sets type 5
 * (binary doubles, highest score first). Redis converts them to its
 * compact encodings on load.
 * Expiries are EXPIRETIME_MS; a KeyDB `mvcc-tstamp` AUX precedes a key that
 * carries one, after its expiry, as KeyDB's rdbSaveKeyValuePair writes it.
 *
 * Owns byte layout only; which keys, in which order, and the checksum are
 * the snapshot's business.
 */
import type { HashValue } from '../store/types/hash';
import type { ListValue } from '../store/types/list';
import type { SetValue } from '../store/types/set';
import type { ZSetValue } from '../store/types/zset';
import type { SortedEntry } from '../store/types/sorted-index';
import type { Collection, RedisValue } from '../store/value';
import { lzfCompress } from './lzf';
import { LZF_MIN_LENGTH, RdbEnc, RdbOpcode, RdbType, RDB_VERSION } from './rdb-format';

export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** Strings up to this length are copied char by char: cheaper than a native call. */
const INLINE_COPY_MAX = 24;
/** LZF input scratch kept between calls; larger strings get a temporary buffer. */
const SCRATCH_KEEP_BYTES = 1024 * 1024;

const NO_CHUNK = Buffer.alloc(0);

/** The plain RDB types Redis 7.0 loads for each of our collections. */
const TYPE_BYTE: Record<Collection['type'], number> = {
  list: RdbType.List,
  set: RdbType.Set,
  hash: RdbType.Hash,
  zset: RdbType.Zset2,
};

/** Where a collection's elements continue: an index, or the next sorted-set entry. */
export type ElementCursor = number | SortedEntry;

let lzfIn = Buffer.allocUnsafe(4096);

export class RdbEncoder {
  /** The chunk being filled; allocated on first use so a finished encoder holds nothing. */
  private buf = NO_CHUNK;
  private pos = 0;
  /** Bytes handed to emit plus bytes buffered: the stream position. */
  private emittedBytes = 0;

  constructor(
    private readonly emit: (chunk: Buffer) => void,
    private readonly isCompressing: boolean,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  /** Bytes encoded so far (emitted or buffered). */
  get bytesWritten(): number {
    return this.emittedBytes + this.pos;
  }

  /** Hands the buffered bytes to emit (at the end, or before a pause). */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.emittedBytes += this.pos;
    this.buf = NO_CHUNK;
    this.pos = 0;
    this.emit(chunk);
  }

  /** Makes room for n more bytes, emitting the chunk when it is full. */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, n));
  }

  // ---- file structure -----------------------------------------------------

  header(): void {
    this.reserve(9);
    this.pos += this.buf.latin1Write(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, this.pos, 9);
  }

  aux(name: string, value: string): void {
    this.byte(RdbOpcode.Aux);
    this.string(name);
    this.string(value);
  }

  selectDb(id: number): void {
    this.byte(RdbOpcode.SelectDb);
    this.length(id);
  }

  resizeDb(keys: number, keysWithExpiry: number): void {
    this.byte(RdbOpcode.ResizeDb);
    this.length(keys);
    this.length(keysWithExpiry);
  }

  eof(): void {
    this.byte(RdbOpcode.Eof);
  }

  /** Raw bytes (the checksum trailer). */
  bytes(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** One key: [expiry] [mvcc-tstamp] type key value. expireAtMs / mvcc are -1 when absent. */
  keyValue(key: string, value: RedisValue, expireAtMs: number, mvcc: number): void {
    const cursor = this.beginKey(key, value, expireAtMs, mvcc);
    if (cursor !== null) this.elements(value as Collection, cursor, Infinity);
  }

  /**
   * A key up to its elements: [expiry] [mvcc-tstamp] type key, then the
   * value of a string (returns null: done) or the length of a collection
   * (returns the cursor of its first element, for `elements`). Lets a
   * snapshot write a big collection across several slices.
   */
  beginKey(key: string, value: RedisValue, expireAtMs: number, mvcc: number): ElementCursor | null {
    if (expireAtMs !== -1) {
      this.reserve(9);
      this.buf[this.pos++] = RdbOpcode.ExpireTimeMs;
      this.int64(expireAtMs);
    }
    if (mvcc !== -1) this.aux('mvcc-tstamp', String(mvcc));
    if (typeof value === 'string') {
      this.byte(RdbType.String);
      this.string(key);
      this.string(value);
      return null;
    }
    this.byte(TYPE_BYTE[value.type]);
    this.string(key);
    this.length(value.size);
    // Highest score first, as rdbSaveObject does: a loader inserting in that order always stops at the head.
    return value.type === 'zset' ? (value as ZSetValue).last : 0;
  }

  /**
   * Up to maxElements elements from cursor; returns where to continue, or
   * null after the last one. Index access (and the sorted set's entry links)
   * rather than the types' generators: no iterator or tuple per element,
   * so a snapshot of big collections leaves little garbage for the GC.
   */
  elements(value: Collection, cursor: ElementCursor, maxElements: number): ElementCursor | null {
    if (value.type === 'zset') {
      let node = cursor as SortedEntry | null;
      for (let n = 0; node !== null && n < maxElements; n++, node = node.backward) {
        this.string(node.member);
        this.reserve(8);
        this.pos = this.buf.writeDoubleLE(node.score, this.pos);
      }
      return node;
    }
    const from = cursor as number;
    const to = Math.min(value.size, from + maxElements);
    if (value.type === 'list') {
      const list = value as ListValue;
      for (let i = from; i < to; i++) this.string(list.at(i));
    } else if (value.type === 'set') {
      const set = value as SetValue;
      for (let i = from; i < to; i++) this.string(set.memberAt(i));
    } else {
      const hash = value as HashValue;
      for (let i = from; i < to; i++) {
        this.string(hash.fieldAt(i));
        this.string(hash.valueAt(i));
      }
    }
    return to < value.size ? to : null;
  }

  // ---- primitives ---------------------------------------------------------

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** 6-bit, 14-bit (big-endian), 0x80 + u32 BE or 0x81 + u64 BE. */
  length(n: number): void {
    this.reserve(9);
    this.lengthOfWidth(n, lengthBytes(n));
  }

  /**
   * n in the encoding `width` bytes long (1, 2, 5 or 9). Any width that
   * holds n is valid to rdbLoadLen, which lets LZF data be written in
   * place before its exact length is known.
   */
  private lengthOfWidth(n: number, width: number): void {
    const buf = this.buf;
    if (width === 1) {
      buf[this.pos++] = n;
    } else if (width === 2) {
      buf[this.pos++] = 0x40 | (n >>> 8);
      buf[this.pos++] = n & 0xff;
    } else if (width === 5) {
      buf[this.pos++] = 0x80;
      this.pos = buf.writeUInt32BE(n, this.pos);
    } else {
      buf[this.pos++] = 0x81;
      this.pos = buf.writeUInt32BE(Math.floor(n / 0x100000000), this.pos);
      this.pos = buf.writeUInt32BE(n >>> 0, this.pos);
    }
  }

  /** A little-endian signed 64-bit integer from a safe JS integer. */
  private int64(n: number): void {
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos = this.buf.writeInt32LE(Math.floor(n / 0x100000000), this.pos);
  }

  /** An RDB string from a latin1 JS string (one char per byte). */
  string(s: string): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const n = encodableInt(s);
      if (n !== null) return this.intString(n);
    }
    if (len > LZF_MIN_LENGTH && this.isCompressing && this.lzfString(s)) return;
    this.reserve(len + 9);
    this.length(len);
    const buf = this.buf;
    if (len <= INLINE_COPY_MAX) {
      let p = this.pos;
      for (let i = 0; i < len; i++) buf[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += buf.latin1Write(s, this.pos, len);
    }
  }

  /** rdbEncodeInteger: the smallest of int8, int16, int32. */
  private intString(n: number): void {
    this.reserve(5);
    const buf = this.buf;
    if (n >= -128 && n <= 127) {
      buf[this.pos++] = 0xc0 | RdbEnc.Int8;
      this.pos = buf.writeInt8(n, this.pos);
    } else if (n >= -32768 && n <= 32767) {
      buf[this.pos++] = 0xc0 | RdbEnc.Int16;
      this.pos = buf.writeInt16LE(n, this.pos);
    } else {
      buf[this.pos++] = 0xc0 | RdbEnc.Int32;
      this.pos = buf.writeInt32LE(n, this.pos);
    }
  }

  /**
   * rdbSaveLzfStringObject: false when LZF does not save at least 4 bytes.
   * Compresses straight into the chunk after a header sized for the
   * largest acceptable result (len - 4), so nothing is copied afterwards.
   */
  private lzfString(s: string): boolean {
    const len = s.length;
    let input = lzfIn;
    if (input.length < len) {
      input = Buffer.allocUnsafe(len);
      if (len <= SCRATCH_KEEP_BYTES) lzfIn = input;
    }
    input.latin1Write(s, 0, len);
    const maxCompressed = len - 4;
    const compressedWidth = lengthBytes(maxCompressed);
    const header = 1 + compressedWidth + lengthBytes(len);
    this.reserve(header + maxCompressed);
    const compressed = lzfCompress(input, 0, len, this.buf, this.pos + header, maxCompressed);
    if (compressed === 0) return false;
    this.buf[this.pos++] = 0xc0 | RdbEnc.Lzf;
    this.lengthOfWidth(compressed, compressedWidth);
    this.lengthOfWidth(len, lengthBytes(len));
    this.pos += compressed;
    return true;
  }
}

/** Bytes of the shortest length encoding of n. */
function lengthBytes(n: number): number {
  return n < 0x40 ? 1 : n < 0x4000 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/**
 * rdbTryIntegerEncoding: the value when s is the canonical decimal text of
 * a 32-bit integer (no sign other than '-', no leading zeros, not "-0"),
 * else null; such strings load back as the same text.
 */
function encodableInt(s: string): number | null {
  const len = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 45) {
    if (len === 1) return null;
    i = 1;
    c = s.charCodeAt(1);
  }
  if (c < 48 || c > 57) return null;
  if (c === 48 && (len > i + 1 || i === 1)) return null;
  let v = 0;
  for (let k = i; k < len; k++) {
    c = s.charCodeAt(k);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (i === 1) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}
