/**
 * CRC-64/Jones, the checksum that ends every RDB file (Redis's crc64.c):
 * polynomial 0xad93d23594c935a9, reflected in and out, initial value 0, no
 * final xor. The check value of ASCII "123456789" is 0xe9c6d914c4b8d9ca.
 *
 * It runs over every byte we save or load, so it is slice-by-8 over two
 * 32-bit halves: eight 256-entry tables (built once, BigInt-free) let one
 * loop step consume eight bytes with sixteen table reads and no 64-bit math.
 * A `Crc64` carries the running state, so a stream can be checksummed chunk
 * by chunk as it is produced or received.
 */

/** The reflected polynomial 0x95ac9329ac4bc9b5, as two 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** TABLE_LO[k * 256 + b], TABLE_HI[...]: table k of slice-by-8 (table 0 is the classic one). */
const TABLE_LO = new Int32Array(8 * 256);
const TABLE_HI = new Int32Array(8 * 256);

(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let lo = b;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const isOdd = lo & 1;
      lo = (lo >>> 1) | ((hi & 1) << 31);
      hi = hi >>> 1;
      if (isOdd !== 0) {
        lo ^= POLY_LO;
        hi ^= POLY_HI;
      }
    }
    TABLE_LO[b] = lo;
    TABLE_HI[b] = hi;
  }
  // Table k advances table k-1 by one more zero byte: t_k[b] = t_0[t_{k-1}[b] & 0xff] ^ (t_{k-1}[b] >> 8).
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + b];
      const prevHi = TABLE_HI[(k - 1) * 256 + b];
      const idx = prevLo & 0xff;
      TABLE_LO[k * 256 + b] = TABLE_LO[idx] ^ ((prevLo >>> 8) | (prevHi << 24));
      TABLE_HI[k * 256 + b] = TABLE_HI[idx] ^ (prevHi >>> 8);
    }
  }
})();

export class Crc64 {
  /** Low and high 32 bits of the running CRC (signed storage, compared as bits). */
  lo = 0;
  hi = 0;

  /** Feeds bytes [start, end) of buf. */
  update(buf: Uint8Array, start = 0, end = buf.length): void {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const tLo = TABLE_LO;
    const tHi = TABLE_HI;
    // Byte-at-a-time until eight bytes remain in bulk, then eight at a time.
    const bulkEnd = end - ((end - i) & 7);
    while (i < bulkEnd) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = tLo[i7] ^ tLo[i6] ^ tLo[i5] ^ tLo[i4] ^ tLo[i3] ^ tLo[i2] ^ tLo[i1] ^ tLo[i0];
      hi = tHi[i7] ^ tHi[i6] ^ tHi[i5] ^ tHi[i4] ^ tHi[i3] ^ tHi[i2] ^ tHi[i1] ^ tHi[i0];
      i += 8;
    }
    while (i < end) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = tLo[idx] ^ ((lo >>> 8) | (hi << 24));
      hi = tHi[idx] ^ (hi >>> 8);
      i++;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** The 8 bytes Redis stores after the EOF opcode (little-endian). */
  digestBytes(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeInt32LE(this.lo, 0);
    out.writeInt32LE(this.hi, 4);
    return out;
  }

  /** True when the 8 bytes at buf[offset] equal the running CRC. */
  matches(buf: Uint8Array, offset: number): boolean {
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    return view.readInt32LE(offset) === this.lo && view.readInt32LE(offset + 4) === this.hi;
  }

  /** The CRC as an unsigned 64-bit value (tests and logs only). */
  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

/** CRC-64/Jones of a whole buffer. */
export function crc64(buf: Uint8Array): bigint {
  const c = new Crc64();
  c.update(buf);
  return c.value();
}
