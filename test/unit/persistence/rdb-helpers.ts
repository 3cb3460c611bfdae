/**
 * RDB test helpers: decode a whole RDB buffer with our reader into plain
 * data (strings, arrays, objects) that tests compare with toEqual, and
 * small builders for hand-made RDB bytes (lengths, strings, ziplists,
 * listpacks) to cover encodings Redis 7.0 no longer writes.
 */
import { crc64 } from '../../../src/persistence/crc64';
import { RdbLoadTarget, RdbReader, ReadStatus } from '../../../src/persistence/rdb-reader';
import type { HashValue } from '../../../src/store/types/hash';
import type { ListValue } from '../../../src/store/types/list';
import type { SetValue } from '../../../src/store/types/set';
import type { ZSetValue } from '../../../src/store/types/zset';
import type { RedisValue } from '../../../src/store/value';

export type Plain = string | ['list', string[]] | ['set', string[]] | ['hash', Record<string, string>] | ['zset', [string, number][]];

export interface PlainKey {
  value: Plain;
  expireAtMs?: number;
  mvcc?: number;
}

export interface Decoded {
  /** db id → key → value (+ expiry) */
  dbs: Record<number, Record<string, PlainKey>>;
  aux: [string, string][];
  warnings: string[];
}

export function plain(v: RedisValue): Plain {
  if (typeof v === 'string') return v;
  switch (v.type) {
    case 'list':
      return ['list', [...(v as ListValue).values()]];
    case 'set':
      return ['set', [...(v as SetValue).members()].sort()];
    case 'hash':
      return ['hash', Object.fromEntries((v as HashValue).entries())];
    case 'zset':
      return ['zset', [...(v as ZSetValue).entries()]];
  }
}

/** Decodes buf, fed in chunks of chunkBytes (1 exercises every retry path). */
export function decode(buf: Buffer, chunkBytes = buf.length, verifyChecksum = true): Decoded {
  const out: Decoded = { dbs: {}, aux: [], warnings: [] };
  const target: RdbLoadTarget = {
    addKey(dbId, key, value, expireAtMs, mvcc) {
      const db = (out.dbs[dbId] ??= {});
      if (key in db) return false;
      const entry: PlainKey = { value: plain(value) };
      if (expireAtMs !== -1) entry.expireAtMs = expireAtMs;
      if (mvcc !== -1) entry.mvcc = mvcc;
      db[key] = entry;
      return true;
    },
    aux(name, value) {
      out.aux.push([name, value]);
    },
    warn(message) {
      out.warnings.push(message);
    },
  };
  const reader = new RdbReader(target, { databases: 16, verifyChecksum });
  let status = ReadStatus.NeedMore;
  for (let at = 0; at < buf.length; at += chunkBytes) {
    reader.feed(buf.subarray(at, Math.min(buf.length, at + chunkBytes)));
    do status = reader.parse(Infinity);
    while (status === ReadStatus.Yield);
    if (status === ReadStatus.Done) break;
  }
  if (status !== ReadStatus.Done) {
    reader.finish();
    status = reader.parse(Infinity);
  }
  if (status !== ReadStatus.Done) throw new Error('reader did not finish');
  return out;
}

/** Strings without their AUX noise: db → key → value. */
export function values(d: Decoded, db = 0): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(d.dbs[db] ?? {})) out[k] = v.value;
  return out;
}

// ---- builders -------------------------------------------------------------

export function len(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

export function str(s: string | Buffer): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([len(bytes.length), bytes]);
}

/** A ziplist of string entries (numbers given as numbers use the int encodings). */
export function ziplist(items: (string | number | bigint)[]): Buffer {
  const entries: Buffer[] = [];
  let prevLen = 0;
  for (const item of items) {
    const prev = prevLen < 254 ? Buffer.from([prevLen]) : Buffer.concat([Buffer.from([0xfe]), u32(prevLen)]);
    let body: Buffer;
    if (typeof item === 'bigint') {
      body = Buffer.alloc(9);
      body[0] = 0xe0;
      body.writeBigInt64LE(item, 1);
    } else if (typeof item === 'number') {
      if (item >= 0 && item <= 12) body = Buffer.from([0xf1 + item]);
      else if (item >= -128 && item <= 127) body = Buffer.from([0xfe, item & 0xff]);
      else if (item >= -32768 && item <= 32767) {
        body = Buffer.alloc(3);
        body[0] = 0xc0;
        body.writeInt16LE(item, 1);
      } else if (item >= -8388608 && item <= 8388607) {
        body = Buffer.alloc(4);
        body[0] = 0xf0;
        body.writeIntLE(item, 1, 3);
      } else {
        body = Buffer.alloc(5);
        body[0] = 0xd0;
        body.writeInt32LE(item, 1);
      }
    } else {
      const bytes = Buffer.from(item, 'latin1');
      const header = bytes.length < 64 ? Buffer.from([bytes.length]) : bytes.length < 16384 ? Buffer.from([0x40 | (bytes.length >> 8), bytes.length & 0xff]) : Buffer.concat([Buffer.from([0x80]), u32be(bytes.length)]);
      body = Buffer.concat([header, bytes]);
    }
    const entry = Buffer.concat([prev, body]);
    entries.push(entry);
    prevLen = entry.length;
  }
  const content = Buffer.concat(entries);
  const total = 10 + content.length + 1;
  const head = Buffer.alloc(10);
  head.writeUInt32LE(total, 0);
  head.writeUInt32LE(total - 1 - prevLen, 4);
  head.writeUInt16LE(items.length, 8);
  return Buffer.concat([head, content, Buffer.from([0xff])]);
}

/** A listpack; numbers use the integer encodings, strings the string ones. */
export function listpack(items: (string | number | bigint)[]): Buffer {
  const entries: Buffer[] = [];
  for (const item of items) {
    let body: Buffer;
    if (typeof item === 'bigint') {
      body = Buffer.alloc(9);
      body[0] = 0xf4;
      body.writeBigInt64LE(item, 1);
    } else if (typeof item === 'number') {
      if (item >= 0 && item <= 127) body = Buffer.from([item]);
      else if (item >= -4096 && item <= 4095) {
        const u = item < 0 ? item + 8192 : item;
        body = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
      } else if (item >= -32768 && item <= 32767) {
        body = Buffer.alloc(3);
        body[0] = 0xf1;
        body.writeInt16LE(item, 1);
      } else if (item >= -8388608 && item <= 8388607) {
        body = Buffer.alloc(4);
        body[0] = 0xf2;
        body.writeIntLE(item, 1, 3);
      } else {
        body = Buffer.alloc(5);
        body[0] = 0xf3;
        body.writeInt32LE(item, 1);
      }
    } else {
      const bytes = Buffer.from(item, 'latin1');
      if (bytes.length < 64) body = Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
      else if (bytes.length < 4096) body = Buffer.concat([Buffer.from([0xe0 | (bytes.length >> 8), bytes.length & 0xff]), bytes]);
      else body = Buffer.concat([Buffer.from([0xf0]), u32(bytes.length), bytes]);
    }
    entries.push(body, backlen(body.length));
  }
  const content = Buffer.concat(entries);
  const head = Buffer.alloc(6);
  head.writeUInt32LE(6 + content.length + 1, 0);
  head.writeUInt16LE(items.length, 4);
  return Buffer.concat([head, content, Buffer.from([0xff])]);
}

function backlen(l: number): Buffer {
  if (l <= 127) return Buffer.from([l]);
  if (l < 16383) return Buffer.from([l >> 7, (l & 127) | 128]);
  return Buffer.from([l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A complete RDB: header, the given body records, EOF and a correct CRC (or none for version < 5). */
export function rdbFile(body: Buffer[], version = 10): Buffer {
  const head = Buffer.from(`REDIS${String(version).padStart(4, '0')}`);
  const content = Buffer.concat([head, ...body, Buffer.from([0xff])]);
  if (version < 5) return content;
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(crc64(content));
  return Buffer.concat([content, sum]);
}
