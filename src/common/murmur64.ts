/**
 * MurmurHash64A, the 64-bit hash Redis's HyperLogLog uses (hyperloglog.c,
 * seed 0xadc83b19): the register an element lands in and its run of zeros
 * both come from it, so it must match bit for bit or our HLL strings would
 * differ from Redis's for the same PFADDs.
 *
 * JS has no 64-bit integers short of BigInt, which allocates per operation;
 * the hash is computed on 32-bit halves instead. The result is left in
 * `murmurHigh` / `murmurLow` (module state, no allocation per call) and read
 * right after the call.
 */

/** High and low 32 bits (unsigned) of the last murmurHash64A result. */
export let murmurHigh = 0;
export let murmurLow = 0;

// The multiplier m = 0xc6a4a7935bd1e995 in halves.
const M_HIGH = 0xc6a4a793;
const M_LOW = 0x5bd1e995;

let productHigh = 0;
let productLow = 0;

/** (aHigh:aLow * bHigh:bLow) mod 2^64 into productHigh:productLow. */
function mul64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
  const a0 = aLow & 0xffff;
  const a1 = aLow >>> 16;
  const b0 = bLow & 0xffff;
  const b1 = bLow >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  productLow = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  productHigh = (carry + Math.imul(aHigh, bLow) + Math.imul(aLow, bHigh)) >>> 0;
}

/** h ^= h >> 47 on the halves. */
function xorShift47(high: number, low: number): void {
  productLow = (low ^ (high >>> 15)) >>> 0;
  productHigh = high;
}

/** MurmurHash64A(data, seed) of a latin1 string (one char per byte). */
export function murmurHash64A(data: string, seed: number): void {
  const len = data.length;
  // h = seed ^ (len * m)
  mul64(0, len, M_HIGH, M_LOW);
  let hHigh = productHigh;
  let hLow = (productLow ^ seed) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLow =
      (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)) >>> 0;
    const kHigh =
      (data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) | (data.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kHigh, kLow, M_HIGH, M_LOW);
    xorShift47(productHigh, productLow);
    mul64(productHigh, productLow, M_HIGH, M_LOW);
    hHigh = (hHigh ^ productHigh) >>> 0;
    hLow = (hLow ^ productLow) >>> 0;
    mul64(hHigh, hLow, M_HIGH, M_LOW);
    hHigh = productHigh;
    hLow = productLow;
  }
  const rest = len & 7;
  if (rest !== 0) {
    // The C switch falls through from case 7 down to case 1, then multiplies.
    for (let j = rest - 1; j >= 0; j--) {
      const byte = data.charCodeAt(blocks + j);
      if (j >= 4) hHigh = (hHigh ^ (byte << ((j - 4) * 8))) >>> 0;
      else hLow = (hLow ^ (byte << (j * 8))) >>> 0;
    }
    mul64(hHigh, hLow, M_HIGH, M_LOW);
    hHigh = productHigh;
    hLow = productLow;
  }
  xorShift47(hHigh, hLow);
  mul64(productHigh, productLow, M_HIGH, M_LOW);
  xorShift47(productHigh, productLow);
  murmurHigh = productHigh;
  murmurLow = productLow;
}
