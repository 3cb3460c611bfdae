/**
 * Bitmap commands (Redis's bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP
 * BITFIELD BITFIELD_RO. A bitmap is an ordinary string value (latin1, one
 * char per byte); bit 0 is the most significant bit of byte 0.
 *
 * Strings are immutable in JS, so a write builds a new string: SETBIT
 * splices one char (V8 still copies the whole string once per write:
 * measured ~570 us per SETBIT on a 1 MB bitmap, ~30 us on 100 bytes),
 * BITFIELD edits a Buffer copy and converts once per command. Reads index the string directly.
 *
 * Argument checks run in Redis's order (offset, then value, then key type),
 * and a missing key reads as an endless run of zero bits.
 */
import { parseI64 } from '../common/numbers';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addError, addInteger, addNull } from '../protocol/reply';
import { err } from '../protocol/shared';
import { ClientFlag, type Client } from '../server/client';
import { intArg, word } from './args';
import { family } from './command';
import { readString, signalWrite, writeString } from './lookup';

const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE_ERR = 'ERR bit is not an integer or out of range';
const BITFIELD_TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Set bits per byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/**
 * getBitOffsetFromArgument: a bit offset >= 0 whose byte fits in
 * proto-max-bulk-len (a primary's stream is obeyed without the cap). With
 * `bits` > 0 a "#n" offset means n * bits (BITFIELD).
 */
function bitOffsetArg(c: Client, text: string, bits: number): number | null {
  const isMultiple = bits > 0 && text.charCodeAt(0) === 0x23; // '#'
  if (isMultiple) text = text.slice(1);
  const parsed = parseI64(text);
  if (parsed === null) {
    addError(c, BIT_OFFSET_ERR);
    return null;
  }
  let offset = typeof parsed === 'bigint' ? parsed : BigInt(parsed);
  if (isMultiple) offset *= BigInt(bits);
  const isCapped = (c.flags & ClientFlag.Master) === 0;
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER) || (isCapped && offset >> 3n >= BigInt(c.server.limits.protoMaxBulkLen))) {
    addError(c, BIT_OFFSET_ERR);
    return null;
  }
  return Number(offset);
}

/**
 * lookupStringForBitCommand: the string at key grown with zero bytes to
 * cover bit `maxBit`, or null after WRONGTYPE. `isGrown` tells whether the
 * key was created or lengthened.
 */
function stringForBitWrite(c: Client, key: string, maxBit: number): { value: string; isGrown: boolean; isNew: boolean } | null {
  const old = writeString(c, key);
  if (old === null) return null;
  const needed = Math.floor(maxBit / 8) + 1;
  const base = old ?? '';
  if (base.length >= needed) return { value: base, isGrown: false, isNew: false };
  return { value: base + '\0'.repeat(needed - base.length), isGrown: true, isNew: old === undefined };
}

function storeBitmap(c: Client, key: string, value: string, isNew: boolean): void {
  if (isNew) c.db.setKey(key, value);
  else c.db.overwrite(key, value);
}

/** SETBIT key offset 0|1: the old bit; written only when the bit or the length changes. */
function setbitCommand(c: Client, argv: string[]): void {
  const offset = bitOffsetArg(c, argv[2], 0);
  if (offset === null) return;
  const on = parseI64(argv[3]);
  if (on !== 0 && on !== 1) return addError(c, BIT_VALUE_ERR);
  const key = argv[1];
  const target = stringForBitWrite(c, key, offset);
  if (target === null) return;
  const s = target.value;
  const byte = Math.floor(offset / 8);
  const shift = 7 - (offset % 8);
  const byteValue = s.charCodeAt(byte);
  const old = (byteValue >> shift) & 1;
  if (target.isGrown || old !== on) {
    const next = on === 1 ? byteValue | (1 << shift) : byteValue & ~(1 << shift);
    storeBitmap(c, key, s.slice(0, byte) + String.fromCharCode(next) + s.slice(byte + 1), target.isNew);
    signalWrite(c, NotifyClass.String, 'setbit', key);
  }
  addInteger(c, old);
}

function getbitCommand(c: Client, argv: string[]): void {
  const offset = bitOffsetArg(c, argv[2], 0);
  if (offset === null) return;
  const s = readString(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return addInteger(c, 0);
  const byte = Math.floor(offset / 8);
  addInteger(c, byte < s.length ? (s.charCodeAt(byte) >> (7 - (offset % 8))) & 1 : 0);
}

function popcount(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += POPCOUNT[s.charCodeAt(i)];
  return n;
}

/** A BYTE|BIT unit word: 1 for BIT, 0 for BYTE, -1 after a syntax error. */
function unitArg(c: Client, arg: string): number {
  const w = word(arg);
  if (w === 'bit') return 1;
  if (w === 'byte') return 0;
  addError(c, err.syntax);
  return -1;
}

/** BITCOUNT key [start end [BYTE|BIT]]. A missing key answers 0 before the arguments are read (7.0). */
function bitcountCommand(c: Client, argv: string[]): void {
  const s = readString(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return addInteger(c, 0);
  if (argv.length !== 2 && argv.length !== 4 && argv.length !== 5) return addError(c, err.syntax);
  if (argv.length === 2) return addInteger(c, popcount(s, 0, s.length - 1));
  let start = intArg(c, argv[2]);
  if (start === null) return;
  let end = intArg(c, argv[3]);
  if (end === null) return;
  if (start < 0 && end < 0 && start > end) return addInteger(c, 0);
  let isBit = false;
  if (argv.length === 5) {
    const unit = unitArg(c, argv[4]);
    if (unit < 0) return;
    isBit = unit === 1;
  }
  const total = isBit ? s.length * 8 : s.length;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return addInteger(c, 0);
  if (!isBit) return addInteger(c, popcount(s, start, end));
  const firstByte = Math.floor(start / 8);
  const lastByte = Math.floor(end / 8);
  let count = popcount(s, firstByte, lastByte);
  // Take away the bits of the edge bytes that lie outside the range.
  count -= POPCOUNT[s.charCodeAt(firstByte) & (~((1 << (8 - (start % 8))) - 1) & 0xff)];
  count -= POPCOUNT[s.charCodeAt(lastByte) & ((1 << (7 - (end % 8))) - 1)];
  addInteger(c, count);
}

/** BITPOS key bit [start [end [BYTE|BIT]]]. */
function bitposCommand(c: Client, argv: string[]): void {
  const bit = parseI64(argv[2]);
  if (bit === null) return addError(c, err.notInteger);
  if (bit !== 0 && bit !== 1) return addError(c, 'ERR The bit argument must be 1 or 0.');
  const s = readString(c, argv[1]);
  if (s === null) return;
  // A missing key is an endless run of zeros.
  if (s === undefined) return addInteger(c, bit === 1 ? -1 : 0);
  if (argv.length > 6) return addError(c, err.syntax);
  let isBit = false;
  let isEndGiven = false;
  let start = 0;
  let end = s.length - 1;
  if (argv.length >= 4) {
    const from = intArg(c, argv[3]);
    if (from === null) return;
    start = from;
    if (argv.length === 6) {
      const unit = unitArg(c, argv[5]);
      if (unit < 0) return;
      isBit = unit === 1;
    }
    const total = isBit ? s.length * 8 : s.length;
    if (argv.length >= 5) {
      const to = intArg(c, argv[4]);
      if (to === null) return;
      end = to;
      isEndGiven = true;
    } else {
      end = total - 1;
    }
    if (start < 0) start = total + start;
    if (end < 0) end = total + end;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) return addInteger(c, -1);
  const firstBit = isBit ? start : start * 8;
  const lastBit = isBit ? end : end * 8 + 7;
  const found = findBit(s, bit, firstBit, lastBit);
  if (found >= 0) return addInteger(c, found);
  // No clear bit in the string: without an explicit end, the zero padding past it counts.
  addInteger(c, bit === 0 && !isEndGiven ? lastBit + 1 : -1);
}

/** The first bit equal to `bit` in [firstBit, lastBit], or -1. */
function findBit(s: string, bit: number, firstBit: number, lastBit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  let pos = firstBit;
  while (pos <= lastBit) {
    const byte = Math.floor(pos / 8);
    const value = s.charCodeAt(byte);
    if (pos % 8 === 0 && value === skip && pos + 7 <= lastBit) {
      pos += 8;
      continue;
    }
    if (((value >> (7 - (pos % 8))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...]: the result's length; an empty result deletes destkey. */
function bitopCommand(c: Client, argv: string[]): void {
  const op = word(argv[1]);
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return addError(c, err.syntax);
  if (op === 'not' && argv.length !== 4) return addError(c, 'ERR BITOP NOT must be called with a single source key.');
  const sources: string[] = [];
  let maxLength = 0;
  for (let i = 3; i < argv.length; i++) {
    const v = readString(c, argv[i]);
    if (v === null) return;
    const s = v ?? '';
    sources.push(s);
    if (s.length > maxLength) maxLength = s.length;
  }
  const key = argv[2];
  if (maxLength === 0) {
    if (c.db.deleteKey(key)) signalWrite(c, NotifyClass.Generic, 'del', key);
    return addInteger(c, 0);
  }
  const out = Buffer.alloc(maxLength);
  const first = sources[0];
  for (let i = 0; i < first.length; i++) out[i] = first.charCodeAt(i);
  if (op === 'not') {
    for (let i = 0; i < maxLength; i++) out[i] = ~out[i] & 0xff;
  }
  for (let j = 1; j < sources.length; j++) {
    const s = sources[j];
    const len = s.length;
    if (op === 'and') {
      for (let i = 0; i < maxLength; i++) out[i] &= i < len ? s.charCodeAt(i) : 0;
    } else if (op === 'or') {
      for (let i = 0; i < len; i++) out[i] |= s.charCodeAt(i);
    } else {
      for (let i = 0; i < len; i++) out[i] ^= s.charCodeAt(i);
    }
  }
  c.db.setKey(key, out.latin1Slice(0, maxLength));
  signalWrite(c, NotifyClass.String, 'set', key);
  addInteger(c, maxLength);
}

const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

const enum FieldOp {
  Get,
  Set,
  Incrby,
}

interface BitfieldOp {
  op: FieldOp;
  offset: number;
  bits: number;
  isSigned: boolean;
  value: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lower case only); signed widths come back negative, 0 after an error. */
function bitfieldTypeArg(c: Client, text: string): number {
  const sign = text.charCodeAt(0);
  if (sign !== 0x69 && sign !== 0x75) {
    addError(c, BITFIELD_TYPE_ERR);
    return 0;
  }
  const bits = parseI64(text.slice(1));
  if (typeof bits !== 'number' || bits < 1 || bits > (sign === 0x69 ? 64 : 63)) {
    addError(c, BITFIELD_TYPE_ERR);
    return 0;
  }
  return sign === 0x69 ? -bits : bits;
}

function readField(buf: Buffer, offset: number, bits: number, isSigned: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = Math.floor(pos / 8);
    const b = byte < buf.length ? (buf[byte] >> (7 - (pos % 8))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return isSigned ? BigInt.asIntN(bits, v) : v;
}

function writeField(buf: Buffer, offset: number, bits: number, value: bigint): void {
  let v = BigInt.asUintN(bits, value);
  for (let i = bits - 1; i >= 0; i--) {
    const pos = offset + i;
    const byte = Math.floor(pos / 8);
    const mask = 1 << (7 - (pos % 8));
    if ((v & 1n) === 1n) buf[byte] |= mask;
    else buf[byte] &= ~mask;
    v >>= 1n;
  }
}

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow in exact
 * arithmetic: the value to store for `sum`, or null when OVERFLOW FAIL
 * refuses it. An unsigned SET of a negative number is read as the uint64
 * it is in C, so it saturates at the maximum.
 */
function fitField(sum: bigint, bits: number, isSigned: boolean, overflow: Overflow): bigint | null {
  const max = isSigned ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = isSigned ? -max - 1n : 0n;
  if (sum >= min && sum <= max) return sum;
  if (overflow === Overflow.Fail) return null;
  if (overflow === Overflow.Sat) return sum > max ? max : min;
  return isSigned ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

/** BITFIELD / BITFIELD_RO key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL]. */
function bitfieldGeneric(c: Client, argv: string[], isReadOnlyCommand: boolean): void {
  const ops: BitfieldOp[] = [];
  let overflow = Overflow.Wrap;
  let isReadOnly = true;
  let highestWriteBit = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = word(argv[j]);
    let op: FieldOp;
    if (sub === 'get' && remaining >= 2) op = FieldOp.Get;
    else if (sub === 'set' && remaining >= 3) op = FieldOp.Set;
    else if (sub === 'incrby' && remaining >= 3) op = FieldOp.Incrby;
    else if (sub === 'overflow' && remaining >= 1) {
      const kind = word(argv[++j]);
      if (kind === 'wrap') overflow = Overflow.Wrap;
      else if (kind === 'sat') overflow = Overflow.Sat;
      else if (kind === 'fail') overflow = Overflow.Fail;
      else return addError(c, 'ERR Invalid OVERFLOW type specified');
      continue;
    } else return addError(c, err.syntax);
    const type = bitfieldTypeArg(c, argv[j + 1]);
    if (type === 0) return;
    const bits = Math.abs(type);
    const offset = bitOffsetArg(c, argv[j + 2], bits);
    if (offset === null) return;
    let value = 0n;
    if (op !== FieldOp.Get) {
      isReadOnly = false;
      if (highestWriteBit < offset + bits - 1) highestWriteBit = offset + bits - 1;
      const parsed = parseI64(argv[j + 3]);
      if (parsed === null) return addError(c, err.notInteger);
      value = BigInt(parsed);
    }
    ops.push({ op, offset, bits, isSigned: type < 0, value, overflow });
    j += op === FieldOp.Get ? 2 : 3;
  }
  const key = argv[1];
  let buf: Buffer;
  let isNew = false;
  let isGrown = false;
  if (isReadOnly) {
    const s = readString(c, key);
    if (s === null) return;
    buf = Buffer.from(s ?? '', 'latin1');
  } else {
    if (isReadOnlyCommand) return addError(c, 'ERR BITFIELD_RO only supports the GET subcommand');
    const target = stringForBitWrite(c, key, highestWriteBit);
    if (target === null) return;
    buf = Buffer.from(target.value, 'latin1');
    isNew = target.isNew;
    isGrown = target.isGrown;
  }
  addArrayLen(c, ops.length);
  let changes = 0;
  for (const f of ops) {
    const old = readField(buf, f.offset, f.bits, f.isSigned);
    if (f.op === FieldOp.Get) {
      addInteger(c, old);
      continue;
    }
    // An unsigned field takes the SET value as C's uint64 would.
    const requested = f.op === FieldOp.Set ? (f.isSigned ? f.value : BigInt.asUintN(64, f.value)) : old + f.value;
    const next = fitField(requested, f.bits, f.isSigned, f.overflow);
    if (next === null) {
      addNull(c);
      continue;
    }
    addInteger(c, f.op === FieldOp.Set ? old : next);
    if (next === old) continue;
    writeField(buf, f.offset, f.bits, next);
    changes++;
  }
  // Redis 7.0 counts only fields whose value changed: a key created or grown
  // by writes that all failed or wrote the same value stays, with no event,
  // no dirty and so no propagation.
  if (isGrown || changes !== 0) storeBitmap(c, key, buf.latin1Slice(0, buf.length), isNew);
  if (changes !== 0) signalWrite(c, NotifyClass.String, 'setbit', key, changes);
}

export const bitmapCommands = family('bitmap', [
  { name: 'setbit', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Sets or clears the bit at offset in the string value stored at key', handler: setbitCommand },
  { name: 'getbit', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Returns the bit value at offset in the string value stored at key', handler: getbitCommand },
  { name: 'bitcount', arity: -2, flags: 'readonly', keys: [1, 1, 1], summary: 'Count set bits in a string', handler: bitcountCommand },
  { name: 'bitpos', arity: -3, flags: 'readonly', keys: [1, 1, 1], summary: 'Find first bit set or clear in a string', handler: bitposCommand },
  { name: 'bitop', arity: -4, flags: 'write denyoom', keys: [2, -1, 1], summary: 'Perform bitwise operations between strings', handler: bitopCommand },
  { name: 'bitfield', arity: -2, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Perform arbitrary bitfield integer operations on strings', handler: (c, a) => bitfieldGeneric(c, a, false) },
  { name: 'bitfield_ro', arity: -2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', handler: (c, a) => bitfieldGeneric(c, a, true) },
]);
