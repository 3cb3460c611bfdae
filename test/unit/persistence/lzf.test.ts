import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LzfError, lzfCompress, lzfDecompress } from '../../../src/persistence/lzf';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rdb');

function roundTrip(input: Buffer): Buffer | null {
  const out = Buffer.alloc(input.length + 64);
  const n = lzfCompress(input, 0, input.length, out, 0, input.length + 64);
  if (n === 0) return null;
  const back = Buffer.alloc(input.length);
  lzfDecompress(out, 0, n, back, 0, input.length);
  return back;
}

test('decompresses the stream Redis 7.0 wrote for str:long in fixture b', () => {
  const file = readFileSync(join(FIXTURES, 'b_strings.rdb'));
  const at = file.indexOf(Buffer.from([0xc3, 0x12, 0x40, 0xc8]));
  expect(at).toBeGreaterThan(0);
  const out = Buffer.alloc(200);
  lzfDecompress(file, at + 4, at + 4 + 18, out, 0, 200);
  expect(out.toString('latin1')).toBe('abcdefghij'.repeat(20));
});

test('the worked example from the notes: literal, long back-reference, literal', () => {
  const stream = Buffer.concat([Buffer.from([0x0a]), Buffer.from('abcdefghija'), Buffer.from([0xe0, 0xb2, 0x09, 0x01]), Buffer.from('ij')]);
  const out = Buffer.alloc(200);
  lzfDecompress(stream, 0, stream.length, out, 0, 200);
  expect(out.toString()).toBe('abcdefghij'.repeat(20));
});

test('compresses repetitive data and round-trips', () => {
  const input = Buffer.from('abcdefghij'.repeat(20));
  const out = Buffer.alloc(400);
  const n = lzfCompress(input, 0, input.length, out, 0, input.length - 4);
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThan(30);
  expect(roundTrip(input)).toEqual(input);
});

test('returns 0 when the output budget is too small (incompressible data)', () => {
  const input = Buffer.alloc(100);
  for (let i = 0; i < input.length; i++) input[i] = (i * 151 + 13) & 0xff;
  const out = Buffer.alloc(200);
  expect(lzfCompress(input, 0, input.length, out, 0, input.length - 4)).toBe(0);
});

test('round-trips random inputs of every shape, including binary and offsets inside larger buffers', () => {
  for (let t = 0; t < 2000; t++) {
    const len = 1 + Math.floor(Math.random() * 2000);
    const input = Buffer.alloc(len);
    const alphabet = 1 + Math.floor(Math.random() * 255);
    for (let i = 0; i < len; i++) {
      input[i] = i > 20 && Math.random() < 0.3 ? input[i - 1 - Math.floor(Math.random() * 20)] : Math.floor(Math.random() * alphabet);
    }
    const back = roundTrip(input);
    if (back !== null) expect(back.equals(input)).toBe(true);
  }
  // Source and destination at non-zero offsets; references longer than 264 bytes (MAX_REF splits them).
  const big = Buffer.concat([Buffer.from('xx'), Buffer.alloc(5000, 'z'), Buffer.from('yy')]);
  const out = Buffer.alloc(6000);
  const n = lzfCompress(big, 2, big.length - 2, out, 10, 4000);
  expect(n).toBeGreaterThan(0);
  const back = Buffer.alloc(5000);
  lzfDecompress(out, 10, 10 + n, back, 0, 5000);
  expect(back.equals(Buffer.alloc(5000, 'z'))).toBe(true);
});

test('corrupt streams are rejected, never read or written out of bounds', () => {
  const out = Buffer.alloc(10);
  expect(() => lzfDecompress(Buffer.from([0x05, 0x61]), 0, 2, out, 0, 6)).toThrow(LzfError);
  expect(() => lzfDecompress(Buffer.from([0x00, 0x61, 0x20, 0x05]), 0, 4, out, 0, 4)).toThrow(/before the start/);
  expect(() => lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63]), 0, 4, out, 0, 5)).toThrow(/expected 5/);
  expect(() => lzfDecompress(Buffer.from([0x09, 0x61]), 0, 2, out, 0, 4)).toThrow(LzfError);
  expect(() => lzfDecompress(Buffer.from([0x00, 0x61, 0xe0]), 0, 3, out, 0, 10)).toThrow(/cut short/);
});
