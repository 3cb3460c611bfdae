import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc64, Crc64 } from '../../../src/persistence/crc64';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rdb');

test('check value of "123456789" is Redis crc64.c self-test constant', () => {
  expect(crc64(Buffer.from('123456789')).toString(16)).toBe('e9c6d914c4b8d9ca');
});

test('empty input gives 0 (initial value, no final xor)', () => {
  expect(crc64(Buffer.alloc(0))).toBe(0n);
});

test.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.rdb')))('%s: trailer equals CRC of all preceding bytes', (name) => {
  const file = readFileSync(join(FIXTURES, name));
  const body = file.subarray(0, file.length - 8);
  expect(crc64(body)).toBe(file.readBigUInt64LE(file.length - 8));
  const c = new Crc64();
  c.update(body);
  expect(c.digestBytes().equals(file.subarray(file.length - 8))).toBe(true);
  expect(c.matches(file, file.length - 8)).toBe(true);
});

test('chunked updates at every split point equal one update (slice-by-8 tail handling)', () => {
  const data = Buffer.alloc(257);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  const whole = crc64(data);
  for (let split = 0; split <= data.length; split++) {
    const c = new Crc64();
    c.update(data, 0, split);
    c.update(data, split, data.length);
    expect(c.value()).toBe(whole);
  }
});

test('matches a bit-by-bit reference implementation on random data', () => {
  const poly = 0x95ac9329ac4bc9b5n;
  const reference = (buf: Buffer): bigint => {
    let crc = 0n;
    for (const byte of buf) {
      crc ^= BigInt(byte);
      for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    }
    return crc;
  };
  for (let n = 0; n < 50; n++) {
    const buf = Buffer.alloc(n * 7 + (n % 5));
    for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(Math.random() * 256);
    expect(crc64(buf)).toBe(reference(buf));
  }
});
