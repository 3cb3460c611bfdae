import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Crc64 } from '../../../src/persistence/crc64';
import { RdbEncoder } from '../../../src/persistence/rdb-writer';
import { HashValue } from '../../../src/store/types/hash';
import { ListValue } from '../../../src/store/types/list';
import { SetValue } from '../../../src/store/types/set';
import { ZSetValue } from '../../../src/store/types/zset';
import type { RedisValue } from '../../../src/store/value';
import { decode, plain } from './rdb-helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rdb');

interface Entry {
  db: number;
  key: string;
  value: RedisValue;
  expireAtMs?: number;
  mvcc?: number;
}

/** A whole file through the encoder: header, AUX, dbs in order, EOF, CRC. */
function encodeFile(entries: Entry[], isCompressing = true, chunkBytes?: number): { file: Buffer; chunks: number } {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(Buffer.from(c)), isCompressing, chunkBytes);
  enc.header();
  enc.aux('redis-ver', '7.0.15');
  enc.aux('redis-bits', '64');
  let db = -1;
  for (const e of [...entries].sort((a, b) => a.db - b.db)) {
    if (e.db !== db) {
      db = e.db;
      enc.selectDb(db);
      enc.resizeDb(entries.filter((x) => x.db === db).length, 0);
    }
    enc.keyValue(e.key, e.value, e.expireAtMs ?? -1, e.mvcc ?? -1);
  }
  enc.eof();
  enc.flush();
  const body = Buffer.concat(chunks);
  const crc = new Crc64();
  crc.update(body);
  return { file: Buffer.concat([body, crc.digestBytes()]), chunks: chunks.length };
}

function list(...items: string[]): ListValue {
  const l = new ListValue();
  for (const i of items) l.pushBack(i);
  return l;
}

function set(...items: string[]): SetValue {
  const s = new SetValue();
  for (const i of items) s.add(i);
  return s;
}

function hash(obj: Record<string, string>): HashValue {
  const h = new HashValue();
  for (const [k, v] of Object.entries(obj)) h.set(k, v);
  return h;
}

function zset(pairs: [string, number][]): ZSetValue {
  const z = new ZSetValue();
  for (const [m, s] of pairs) z.add(m, s);
  return z;
}

const binary = (...bytes: number[]): string => Buffer.from(bytes).toString('latin1');

test('a single string encodes exactly as Redis 7.0 wrote it in fixture a', () => {
  const fixture = readFileSync(join(FIXTURES, 'a_single_string.rdb'));
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), true);
  enc.selectDb(0);
  enc.resizeDb(1, 0);
  enc.keyValue('greeting', 'hello', -1, -1);
  enc.flush();
  const ours = Buffer.concat(chunks);
  const at = fixture.indexOf(Buffer.from([0xfe, 0x00, 0xfb]));
  expect(ours.equals(fixture.subarray(at, fixture.length - 9))).toBe(true);
});

test('integer-looking strings use int8/16/32 exactly when Redis would (rdbTryIntegerEncoding)', () => {
  const encodeOne = (s: string): Buffer => {
    const chunks: Buffer[] = [];
    const enc = new RdbEncoder((c) => chunks.push(c), true);
    enc.string(s);
    enc.flush();
    return Buffer.concat(chunks);
  };
  expect(encodeOne('100').toString('hex')).toBe('c064');
  expect(encodeOne('-12345').toString('hex')).toBe('c1c7cf');
  expect(encodeOne('1234567890').toString('hex')).toBe('c2d2029649');
  expect(encodeOne('0').toString('hex')).toBe('c000');
  expect(encodeOne('-2147483648').toString('hex')).toBe('c200000080');
  // Not canonical or too large: stored raw so they load back byte for byte.
  for (const raw of ['007', '-0', '+1', ' 1', '1 ', '2147483648', '9876543210123', '-', '']) {
    expect(encodeOne(raw)).toEqual(Buffer.concat([Buffer.from([raw.length]), Buffer.from(raw)]));
  }
});

test('LZF only for strings over 20 bytes that shrink, and only when compression is on', () => {
  const encodeOne = (s: string, isCompressing: boolean): Buffer => {
    const chunks: Buffer[] = [];
    const enc = new RdbEncoder((c) => chunks.push(c), isCompressing);
    enc.string(s);
    enc.flush();
    return Buffer.concat(chunks);
  };
  expect(encodeOne('a'.repeat(20), true)[0]).toBe(20); // too short to try
  expect(encodeOne('a'.repeat(200), true)[0]).toBe(0xc3);
  expect(encodeOne('a'.repeat(200), false)[0]).toBe(0x40); // 14-bit length, raw
  const random = Buffer.alloc(64);
  for (let i = 0; i < random.length; i++) random[i] = (i * 97 + 31) & 0xff;
  expect(encodeOne(random.toString('latin1'), true)[0]).toBe(64 | 0); // incompressible: raw 64 → 0x40 0x40
});

test('every type, binary keys and values, TTLs, mvcc stamps and several dbs round-trip through the reader', () => {
  const big = 'x'.repeat(20000) + binary(0, 255, 13, 10);
  const entries: Entry[] = [
    { db: 0, key: 'str', value: 'hello' },
    { db: 0, key: binary(0, 1, 2, 255, 0), value: binary(255, 0, 13, 10, 0, 128) },
    { db: 0, key: 'big', value: big, expireAtMs: 4102444800123 },
    { db: 0, key: 'ints', value: '-2147483648' },
    { db: 0, key: 'empty', value: '' },
    { db: 0, key: 'list', value: list('a', '1', '', binary(0, 200), 'b'.repeat(100)) },
    { db: 0, key: 'set', value: set('1', '2', '-3') },
    { db: 0, key: 'sset', value: set('x', binary(0, 1), 'z'.repeat(70)) },
    { db: 5, key: 'hash', value: hash({ f: 'v', [binary(0, 9)]: binary(1, 0), n: '42' }) },
    { db: 5, key: 'zset', value: zset([['a', 1], ['b', -2.5], ['c', Infinity], ['d', -Infinity], ['e', 1e-300], [binary(0), 0]]), expireAtMs: 1 },
    // Last: KeyDB's loader applies an mvcc-tstamp to every key after it.
    { db: 15, key: 'last', value: 'db15', mvcc: 1882901394111856640 },
  ];
  const d = decode(encodeFile(entries).file);
  for (const e of entries) {
    const got = d.dbs[e.db][e.key];
    expect(got.value).toEqual(plain(e.value));
    expect(got.expireAtMs).toBe(e.expireAtMs);
    expect(got.mvcc).toBe(e.mvcc);
  }
  expect(Object.keys(d.dbs)).toEqual(['0', '5', '15']);
});

test('output comes in chunks of the configured size; values larger than a chunk get their own', () => {
  const entries: Entry[] = [];
  for (let i = 0; i < 2000; i++) entries.push({ db: 0, key: `key:${i}`, value: `value:${i}:${'v'.repeat(40)}` });
  entries.push({ db: 0, key: 'huge', value: 'h'.repeat(100_000) });
  const { file, chunks } = encodeFile(entries, false, 4096);
  expect(chunks).toBeGreaterThan(20);
  const d = decode(file);
  expect(Object.keys(d.dbs[0]).length).toBe(2001);
  expect(d.dbs[0].huge.value).toBe('h'.repeat(100_000));
});

test('lengths beyond 14 and 32 bits', () => {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), true);
  enc.length(16383);
  enc.length(16384);
  enc.length(2 ** 32 + 5);
  enc.flush();
  expect(Buffer.concat(chunks).toString('hex')).toBe('7fff' + '8000004000' + '810000000100000005');
});
