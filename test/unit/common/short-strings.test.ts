import { storedString } from '../../../src/common/short-strings';

test('storedString gives the bytes’ own string, whatever was in the table before', () => {
  // Far more distinct strings than the table has slots, each asked for several times in a
  // shuffled order, so slots are hit, missed and replaced by strings of the same length.
  const inputs: Buffer[] = [];
  let seed = 12345;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  for (let i = 0; i < 20000; i++) {
    const len = rand() % 13; // the table takes up to 8 bytes; longer ones pass by it
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = rand() % 4 === 0 ? 0 : rand() & 255; // many near-duplicates, NULs, high bytes
    inputs.push(b);
  }
  const padded = Buffer.alloc(16);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < inputs.length; i++) {
      const b = inputs[(i * 7919 + round * 104729) % inputs.length];
      // Read from an offset inside a larger buffer, as the parser does.
      padded.fill(0xaa);
      b.copy(padded, 2);
      expect(storedString(padded, 2, 2 + b.length)).toBe(b.toString('latin1'));
    }
  }
});
