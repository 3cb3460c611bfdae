/**
 * HyperLogLog values in Redis's exact string format (hyperloglog.c), so a
 * GET of an HLL key returns the bytes Redis would hold after the same
 * PFADDs, and a string written by Redis works here:
 *
 *   +------+---+-----+----------+---------------------------------+
 *   | HYLL | E | N/U | Cardin.  | registers (sparse or dense)     |
 *   +------+---+-----+----------+---------------------------------+
 *    4 bytes 1   3    8 bytes LE   16384 registers of 6 bits
 *
 * E is 0 (dense: 12288 bytes of packed registers, little-endian bit order)
 * or 1 (sparse: run-length opcodes). The cardinality is a cache; its most
 * significant bit set means stale.
 *
 * Sparse opcodes:  ZERO  00xxxxxx           1..64 zero registers
 *                  XZERO 01xxxxxx yyyyyyyy  1..16384 zero registers
 *                  VAL   1vvvvvxx           1..4 registers of value 1..32
 *
 * The sparse update (hllSparseSet) is copied step by step, including its
 * local merge of adjacent VAL opcodes, because a canonical re-encoding
 * would produce different bytes than Redis. A sparse value that would pass
 * hll-sparse-max-bytes, or a register above 32, promotes to dense.
 *
 * This file owns the byte format and the estimator; command handling
 * (type checks, replies, notifications) lives in commands/hyperloglog.ts.
 */
import { murmurHash64A, murmurHigh, murmurLow } from '../common/murmur64';

const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
const HLL_Q = 64 - HLL_P;
const HLL_HDR_SIZE = 16;
const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
const HLL_DENSE = 0;
const HLL_SPARSE = 1;
const HLL_SEED = 0xadc83b19;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const CARD_OFFSET = 8;
const ALPHA_INF = 0.72134752044448170368;

/** isHLLObjectOrReply's checks: header size, magic, encoding, dense length. */
export function isHllString(s: string): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (s.charCodeAt(0) !== 0x48 || s.charCodeAt(1) !== 0x59 || s.charCodeAt(2) !== 0x4c || s.charCodeAt(3) !== 0x4c) return false;
  const encoding = s.charCodeAt(4);
  if (encoding > HLL_SPARSE) return false;
  return encoding !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}

/** The cached cardinality, or -1 when the cache is stale. */
export function cachedCardinality(s: string): number {
  if ((s.charCodeAt(CARD_OFFSET + 7) & 0x80) !== 0) return -1;
  let card = 0;
  for (let i = 7; i >= 0; i--) card = card * 256 + s.charCodeAt(CARD_OFFSET + i);
  return card;
}

/** The string with its cardinality cache set to `card`. */
export function withCachedCardinality(s: string, card: number): string {
  let bytes = '';
  let rest = card;
  for (let i = 0; i < 8; i++) {
    bytes += String.fromCharCode(rest % 256);
    rest = Math.floor(rest / 256);
  }
  return s.slice(0, CARD_OFFSET) + bytes + s.slice(CARD_OFFSET + 8);
}

/**
 * An HLL being modified: its bytes in a growable buffer. Built from a stored
 * string (or empty, as createHLLObject), edited, then turned back into the
 * stored string with toValue().
 */
export class HllEditor {
  private buf: Buffer;
  private len: number;

  constructor(value: string | null, private readonly sparseMaxBytes: number) {
    if (value === null) {
      // createHLLObject: header, cache valid at 0, one XZERO covering all registers.
      this.buf = Buffer.alloc(HLL_HDR_SIZE + 2 + 8);
      this.buf.write('HYLL', 0, 'latin1');
      this.buf[4] = HLL_SPARSE;
      this.buf[HLL_HDR_SIZE] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
      this.buf[HLL_HDR_SIZE + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
      this.len = HLL_HDR_SIZE + 2;
    } else {
      this.buf = Buffer.alloc(value.length + 8);
      this.buf.latin1Write(value, 0);
      this.len = value.length;
    }
  }

  toValue(): string {
    return this.buf.latin1Slice(0, this.len);
  }

  isDense(): boolean {
    return this.buf[4] === HLL_DENSE;
  }

  invalidateCache(): void {
    this.buf[CARD_OFFSET + 7] |= 0x80;
  }

  /** hllAdd: 1 when a register grew, 0 when not, -1 on a corrupted sparse value. */
  add(element: string): number {
    murmurHash64A(element, HLL_SEED);
    const index = murmurLow & HLL_P_MASK;
    // Count the run of zeros in hash bits 14..63, plus one (hllPatLen); bit 50 is forced set.
    const lowRest = murmurLow >>> HLL_P;
    let count: number;
    if (lowRest !== 0) count = 32 - Math.clz32(lowRest & -lowRest);
    else if (murmurHigh !== 0) count = 32 - HLL_P + 32 - Math.clz32(murmurHigh & -murmurHigh);
    else count = HLL_Q + 1;
    return this.set(index, count);
  }

  /** Raises register `index` to `count` if lower: 1 changed, 0 not, -1 corrupted. */
  set(index: number, count: number): number {
    if (this.buf[4] === HLL_DENSE) return denseSet(this.buf, index, count);
    return this.sparseSet(index, count);
  }

  /** hllSparseToDense; false when the sparse opcodes do not cover exactly 16384 registers. */
  toDense(): boolean {
    if (this.buf[4] === HLL_DENSE) return true;
    const registers = sparseRegisters(this.buf.latin1Slice(0, this.len));
    if (registers === null) return false;
    const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
    this.buf.copy(dense, 0, 0, HLL_HDR_SIZE);
    dense[4] = HLL_DENSE;
    for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) denseSetRegister(dense, i, registers[i]);
    this.buf = dense;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** Room for `extra` more bytes past len. */
  private reserve(extra: number): void {
    if (this.len + extra + 1 <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra + 8));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** hllSparseSet, step for step (see the file header for why). */
  private sparseSet(index: number, count: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.reserve(5);
    const buf = this.buf;
    let end = this.len;
    const sparse = HLL_HDR_SIZE;
    // Step 1: find the opcode covering the register.
    let p = sparse;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = buf[p];
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if ((op & 0x80) !== 0) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | buf[p + 1]) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = buf[p];
    const isXzero = (op & 0xc0) === 0x40;
    const isZero = (op & 0xc0) === 0;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    let merged = false;
    // Step 2: the trivial in-place cases.
    if (!isZero && !isXzero) {
      const oldCount = ((op >> 2) & 0x1f) + 1;
      if (oldCount >= count) return 0;
      if ((op & 3) === 0) {
        buf[p] = valOpcode(count, 1);
        merged = true;
      }
    } else if (isZero && (op & 0x3f) === 0) {
      buf[p] = valOpcode(count, 1);
      merged = true;
    }
    if (!merged) {
      // General case: split the opcode into up to three (at most 5 bytes).
      const seq: number[] = [];
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) pushZeroRun(seq, index - first);
        seq.push(valOpcode(count, 1));
        if (index !== last) pushZeroRun(seq, last - index);
      } else {
        const current = ((op >> 2) & 0x1f) + 1;
        if (index !== first) seq.push(valOpcode(current, index - first));
        seq.push(valOpcode(count, 1));
        if (index !== last) seq.push(valOpcode(current, last - index));
      }
      // Step 3: substitute the sequence for the old opcode.
      const oldLen = isXzero ? 2 : 1;
      const delta = seq.length - oldLen;
      if (delta > 0 && this.len + delta > this.sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next !== -1) buf.copyWithin(next + delta, next, end);
      this.len += delta;
      for (let i = 0; i < seq.length; i++) buf[p + i] = seq[i];
      end += delta;
    }
    // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
    p = prev !== -1 ? prev : sparse;
    let scanlen = 5;
    while (p < end && scanlen-- > 0) {
      const cur = buf[p];
      if ((cur & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((cur & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && (buf[p + 1] & 0x80) !== 0) {
        const v1 = ((cur >> 2) & 0x1f) + 1;
        const v2 = ((buf[p + 1] >> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const len = (cur & 3) + 1 + (buf[p + 1] & 3) + 1;
          if (len <= SPARSE_VAL_MAX_LEN) {
            buf[p + 1] = valOpcode(v1, len);
            buf.copyWithin(p, p + 1, end);
            this.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return denseSet(this.buf, index, count);
  }
}

function valOpcode(value: number, len: number): number {
  return (((value - 1) << 2) | (len - 1)) | 0x80;
}

/** A ZERO opcode for runs up to 64, else an XZERO (hllSparseSet's split). */
function pushZeroRun(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
  } else {
    seq.push(len - 1);
  }
}

function denseGetRegister(buf: Uint8Array, regnum: number): number {
  const bitPos = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bitPos >> 3);
  const fb = bitPos & 7;
  const b0 = buf[byte];
  const b1 = byte + 1 < buf.length ? buf[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRegister(buf: Uint8Array, regnum: number, value: number): void {
  const bitPos = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bitPos >> 3);
  const fb = bitPos & 7;
  buf[byte] = (buf[byte] & ~(HLL_REGISTER_MAX << fb)) | ((value << fb) & 0xff);
  // The last register's second byte is past the registers: its bits there are always zero.
  if (byte + 1 < HLL_DENSE_SIZE) buf[byte + 1] = (buf[byte + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (value >> (8 - fb));
}

function denseSet(buf: Uint8Array, index: number, count: number): number {
  if (count <= denseGetRegister(buf, index)) return 0;
  denseSetRegister(buf, index, count);
  return 1;
}

/**
 * hllMerge: max[i] = MAX(max[i], register i) for a stored HLL string.
 * False when a sparse value is corrupted.
 */
export function mergeRegisters(max: Uint8Array, s: string): boolean {
  if (s.charCodeAt(4) === HLL_DENSE) {
    const buf = Buffer.from(s, 'latin1');
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGetRegister(buf, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  const registers = sparseRegisters(s);
  if (registers === null) return false;
  for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] > max[i]) max[i] = registers[i];
  return true;
}

/**
 * The registers a sparse string encodes, or null when its opcodes do not
 * cover exactly 16384 of them (Redis's "Corrupted HLL object").
 */
function sparseRegisters(s: string): Uint8Array | null {
  const registers = new Uint8Array(HLL_REGISTERS);
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = s.length;
  while (p < end) {
    const op = s.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | s.charCodeAt(p + 1)) + 1;
      p += 2;
    } else {
      let runlen = (op & 3) + 1;
      const value = ((op >> 2) & 0x1f) + 1;
      if (runlen + i > HLL_REGISTERS) break;
      while (runlen-- > 0) registers[i++] = value;
      p++;
    }
  }
  return i === HLL_REGISTERS ? registers : null;
}

/** hllCount for a stored HLL string; -1 when a sparse value is corrupted. */
export function countHll(s: string): number {
  if (s.charCodeAt(4) === HLL_DENSE) {
    const buf = Buffer.from(s, 'latin1');
    const histogram = new Array<number>(64).fill(0);
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGetRegister(buf, i)]++;
    return estimate(histogram);
  }
  const registers = sparseRegisters(s);
  return registers === null ? -1 : countRegisters(registers);
}

/** hllCount over raw registers (PFCOUNT of several keys). */
export function countRegisters(registers: Uint8Array): number {
  const histogram = new Array<number>(64).fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++;
  return estimate(histogram);
}

/** Ertl's estimator, as hllCount computes it (arXiv:1702.01284). */
function estimate(histogram: number[]): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  // llroundl rounds half away from zero; the estimate is never negative.
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (zPrime !== z);
  return z / 3;
}
