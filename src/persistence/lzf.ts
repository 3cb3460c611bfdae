/**
 * LZF, the compressor Redis uses for RDB strings (liblzf 3.6, lzf_c.c and
 * lzf_d.c, as vendored in Redis). Owns the byte format only; when to
 * compress (strings over 20 bytes that shrink by at least 4) is the RDB
 * writer's rule.
 *
 * Stream format: a control byte c < 32 starts a literal run of c + 1 bytes;
 * c >= 32 is a back-reference of (c >> 5) + 2 bytes (length 7 reads one more
 * length byte) at distance ((c & 31) << 8 | next byte) + 1. References may
 * overlap their own output, so they copy byte by byte.
 *
 * The compressor is a port of lzf_compress (VERY_FAST variant) with a smaller
 * hash table: every valid stream decompresses the same, and a 16K-slot table
 * stays in cache for the short values RDB files are made of. The table is
 * never cleared: each call owns a fresh range of stored positions
 * (`generation`), so stale slots from earlier calls read as empty.
 */

const HLOG = 14;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

export class LzfError extends Error {}

/** Last position + 1 seen per hash of three bytes, offset by the call's generation base. */
const htab = new Int32Array(HSIZE);
let generation = 0;

function hashIndex(v: number): number {
  return (((v ^ (v << 5)) >>> (24 - HLOG)) - v * 5) & (HSIZE - 1);
}

/**
 * Compresses src[srcStart, srcEnd) into dst starting at dstStart, using at
 * most maxOut bytes. Returns the compressed length, or 0 when the result
 * would not fit (the caller then stores the bytes raw).
 */
export function lzfCompress(src: Uint8Array, srcStart: number, srcEnd: number, dst: Uint8Array, dstStart: number, maxOut: number): number {
  const inLen = srcEnd - srcStart;
  if (inLen === 0 || maxOut === 0) return 0;
  if (generation > 0x7fffffff - inLen - 2) {
    htab.fill(0);
    generation = 0;
  }
  // Slots hold base + position + 1; anything <= callStart belongs to an earlier call.
  const callStart = generation;
  const base = callStart - srcStart;
  generation += inLen + 1;
  const outEnd = dstStart + maxOut;
  let ip = srcStart;
  let op = dstStart + 1; // room for the first run's control byte
  let lit = 0;
  let hval = (src[ip] << 8) | src[ip + 1];
  while (ip < srcEnd) {
    if (ip < srcEnd - 2) {
      hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
      const slot = hashIndex(hval);
      const stored = htab[slot];
      htab[slot] = base + ip + 1;
      const ref = stored - base - 1;
      let off: number;
      if (stored > callStart && ref < ip && (off = ip - ref - 1) < MAX_OFF && ref >= srcStart && src[ref + 2] === src[ip + 2] && src[ref] === src[ip] && src[ref + 1] === src[ip + 1]) {
        let len = 2;
        let maxLen = srcEnd - ip - len;
        if (maxLen > MAX_REF) maxLen = MAX_REF;
        if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
        dst[op - lit - 1] = lit - 1; // close the literal run
        if (lit === 0) op--; // an empty run takes no control byte
        do len++;
        while (len < maxLen && src[ref + len] === src[ip + len]);
        len -= 2; // the stream stores length - 2 ...
        ip++;
        if (len < 7) {
          dst[op++] = (off >>> 8) + (len << 5);
        } else {
          dst[op++] = (off >>> 8) + (7 << 5);
          dst[op++] = len - 7;
        }
        dst[op++] = off & 0xff;
        lit = 0;
        op++; // start a new run
        ip += len + 1;
        if (ip < srcEnd - 2) {
          // VERY_FAST: hash the two positions just before ip so the next matches can find them.
          ip -= 2;
          hval = (src[ip] << 8) | src[ip + 1];
          hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
          htab[hashIndex(hval)] = base + ip + 1;
          ip++;
          hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
          htab[hashIndex(hval)] = base + ip + 1;
          ip++;
        }
        continue;
      }
    }
    if (op >= outEnd) return 0;
    lit++;
    dst[op++] = src[ip++];
    if (lit === MAX_LIT) {
      dst[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  dst[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  if (op > outEnd) return 0;
  return op - dstStart;
}

/**
 * Decompresses src[srcStart, srcEnd) into dst[dstStart, dstStart + outLen).
 * Throws LzfError on a malformed stream or when the output length differs
 * from outLen (Redis treats both as a corrupt file).
 */
export function lzfDecompress(src: Uint8Array, srcStart: number, srcEnd: number, dst: Uint8Array, dstStart: number, outLen: number): void {
  let ip = srcStart;
  let op = dstStart;
  const outEnd = dstStart + outLen;
  while (ip < srcEnd) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outEnd) throw new LzfError('literal run past the declared length');
      if (ip + ctrl > srcEnd) throw new LzfError('literal run past the compressed data');
      for (let i = 0; i < ctrl; i++) dst[op++] = src[ip++];
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= srcEnd) throw new LzfError('back-reference cut short');
        len += src[ip++];
      }
      if (ip >= srcEnd) throw new LzfError('back-reference cut short');
      const ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
      len += 2;
      if (op + len > outEnd) throw new LzfError('back-reference past the declared length');
      if (ref < dstStart) throw new LzfError('back-reference before the start of the output');
      for (let i = 0; i < len; i++) dst[op++] = dst[ref + i];
    }
  }
  if (op !== outEnd) throw new LzfError(`decompressed to ${op - dstStart} bytes, expected ${outLen}`);
}
