import { latin1String } from '../../../src/common/latin1';

test('latin1String gives latin1Slice’s string for every length and byte value', () => {
  const buf = Buffer.alloc(600);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 7 + (i >> 8)) & 255;
  for (let len = 0; len <= 40; len++) {
    for (let start = 0; start + len <= buf.length; start += 13) {
      const made = latin1String(buf, start, start + len);
      expect(made.length).toBe(len);
      expect(made).toBe(buf.latin1Slice(start, start + len));
    }
  }
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let start = 0; start + 16 <= 256; start++) expect(Buffer.from(latin1String(everyByte, start, start + 16), 'latin1')).toEqual(everyByte.subarray(start, start + 16));
});
