/**
 * The RDB reader: bytes → keys, for every file Redis 1.x–7.0 writes
 * (versions 1..10): strings (raw, integer, LZF), lists (linked, ziplist,
 * quicklist, quicklist 2), sets (plain, intset), hashes (plain, zipmap,
 * ziplist, listpack), sorted sets (text and binary doubles, ziplist,
 * listpack), expiries in s and ms, SELECTDB, RESIZEDB, AUX fields (KeyDB's
 * per-key `mvcc-tstamp` included), and the CRC64 trailer. Module aux data
 * and function libraries are skipped with a warning; streams are refused.
 *
 * It is a push parser, so one reader serves a file at startup and, later, a
 * replication socket: `feed` bytes as they come, `parse(budgetMs)` decodes
 * whole records until the budget runs out (Yield), the input does (NeedMore)
 * or the file ends (Done). A record (one key with its value, one opcode) is
 * decoded completely before anything is handed to the target; when its bytes
 * are not all here yet it is retried from its start once at least twice as
 * many bytes are buffered, so a huge key costs O(size) in total, not
 * O(size²).
 *
 * Errors are RdbError with the absolute byte offset of the record that is
 * wrong and the reason. The reader never trusts a length before the bytes
 * it announces have arrived, so a corrupt length cannot make it allocate.
 *
 * Owns decoding only: where keys go (and whether expired ones are kept) is
 * the RdbLoadTarget's business.
 */
import { storedString } from '../common/short-strings';
import { parseDouble } from '../common/numbers';
import { HashValue } from '../store/types/hash';
import { ListValue } from '../store/types/list';
import { SetValue } from '../store/types/set';
import { ZSetValue } from '../store/types/zset';
import type { RedisValue } from '../store/value';
import { Crc64 } from './crc64';
import { LzfError, lzfDecompress } from './lzf';
import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap, PackedFormatError } from './packed-formats';
import {
  DOUBLE_NAN_LEN,
  DOUBLE_NEG_INF_LEN,
  DOUBLE_POS_INF_LEN,
  ModuleOpcode,
  moduleTypeName,
  QuicklistContainer,
  RDB_FIRST_VERSION_WITH_CHECKSUM,
  RDB_MIN_VERSION,
  RDB_VERSION,
  RdbEnc,
  RdbOpcode,
  RdbType,
  rdbTypeName,
} from './rdb-format';

export class RdbError extends Error {
  constructor(
    /** Absolute byte offset in the RDB stream of the record found wrong. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} (record at byte offset ${offset})`);
  }
}

/** Where decoded keys go. */
export interface RdbLoadTarget {
  /**
   * One key. expireAtMs is unix ms or -1; mvcc is KeyDB's last `mvcc-tstamp`
   * or -1. Returns false when the db already holds the key (corrupt file).
   */
  addKey(dbId: number, key: string, value: RedisValue, expireAtMs: number, mvcc: number): boolean;
  /** An AUX field other than `mvcc-tstamp` (redis-ver, ctime, repl-id, ...). */
  aux(name: string, value: string): void;
  /** Data we cannot use and skip (module aux, functions, empty keys). */
  warn(message: string): void;
}

export interface RdbReaderOptions {
  databases: number;
  /** rdbchecksum: when false the trailer is not compared (Redis skips it too). */
  verifyChecksum: boolean;
}

export const enum ReadStatus {
  /** Everything buffered was decoded; feed more (or call finish). */
  NeedMore,
  /** The time budget ran out; call parse again. */
  Yield,
  /** The EOF opcode and the checksum were read. */
  Done,
}

const enum Stage {
  Header,
  Records,
  Checksum,
  Done,
}

/** Thrown (as this one object) when a record is not fully buffered yet. */
const NEED_MORE = Symbol('need more input');

/** Records between two clock reads in parse(). */
const RECORDS_PER_CLOCK_CHECK = 32;
/** LZF strings up to this size decompress into one reused buffer. */
const LZF_SCRATCH_KEEP_BYTES = 1024 * 1024;

export class RdbReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** Absolute offset of buf[0] in the stream. */
  private base = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** After a NeedMore: bytes wanted from the record start before retrying. */
  private retryAtBytes = 0;
  /** Where the failed read wanted to get to (for the truncation error). */
  private neededEnd = 0;
  private isInputFinished = false;
  private stage = Stage.Header;
  private readonly crc = new Crc64();
  /** buf index up to which the checksum has been computed. */
  private crcDoneAt = 0;

  version = 0;
  private dbId = 0;
  private expireAtMs = -1;
  /** KeyDB's loader keeps the last mvcc-tstamp for every following key. */
  private mvcc = -1;
  keysRead = 0;
  /** Absolute offset of the record being decoded (error reports). */
  private recordStart = 0;
  private lzfScratch: Buffer = Buffer.allocUnsafe(4096);
  /** Bytes the last readLzf produced. */
  private lzfLength = 0;

  constructor(
    private readonly target: RdbLoadTarget,
    private readonly options: RdbReaderOptions,
  ) {}

  /** The EOF opcode and the checksum (if any) were read. */
  get isDone(): boolean {
    return this.stage === Stage.Done;
  }

  /** Absolute offset of the next byte to decode (progress reports). */
  get offset(): number {
    return this.base + this.pos;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** No more input will come: a record still incomplete is a truncated file. */
  finish(): void {
    this.isInputFinished = true;
  }

  /** Bytes buffered after the end of the RDB (a replication stream continues there). */
  remainder(): Buffer {
    this.absorbPending();
    return this.buf.subarray(this.pos);
  }

  /** Decodes whole records for at most budgetMs (Infinity: until input or file ends). */
  parse(budgetMs: number): ReadStatus {
    if (this.isDone) return ReadStatus.Done;
    if (this.pendingBytes > 0) {
      if (!this.isInputFinished && this.end - this.pos + this.pendingBytes < this.retryAtBytes) return ReadStatus.NeedMore;
      this.absorbPending();
    }
    const deadline = budgetMs === Infinity ? Infinity : performance.now() + budgetMs;
    let records = 0;
    while (!this.isDone) {
      const start = this.pos;
      this.recordStart = this.base + start;
      try {
        if (this.stage === Stage.Records) this.readRecord();
        else if (this.stage === Stage.Header) this.readHeader();
        else this.readChecksum();
      } catch (e) {
        if (e === NEED_MORE) return this.waitForMore(start);
        if (e instanceof PackedFormatError || e instanceof LzfError) throw new RdbError(this.recordStart, e.message);
        throw e;
      }
      this.retryAtBytes = 0;
      if (++records % RECORDS_PER_CLOCK_CHECK === 0 && performance.now() >= deadline) {
        this.checksumUpTo(this.pos);
        return ReadStatus.Yield;
      }
    }
    return ReadStatus.Done;
  }

  private absorbPending(): void {
    if (this.pendingBytes === 0) return;
    const rest = this.end - this.pos;
    this.base += this.pos;
    if (rest === 0 && this.pending.length === 1) this.buf = this.pending[0];
    else this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.pending], rest + this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.pos = 0;
    this.crcDoneAt = 0;
    this.end = this.buf.length;
  }

  /**
   * The checksum covers every byte before it, the EOF opcode included. It is
   * brought up to date in bulk (whole records only) whenever parse returns
   * and before the trailer is compared: long runs checksum faster than one
   * call per record.
   */
  private checksumUpTo(at: number): void {
    if (at > this.crcDoneAt) {
      this.crc.update(this.buf, this.crcDoneAt, at);
      this.crcDoneAt = at;
    }
  }

  private waitForMore(start: number): ReadStatus {
    this.pos = start;
    this.checksumUpTo(start);
    if (this.isInputFinished) {
      throw new RdbError(
        this.base + start,
        `unexpected end of data at byte ${this.base + this.end}: the record needs bytes up to offset ${this.base + this.neededEnd} (truncated file)`,
      );
    }
    // Retry once twice as much is buffered: total work stays linear in the record size.
    this.retryAtBytes = Math.max(this.neededEnd - start, 2 * (this.end - start));
    return ReadStatus.NeedMore;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      this.neededEnd = this.pos + n;
      throw NEED_MORE;
    }
  }

  private corrupt(reason: string): never {
    throw new RdbError(this.recordStart, reason);
  }

  // ---- records -------------------------------------------------------------

  private readHeader(): void {
    this.need(9);
    const magic = this.buf.latin1Slice(0, 5);
    if (magic !== 'REDIS') this.corrupt('Wrong signature trying to load DB from file (no "REDIS" header)');
    const digits = this.buf.latin1Slice(5, 9);
    const version = /^\d{4}$/.test(digits) ? Number(digits) : -1;
    if (version < RDB_MIN_VERSION || version > RDB_VERSION) this.corrupt(`Can't handle RDB format version ${digits}`);
    this.version = version;
    this.pos = 9;
    this.stage = Stage.Records;
  }

  private readChecksum(): void {
    this.checksumUpTo(this.pos);
    this.need(8);
    const at = this.pos;
    this.pos += 8;
    this.stage = Stage.Done;
    if (!this.options.verifyChecksum) return;
    if (this.buf.readBigUInt64LE(at) === 0n) {
      this.target.warn('RDB file was saved with checksum disabled: no check performed.');
      return;
    }
    if (!this.crc.matches(this.buf, at)) {
      const stored = this.buf.readBigUInt64LE(at).toString(16);
      this.corrupt(`Wrong RDB checksum: the file says ${stored}, its bytes give ${this.crc.value().toString(16)}`);
    }
  }

  private readRecord(): void {
    this.need(1);
    const type = this.buf[this.pos++];
    switch (type) {
      case RdbOpcode.ExpireTimeMs: {
        this.need(8);
        const ms = this.buf.readInt32LE(this.pos + 4) * 0x100000000 + this.buf.readUInt32LE(this.pos);
        this.pos += 8;
        this.expireAtMs = ms;
        return;
      }
      case RdbOpcode.ExpireTime: {
        this.need(4);
        this.expireAtMs = this.buf.readInt32LE(this.pos) * 1000;
        this.pos += 4;
        return;
      }
      case RdbOpcode.SelectDb: {
        const id = this.readLength();
        if (id >= this.options.databases) this.corrupt(`FATAL: Data file was created with a Redis server configured to handle more than ${this.options.databases} databases (SELECTDB ${id}).`);
        this.dbId = id;
        return;
      }
      case RdbOpcode.ResizeDb:
        // Table size hints; a JS Map cannot be presized.
        this.readLength();
        this.readLength();
        return;
      case RdbOpcode.Aux: {
        const name = this.readString();
        const value = this.readString();
        if (name === 'mvcc-tstamp') {
          const ts = Number(value);
          if (!Number.isFinite(ts) || ts < 0) this.corrupt(`invalid mvcc-tstamp "${value}"`);
          this.mvcc = ts;
        } else {
          this.target.aux(name, value);
        }
        return;
      }
      case RdbOpcode.Idle:
        this.readLength(); // LRU idle seconds: no LRU clock here.
        return;
      case RdbOpcode.Freq:
        this.need(1); // LFU counter: no LFU here.
        this.pos++;
        return;
      case RdbOpcode.ModuleAux: {
        const id = this.readModuleId();
        const whenOpcode = this.readLength();
        if (whenOpcode !== ModuleOpcode.Uint) this.corrupt(`bad when-opcode ${whenOpcode} in module aux data`);
        this.readLength();
        this.skipModuleValue();
        this.target.warn(`Skipped module aux data of module ${moduleTypeName(id)}: modules are not supported`);
        return;
      }
      case RdbOpcode.Function2: {
        const code = this.readString();
        const firstLine = code.split('\n', 1)[0];
        this.target.warn(`Skipped a function library (${firstLine}): functions are not supported`);
        return;
      }
      case RdbOpcode.Function:
        return this.corrupt('Pre-release function format not supported');
      case RdbOpcode.Eof:
        this.stage = this.version >= RDB_FIRST_VERSION_WITH_CHECKSUM ? Stage.Checksum : Stage.Done;
        return;
      default:
        return this.readKeyValue(type);
    }
  }

  private readKeyValue(type: number): void {
    const key = this.readString();
    const value = this.readValue(type, key);
    const expireAtMs = this.expireAtMs;
    this.expireAtMs = -1;
    this.keysRead++;
    if (value === null) return;
    if (!this.target.addKey(this.dbId, key, value, expireAtMs, this.mvcc)) {
      this.corrupt(`Duplicate key '${printable(key)}' in db ${this.dbId}`);
    }
  }

  /** The value of a key, or null for data we skip (empty collections, module values). */
  private readValue(type: number, key: string): RedisValue | null {
    switch (type) {
      case RdbType.String:
        return this.readString();
      case RdbType.List: {
        const list = new ListValue();
        for (let n = this.readLength(); n > 0; n--) list.pushBack(this.readString());
        return this.nonEmpty(list, key);
      }
      case RdbType.Set: {
        const set = new SetValue();
        for (let n = this.readLength(); n > 0; n--) this.addSetMember(set, this.readString(), key);
        return this.nonEmpty(set, key);
      }
      case RdbType.Zset:
      case RdbType.Zset2: {
        const zset = new ZSetValue();
        for (let n = this.readLength(); n > 0; n--) {
          const member = this.readString();
          this.addZsetMember(zset, member, type === RdbType.Zset2 ? this.readBinaryDouble() : this.readTextDouble(), key);
        }
        return this.nonEmpty(zset, key);
      }
      case RdbType.Hash: {
        const hash = new HashValue();
        for (let n = this.readLength(); n > 0; n--) {
          const field = this.readString();
          this.addHashField(hash, field, this.readString(), key);
        }
        return this.nonEmpty(hash, key);
      }
      case RdbType.ListQuicklist2:
      case RdbType.ListQuicklist: {
        const list = new ListValue();
        for (let nodes = this.readLength(); nodes > 0; nodes--) {
          const container = type === RdbType.ListQuicklist2 ? this.readLength() : QuicklistContainer.Packed;
          if (container === QuicklistContainer.Plain) {
            list.pushBack(this.readString());
            continue;
          }
          if (container !== QuicklistContainer.Packed) this.corrupt(`quicklist node container ${container} is neither plain nor packed`);
          const items = type === RdbType.ListQuicklist2 ? decodeListpack(this.readBlob()) : decodeZiplist(this.readBlob());
          if (items.length === 0) this.corrupt(`empty quicklist node in key '${printable(key)}'`);
          for (const v of items) list.pushBack(v);
        }
        return this.nonEmpty(list, key);
      }
      case RdbType.ListZiplist: {
        const list = new ListValue();
        for (const v of decodeZiplist(this.readBlob())) list.pushBack(v);
        return this.nonEmpty(list, key);
      }
      case RdbType.SetIntset: {
        const set = new SetValue();
        for (const m of decodeIntset(this.readBlob())) this.addSetMember(set, m, key);
        return this.nonEmpty(set, key);
      }
      case RdbType.HashZipmap:
      case RdbType.HashZiplist:
      case RdbType.HashListpack: {
        const blob = this.readBlob();
        const items = type === RdbType.HashListpack ? decodeListpack(blob) : type === RdbType.HashZiplist ? decodeZiplist(blob) : decodeZipmap(blob);
        if (items.length % 2 !== 0) this.corrupt(`hash '${printable(key)}' has an odd number of entries`);
        const hash = new HashValue();
        for (let i = 0; i < items.length; i += 2) this.addHashField(hash, items[i], items[i + 1], key);
        return this.nonEmpty(hash, key);
      }
      case RdbType.ZsetZiplist:
      case RdbType.ZsetListpack: {
        const blob = this.readBlob();
        const items = type === RdbType.ZsetListpack ? decodeListpack(blob) : decodeZiplist(blob);
        if (items.length % 2 !== 0) this.corrupt(`sorted set '${printable(key)}' has an odd number of entries`);
        const zset = new ZSetValue();
        for (let i = 0; i < items.length; i += 2) {
          const score = parseDouble(items[i + 1]);
          if (score === null) this.corrupt(`sorted set '${printable(key)}' has an invalid score "${printable(items[i + 1])}"`);
          this.addZsetMember(zset, items[i], score, key);
        }
        return this.nonEmpty(zset, key);
      }
      case RdbType.Module2: {
        const id = this.readModuleId();
        this.skipModuleValue();
        this.target.warn(`Skipped key '${printable(key)}' holding a value of module ${moduleTypeName(id)}: modules are not supported`);
        return null;
      }
      default:
        return this.corrupt(`key '${printable(key)}' has ${rdbTypeName(type)} (RDB type ${type}), which this server cannot load`);
    }
  }

  private nonEmpty(v: ListValue | SetValue | HashValue | ZSetValue, key: string): RedisValue | null {
    if (v.size > 0) return v;
    this.target.warn(`Skipped empty key '${printable(key)}' (an empty ${v.type} is not a valid value)`);
    return null;
  }

  private addSetMember(set: SetValue, member: string, key: string): void {
    if (!set.add(member)) this.corrupt(`Duplicate set members detected in key '${printable(key)}'`);
  }

  private addHashField(hash: HashValue, field: string, value: string, key: string): void {
    const before = hash.size;
    hash.set(field, value);
    if (hash.size === before) this.corrupt(`Duplicate hash fields detected in key '${printable(key)}'`);
  }

  private addZsetMember(zset: ZSetValue, member: string, score: number, key: string): void {
    if (Number.isNaN(score)) this.corrupt(`Zset with NAN score detected in key '${printable(key)}'`);
    const before = zset.size;
    zset.add(member, score);
    if (zset.size === before) this.corrupt(`Duplicate zset fields detected in key '${printable(key)}'`);
  }

  // ---- primitives ----------------------------------------------------------

  /** A length (never the special string encodings). */
  private readLength(): number {
    this.need(1);
    const b = this.buf[this.pos];
    switch (b >>> 6) {
      case 0:
        this.pos++;
        return b & 0x3f;
      case 1:
        this.need(2);
        this.pos += 2;
        return ((b & 0x3f) << 8) | this.buf[this.pos - 1];
      case 2:
        return this.readWideLength(b);
      default:
        return this.corrupt(`a length was expected, found string encoding byte 0x${b.toString(16)}`);
    }
  }

  /** 0x80 + u32 or 0x81 + u64, both big-endian. */
  private readWideLength(b: number): number {
    if (b === 0x80) {
      this.need(5);
      const v = this.buf.readUInt32BE(this.pos + 1);
      this.pos += 5;
      return v;
    }
    if (b === 0x81) {
      this.need(9);
      const hi = this.buf.readUInt32BE(this.pos + 1);
      const lo = this.buf.readUInt32BE(this.pos + 5);
      if (hi >= 0x200000) this.corrupt(`length ${(BigInt(hi) << 32n) | BigInt(lo)} is beyond what this server can hold`);
      this.pos += 9;
      return hi * 0x100000000 + lo;
    }
    return this.corrupt(`unknown length encoding 0x${b.toString(16)}`);
  }

  /** A module type id: a length-encoded unsigned 64-bit number. */
  private readModuleId(): bigint {
    this.need(1);
    if (this.buf[this.pos] !== 0x81) return BigInt(this.readLength());
    this.need(9);
    const id = this.buf.readBigUInt64BE(this.pos + 1);
    this.pos += 9;
    return id;
  }

  /** rdbLoadCheckModuleValue: walks the self-describing opcodes of module data. */
  private skipModuleValue(): void {
    for (;;) {
      const opcode = this.readLength();
      switch (opcode) {
        case ModuleOpcode.Eof:
          return;
        case ModuleOpcode.Sint:
        case ModuleOpcode.Uint:
          this.readModuleId(); // any 64-bit length-encoded number
          break;
        case ModuleOpcode.String:
          this.readBlob();
          break;
        case ModuleOpcode.Float:
          this.need(4);
          this.pos += 4;
          break;
        case ModuleOpcode.Double:
          this.need(8);
          this.pos += 8;
          break;
        default:
          this.corrupt(`unknown module opcode ${opcode} in module data`);
      }
    }
  }

  /** An RDB string as a latin1 JS string (one char per byte). */
  private readString(): string {
    this.need(1);
    const b = this.buf[this.pos];
    let len: number;
    if (b < 0x40) {
      len = b;
      this.pos++;
    } else if (b < 0x80) {
      this.need(2);
      len = ((b & 0x3f) << 8) | this.buf[this.pos + 1];
      this.pos += 2;
    } else if (b < 0xc0) {
      len = this.readWideLength(b);
    } else {
      this.pos++;
      switch (b & 0x3f) {
        case RdbEnc.Int8:
          this.need(1);
          return String(this.buf.readInt8(this.pos++));
        case RdbEnc.Int16:
          this.need(2);
          this.pos += 2;
          return String(this.buf.readInt16LE(this.pos - 2));
        case RdbEnc.Int32:
          this.need(4);
          this.pos += 4;
          return String(this.buf.readInt32LE(this.pos - 4));
        case RdbEnc.Lzf:
          return this.readLzf(true).latin1Slice(0, this.lzfLength);
        default:
          return this.corrupt(`unknown string encoding 0x${b.toString(16)}`);
      }
    }
    this.need(len);
    this.pos += len;
    return storedString(this.buf, this.pos - len, this.pos);
  }

  /** An RDB string as bytes (a view into the input when stored raw). */
  private readBlob(): Buffer {
    this.need(1);
    const b = this.buf[this.pos];
    if (b >= 0xc0) {
      if ((b & 0x3f) === RdbEnc.Lzf) {
        this.pos++;
        return this.readLzf(false);
      }
      return Buffer.from(this.readString(), 'latin1');
    }
    const len = this.readLength();
    this.need(len);
    this.pos += len;
    return this.buf.subarray(this.pos - len, this.pos);
  }

  /**
   * After the 0xC3 byte: compressed length, original length, LZF data.
   * Returns a buffer whose first `lzfLength` bytes are the data. A string is
   * sliced out at once, so it decompresses into the reused scratch (no
   * Buffer per value); a blob is decoded later, so it gets its own buffer.
   */
  private readLzf(useScratch: boolean): Buffer {
    const compressed = this.readLength();
    const original = this.readLength();
    this.need(compressed);
    // One LZF back-reference of 3 bytes expands to at most 264: anything beyond is corrupt.
    if (original > compressed * 88 + 32) this.corrupt(`LZF string claims ${original} bytes from ${compressed} compressed bytes`);
    let out: Buffer;
    if (!useScratch) out = Buffer.allocUnsafe(original);
    else if (original <= this.lzfScratch.length) out = this.lzfScratch;
    else {
      out = Buffer.allocUnsafe(original);
      if (original <= LZF_SCRATCH_KEEP_BYTES) this.lzfScratch = out;
    }
    lzfDecompress(this.buf, this.pos, this.pos + compressed, out, 0, original);
    this.pos += compressed;
    this.lzfLength = original;
    return out;
  }

  /** ZSET_2 scores: 8-byte little-endian IEEE-754. */
  private readBinaryDouble(): number {
    this.need(8);
    this.pos += 8;
    return this.buf.readDoubleLE(this.pos - 8);
  }

  /** Old ZSET scores: a length byte (253 NaN, 254 +inf, 255 -inf) then ASCII. */
  private readTextDouble(): number {
    this.need(1);
    const len = this.buf[this.pos++];
    if (len === DOUBLE_NAN_LEN) return NaN;
    if (len === DOUBLE_POS_INF_LEN) return Infinity;
    if (len === DOUBLE_NEG_INF_LEN) return -Infinity;
    this.need(len);
    const text = this.buf.latin1Slice(this.pos, this.pos + len);
    this.pos += len;
    const v = parseDouble(text);
    return v === null ? this.corrupt(`invalid score "${printable(text)}"`) : v;
  }
}

/** A key or value for an error message: printable ASCII kept, the rest as \xNN, cut at 64 chars. */
function printable(s: string): string {
  let out = '';
  for (let i = 0; i < s.length && i < 64; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x27 ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
  }
  return s.length > 64 ? out + '...' : out;
}
