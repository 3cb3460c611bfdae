import { murmurHash64A, murmurHigh, murmurLow } from '../../../src/common/murmur64';

/** A direct BigInt transcription of MurmurHash64A (Redis's hyperloglog.c) as the oracle. */
function reference(data: Buffer, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  let h = (seed ^ (BigInt(data.length) * m)) & mask;
  const blocks = data.length - (data.length & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = data.readBigUInt64LE(i);
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const rest = data.length & 7;
  if (rest !== 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

function ours(text: string, seed: number): bigint {
  murmurHash64A(text, seed);
  return (BigInt(murmurHigh) << 32n) | BigInt(murmurLow);
}

describe('murmurHash64A', () => {
  it('matches the 64-bit reference for every length 0..40 and random bytes', () => {
    let state = 7;
    for (let len = 0; len <= 40; len++) {
      for (let round = 0; round < 20; round++) {
        const bytes = Buffer.alloc(len);
        for (let i = 0; i < len; i++) {
          state = (state * 1103515245 + 12345) & 0x7fffffff;
          bytes[i] = state & 0xff;
        }
        expect(ours(bytes.latin1Slice(), 0xadc83b19)).toBe(reference(bytes, 0xadc83b19n));
      }
    }
  });
});
