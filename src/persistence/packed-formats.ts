/**
 * Decoders for the compact blobs Redis stores inside RDB strings: listpack
 * (7.0: hashes, sorted sets, quicklist nodes), ziplist (≤ 6.2), intset (sets
 * of integers) and zipmap (≤ 2.4 hashes). Each turns one blob into its
 * elements, integers as their decimal text, because that is how every value
 * type stores them.
 *
 * Read-only and bounds-checked: a blob comes from a file or a socket, so
 * every length is checked against the blob before use and a malformed one
 * throws PackedFormatError (the RDB reader adds the file offset). Writing
 * these formats is not needed: Redis loads the plain RDB types too.
 */

import { storedString } from '../common/short-strings';

export class PackedFormatError extends Error {}

function fail(format: string, reason: string): never {
  throw new PackedFormatError(`${format}: ${reason}`);
}

/**
 * Listpacks and ziplists both start with their total size (u32) and end
 * with 0xFF; the count is a hint that 65535 disables. Checks both ends.
 */
function checkSize(format: string, blob: Buffer, headerBytes: number): void {
  const size = blob.length;
  if (size < headerBytes + 1) fail(format, `blob of ${size} bytes is shorter than a ${format} header`);
  const declared = blob.readUInt32LE(0);
  if (declared !== size) fail(format, `header says ${declared} bytes, blob has ${size}`);
}

function checkEnd(format: string, blob: Buffer, endAt: number, declaredCount: number, found: number): void {
  if (endAt !== blob.length - 1) fail(format, 'bytes after the end marker');
  if (declaredCount !== 0xffff && declaredCount !== found) fail(format, `header counts ${declaredCount} entries, found ${found}`);
}

/** A signed 64-bit little-endian integer as decimal text (exact beyond 2^53). */
function int64Text(blob: Buffer, at: number): string {
  const hi = blob.readInt32LE(at + 4);
  const lo = blob.readUInt32LE(at);
  // |value| < 2^53 when hi fits in 21 bits: the Number is exact.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + lo);
  return blob.readBigInt64LE(at).toString();
}

// ---- listpack ------------------------------------------------------------
//
//   <total-bytes u32><count u16> { <encoding+data> <backlen> }* <0xFF>
//
// backlen is the size of encoding+data in 1..5 bytes; a forward reader only
// needs its width, which follows from that size.

const LISTPACK_HEADER = 6;

function backlenWidth(entryBytes: number): number {
  if (entryBytes <= 127) return 1;
  if (entryBytes < 16383) return 2;
  if (entryBytes < 2097151) return 3;
  if (entryBytes < 268435455) return 4;
  return 5;
}

/** Every element of a listpack, head to tail. */
export function decodeListpack(blob: Buffer): string[] {
  checkSize('listpack', blob, LISTPACK_HEADER);
  const size = blob.length;
  const declaredCount = blob.readUInt16LE(4);
  const out: string[] = [];
  let p = LISTPACK_HEADER;
  for (;;) {
    if (p >= size) fail('listpack', 'missing end marker');
    const b = blob[p];
    if (b === 0xff) break;
    let entry: number; // encoding + data bytes
    let value: string;
    if (b < 0x80) {
      entry = 1;
      value = String(b);
    } else if (b < 0xc0) {
      const len = b & 0x3f;
      entry = 1 + len;
      if (p + entry > size) fail('listpack', 'string runs past the end');
      value = storedString(blob, p + 1, p + entry);
    } else if (b < 0xe0) {
      entry = 2;
      if (p + 2 > size) fail('listpack', 'integer runs past the end');
      const u = ((b & 0x1f) << 8) | blob[p + 1];
      value = String(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) {
      entry = 2 + (((b & 0x0f) << 8) | (p + 1 < size ? blob[p + 1] : 0));
      if (p + entry > size) fail('listpack', 'string runs past the end');
      value = blob.latin1Slice(p + 2, p + entry);
    } else {
      switch (b) {
        case 0xf0: {
          if (p + 5 > size) fail('listpack', 'string length runs past the end');
          entry = 5 + blob.readUInt32LE(p + 1);
          if (p + entry > size) fail('listpack', 'string runs past the end');
          value = blob.latin1Slice(p + 5, p + entry);
          break;
        }
        case 0xf1:
          entry = 3;
          if (p + entry > size) fail('listpack', 'integer runs past the end');
          value = String(blob.readInt16LE(p + 1));
          break;
        case 0xf2:
          entry = 4;
          if (p + entry > size) fail('listpack', 'integer runs past the end');
          value = String(blob.readIntLE(p + 1, 3));
          break;
        case 0xf3:
          entry = 5;
          if (p + entry > size) fail('listpack', 'integer runs past the end');
          value = String(blob.readInt32LE(p + 1));
          break;
        case 0xf4:
          entry = 9;
          if (p + entry > size) fail('listpack', 'integer runs past the end');
          value = int64Text(blob, p + 1);
          break;
        default:
          fail('listpack', `invalid entry encoding 0x${b.toString(16)} at byte ${p}`);
      }
    }
    p += entry + backlenWidth(entry);
    if (p > size) fail('listpack', 'entry runs past the end');
    out.push(value);
  }
  checkEnd('listpack', blob, p, declaredCount, out.length);
  return out;
}

// ---- ziplist -------------------------------------------------------------
//
//   <zlbytes u32><zltail u32><zllen u16> { <prevlen> <encoding> <data> }* <0xFF>

const ZIPLIST_HEADER = 10;

/** Every element of a ziplist, head to tail. */
export function decodeZiplist(blob: Buffer): string[] {
  checkSize('ziplist', blob, ZIPLIST_HEADER);
  const size = blob.length;
  const declaredCount = blob.readUInt16LE(8);
  const out: string[] = [];
  let p = ZIPLIST_HEADER;
  for (;;) {
    if (p >= size) fail('ziplist', 'missing end marker');
    if (blob[p] === 0xff) break;
    // prevlen: one byte below 254, else 0xFE + u32.
    p += blob[p] < 0xfe ? 1 : 5;
    if (p >= size) fail('ziplist', 'entry header runs past the end');
    const b = blob[p];
    const kind = b >>> 6;
    let len: number;
    if (kind === 0) {
      len = b & 0x3f;
      p += 1;
    } else if (kind === 1) {
      if (p + 2 > size) fail('ziplist', 'entry header runs past the end');
      len = ((b & 0x3f) << 8) | blob[p + 1];
      p += 2;
    } else if (b === 0x80) {
      if (p + 5 > size) fail('ziplist', 'entry header runs past the end');
      len = blob.readUInt32BE(p + 1);
      p += 5;
    } else {
      const intBytes = ziplistIntBytes(b);
      if (p + 1 + intBytes > size) fail('ziplist', 'integer runs past the end');
      out.push(ziplistInt(blob, b, p + 1));
      p += 1 + intBytes;
      continue;
    }
    if (p + len > size) fail('ziplist', 'string runs past the end');
    out.push(storedString(blob, p, p + len));
    p += len;
  }
  checkEnd('ziplist', blob, p, declaredCount, out.length);
  return out;
}

function ziplistIntBytes(b: number): number {
  switch (b) {
    case 0xc0:
      return 2;
    case 0xd0:
      return 4;
    case 0xe0:
      return 8;
    case 0xf0:
      return 3;
    case 0xfe:
      return 1;
    default:
      if (b >= 0xf1 && b <= 0xfd) return 0;
      return fail('ziplist', `invalid entry encoding 0x${b.toString(16)}`);
  }
}

function ziplistInt(blob: Buffer, b: number, at: number): string {
  switch (b) {
    case 0xc0:
      return String(blob.readInt16LE(at));
    case 0xd0:
      return String(blob.readInt32LE(at));
    case 0xe0:
      return int64Text(blob, at);
    case 0xf0:
      return String(blob.readIntLE(at, 3));
    case 0xfe:
      return String(blob.readInt8(at));
    default:
      return String((b & 0x0f) - 1); // immediate 0..12
  }
}

// ---- intset --------------------------------------------------------------
//
//   <encoding u32: 2, 4 or 8 bytes per element><count u32> <sorted integers>

/** The members of an intset, ascending. */
export function decodeIntset(blob: Buffer): string[] {
  if (blob.length < 8) fail('intset', `blob of ${blob.length} bytes is shorter than an intset header`);
  const width = blob.readUInt32LE(0);
  const count = blob.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) fail('intset', `invalid encoding ${width}`);
  if (blob.length !== 8 + width * count) fail('intset', `${count} elements of ${width} bytes do not fill ${blob.length - 8} bytes`);
  const out: string[] = new Array(count);
  for (let i = 0, at = 8; i < count; i++, at += width) {
    out[i] = width === 2 ? String(blob.readInt16LE(at)) : width === 4 ? String(blob.readInt32LE(at)) : int64Text(blob, at);
  }
  return out;
}

// ---- zipmap (Redis ≤ 2.4 hashes) -----------------------------------------
//
//   <zmlen> { <len>field <len><free>value <free bytes> }* <0xFF>
//   len: one byte below 254, else 254 + u32 little-endian.

/** Field, value, field, value ... of a zipmap. */
export function decodeZipmap(blob: Buffer): string[] {
  const size = blob.length;
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= size) fail('zipmap', 'length runs past the end');
    const b = blob[p];
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254 && p + 5 <= size) {
      const len = blob.readUInt32LE(p + 1);
      p += 5;
      return len;
    }
    return fail('zipmap', 'invalid length');
  };
  for (;;) {
    if (p >= size) fail('zipmap', 'missing end marker');
    if (blob[p] === 0xff) break;
    const fieldLen = readLen();
    if (p + fieldLen > size) fail('zipmap', 'field runs past the end');
    out.push(blob.latin1Slice(p, p + fieldLen));
    p += fieldLen;
    const valueLen = readLen();
    if (p >= size) fail('zipmap', 'free byte runs past the end');
    const free = blob[p++];
    if (p + valueLen + free > size) fail('zipmap', 'value runs past the end');
    out.push(blob.latin1Slice(p, p + valueLen));
    p += valueLen + free;
  }
  if (p !== size - 1) fail('zipmap', 'bytes after the end marker');
  return out;
}
