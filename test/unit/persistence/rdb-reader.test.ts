import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RdbError } from '../../../src/persistence/rdb-reader';
import { decode, len, listpack, rdbFile, str, values, ziplist } from './rdb-helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rdb');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

const STANDARD_AUX = (ctime: string, usedMem: string): [string, string][] => [
  ['redis-ver', '7.0.15'],
  ['redis-bits', '64'],
  ['ctime', ctime],
  ['used-mem', usedMem],
  ['aof-base', '0'],
];

describe('golden fixtures written by Redis 7.0.15', () => {
  test('a_single_string: one raw string and the standard AUX fields in order', () => {
    const d = decode(fixture('a_single_string.rdb'));
    expect(d.aux).toEqual(STANDARD_AUX('1795674571', '1062776'));
    expect(d.dbs).toEqual({ 0: { greeting: { value: 'hello' } } });
    expect(d.warnings).toEqual([]);
  });

  test('b_strings: raw, int8/16/32, long digits, leading zero, LZF, binary, empty', () => {
    const d = decode(fixture('b_strings.rdb'));
    expect(values(d)).toEqual({
      'str:plain': 'Hello, RDB!',
      'str:int8': '100',
      'str:int16': '-12345',
      'str:int32': '1234567890',
      'str:bigint': '9876543210123',
      'str:leadingzero': '007',
      'str:long': 'abcdefghij'.repeat(20),
      'str:bin': Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x62, 0x69, 0x6e, 0x61, 0x72, 0x79, 0x0d, 0x0a, 0x00]).toString('latin1'),
      'str:empty': '',
    });
    expect(Object.values(d.dbs[0]).every((k) => k.expireAtMs === undefined)).toBe(true);
  });

  test('c_collections: quicklist2 listpack list, intset, plain set, LZF listpack hash, listpack zset', () => {
    const d = decode(fixture('c_collections.rdb'));
    expect(values(d)).toEqual({
      'list:1': ['list', ['one', 'two', 'three', '4', 'five']],
      'set:ints': ['set', ['-5', '1', '100', '2', '3']],
      'set:strs': ['set', ['apple', 'banana', 'cherry']],
      'hash:1': ['hash', { field1: 'value1', field2: 'value2', num: '42' }],
      'zset:1': ['zset', [['c', -3], ['a', 1], ['b', 2.5]]],
    });
  });

  test('d_expiry: millisecond expiries attach to the next key only', () => {
    const d = decode(fixture('d_expiry.rdb'));
    expect(d.dbs[0]).toEqual({
      'exp:str': { value: 'expiring-string', expireAtMs: 4102444800123 },
      'exp:list': { value: ['list', ['x', 'y']], expireAtMs: 4133980800000 },
      'noexp:str': { value: 'persistent' },
    });
  });

  test('e_multi_db: SELECTDB switches dbs; empty dbs have no records', () => {
    const d = decode(fixture('e_multi_db.rdb'));
    expect(Object.keys(d.dbs)).toEqual(['0', '3']);
    expect(values(d, 0)).toEqual({ 'db0:key': 'zero' });
    expect(values(d, 3)).toEqual({ 'db3:key': 'three', 'db3:hash': ['hash', { f: 'v' }] });
  });

  test('f_plain_encodings: types 2, 4 and 5 (binary doubles, highest score first)', () => {
    const d = decode(fixture('f_plain_encodings.rdb'));
    expect(values(d)).toEqual({
      'set:ints': ['set', ['1', '2', '3']],
      'set:strs': ['set', ['apple', 'banana']],
      'hash:1': ['hash', { field1: 'value1', num: '42' }],
      'zset:1': ['zset', [['c', -3], ['a', 1], ['b', 2.5]]],
    });
  });

  test('g_fullsync_payload: replication AUX fields', () => {
    const d = decode(fixture('g_fullsync_payload.rdb'));
    expect(d.aux).toEqual([
      ['redis-ver', '7.0.15'],
      ['redis-bits', '64'],
      ['ctime', '1795674691'],
      ['used-mem', '1294544'],
      ['repl-stream-db', '0'],
      ['repl-id', '02d5226a09eecadda6457e23fcc778f4a99a5062'],
      ['repl-offset', '71'],
      ['aof-base', '0'],
    ]);
    expect(values(d)).toEqual({ seed: '1' });
  });

  test.each(['a_single_string.rdb', 'b_strings.rdb', 'c_collections.rdb', 'd_expiry.rdb', 'e_multi_db.rdb', 'f_plain_encodings.rdb', 'g_fullsync_payload.rdb'])(
    '%s decodes the same when fed one byte at a time (push parser retries)',
    (name) => {
      const buf = fixture(name);
      expect(decode(buf, 1)).toEqual(decode(buf));
      expect(decode(buf, 7)).toEqual(decode(buf));
    },
  );
});

describe('corrupt and truncated input is refused with offset and reason', () => {
  const errorOf = (fn: () => unknown): RdbError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof RdbError) return e;
      throw new Error(`expected an RdbError, got ${String(e)}`);
    }
    throw new Error('expected an RdbError, nothing was thrown');
  };

  test('every truncation of a fixture is an RdbError naming the offset', () => {
    const buf = fixture('c_collections.rdb');
    for (let cut = 0; cut < buf.length; cut++) {
      const e = errorOf(() => decode(buf.subarray(0, cut)));
      expect(e.message).toMatch(/unexpected end of data at byte \d+.*truncated/);
      expect(e.offset).toBeLessThanOrEqual(cut);
    }
  });

  test('a flipped byte anywhere is detected (checksum or structure), never a crash', () => {
    const buf = fixture('c_collections.rdb');
    for (let i = 0; i < buf.length; i++) {
      const bad = Buffer.from(buf);
      bad[i] ^= 0x5a;
      expect(() => decode(bad)).toThrow(RdbError);
    }
  });

  test('a wrong checksum names the stored and computed values', () => {
    const bad = Buffer.from(fixture('a_single_string.rdb'));
    bad[bad.length - 1] ^= 1;
    const e = errorOf(() => decode(bad));
    expect(e.message).toMatch(/Wrong RDB checksum/);
    expect(e.offset).toBe(bad.length - 8);
    // rdbchecksum no: not compared, as in Redis.
    expect(values(decode(bad, bad.length, false))).toEqual({ greeting: 'hello' });
  });

  test('a zero checksum means "saved with checksum disabled": accepted with a warning', () => {
    const buf = Buffer.from(fixture('a_single_string.rdb'));
    buf.fill(0, buf.length - 8);
    const d = decode(buf);
    expect(values(d)).toEqual({ greeting: 'hello' });
    expect(d.warnings).toEqual(['RDB file was saved with checksum disabled: no check performed.']);
  });

  test('signature and version are checked', () => {
    expect(errorOf(() => decode(Buffer.from('REDIX0010\xff', 'latin1'))).message).toMatch(/Wrong signature/);
    expect(errorOf(() => decode(rdbFile([], 11))).message).toMatch(/Can't handle RDB format version 0011/);
    expect(errorOf(() => decode(Buffer.from('REDIS00x9\xff', 'latin1'))).message).toMatch(/version/);
  });

  test('SELECTDB beyond the configured databases, duplicate keys and members are fatal', () => {
    expect(errorOf(() => decode(rdbFile([Buffer.from([0xfe, 16])]))).message).toMatch(/more than 16 databases/);
    const k = Buffer.concat([Buffer.from([0]), str('k'), str('v')]);
    expect(errorOf(() => decode(rdbFile([k, k]))).message).toMatch(/Duplicate key 'k' in db 0/);
    const dupSet = Buffer.concat([Buffer.from([2]), str('s'), len(2), str('a'), str('a')]);
    expect(errorOf(() => decode(rdbFile([dupSet]))).message).toMatch(/Duplicate set members/);
    const nanZset = Buffer.concat([Buffer.from([5]), str('z'), len(1), str('m'), Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f])]);
    expect(errorOf(() => decode(rdbFile([nanZset]))).message).toMatch(/NAN score/);
  });

  test('streams are refused by name; a corrupt listpack inside an LZF blob is an RdbError', () => {
    const stream = Buffer.concat([Buffer.from([19]), str('mystream'), len(0)]);
    expect(errorOf(() => decode(rdbFile([stream]))).message).toMatch(/key 'mystream' has stream \(RDB type 19\)/);
    const lp = listpack(['a', 'b']);
    lp[6] = 0xf7; // invalid entry encoding
    expect(errorOf(() => decode(rdbFile([Buffer.concat([Buffer.from([16]), str('h'), str(lp)])]))).message).toMatch(/listpack: invalid entry encoding/);
  });

  test('an LZF string announcing an absurd length is refused before allocating', () => {
    const lzf = Buffer.concat([Buffer.from([0]), str('k'), Buffer.from([0xc3]), len(3), Buffer.from([0x81, 0, 0, 0, 0x10, 0, 0, 0, 0]), Buffer.from([0x01, 0x61, 0x62])]);
    expect(errorOf(() => decode(rdbFile([lzf]))).message).toMatch(/LZF string claims/);
  });
});

describe('encodings older Redis versions and KeyDB write', () => {
  test('type 1 list, type 3 zset with text scores (inf, -inf), EXPIRETIME in seconds, IDLE and FREQ', () => {
    const body = [
      Buffer.concat([Buffer.from([1]), str('l'), len(3), str('a'), Buffer.from([0xc0, 5]), str('c')]),
      Buffer.from([0xf8, 0x05]), // IDLE 5
      Buffer.from([0xf9, 0x03]), // FREQ 3
      Buffer.concat([Buffer.from([0xfd]), Buffer.from([0x00, 0x5e, 0xd0, 0xb2])]), // EXPIRETIME 3000000000? (signed LE)
      Buffer.concat([Buffer.from([3]), str('z'), len(3), str('a'), Buffer.from([3]), Buffer.from('1.5'), str('b'), Buffer.from([254]), str('c'), Buffer.from([255])]),
    ];
    const d = decode(rdbFile(body, 6));
    expect(d.dbs[0].l).toEqual({ value: ['list', ['a', '5', 'c']] });
    expect(d.dbs[0].z).toEqual({ value: ['zset', [['c', -Infinity], ['a', 1.5], ['b', Infinity]]], expireAtMs: Buffer.from([0x00, 0x5e, 0xd0, 0xb2]).readInt32LE() * 1000 });
  });

  test('version 4 files have no checksum trailer', () => {
    const d = decode(rdbFile([Buffer.concat([Buffer.from([0]), str('k'), str('v')])], 4));
    expect(values(d)).toEqual({ k: 'v' });
  });

  test('ziplist list (10), quicklist (14), ziplist zset (12) and hash (13) with every integer width', () => {
    const ints = [0, 12, 13, -1, 127, -128, 300, -32768, 70000, -8388608, 2147483647, -2147483648, 9007199254740993n, -9223372036854775808n];
    const body = [
      Buffer.concat([Buffer.from([10]), str('zl'), str(ziplist(['x', ...ints, 'y'.repeat(70), 'z'.repeat(17000)]))]),
      Buffer.concat([Buffer.from([14]), str('ql'), len(2), str(ziplist(['a', 'b'])), str(ziplist([1, 'c']))]),
      Buffer.concat([Buffer.from([12]), str('zz'), str(ziplist(['m1', '2.5', 'm2', 3, 'm3', 'inf']))]),
      Buffer.concat([Buffer.from([13]), str('zh'), str(ziplist(['f1', 'v1', 'f2', -7]))]),
    ];
    const d = values(decode(rdbFile(body, 9)));
    const zl = d.zl as ['list', string[]];
    expect(zl[1].slice(0, -1)).toEqual(['x', ...ints.map(String), 'y'.repeat(70)]);
    expect(zl[1][zl[1].length - 1] === 'z'.repeat(17000)).toBe(true);
    expect(d.ql).toEqual(['list', ['a', 'b', '1', 'c']]);
    expect(d.zz).toEqual(['zset', [['m1', 2.5], ['m2', 3], ['m3', Infinity]]]);
    expect(d.zh).toEqual(['hash', { f1: 'v1', f2: '-7' }]);
  });

  test('listpack integer and string widths, 64-bit values beyond 2^53 kept exact', () => {
    const items: (string | number | bigint)[] = [0, 127, 128, -1, 4095, -4096, 5000, -32768, 8000000, -8388608, 2147483647, -2147483648, 9223372036854775807n, -9223372036854775808n, 'short', 's'.repeat(100), 'L'.repeat(5000)];
    const body = [Buffer.concat([Buffer.from([18]), str('lp'), len(2), len(2), str(listpack(items)), len(1), str('plain node')])];
    const d = values(decode(rdbFile(body)));
    expect(d.lp).toEqual(['list', [...items.map(String), 'plain node']]);
  });

  test('zipmap hashes (Redis 2.4) and intsets of 32- and 64-bit members', () => {
    const zipmap = Buffer.concat([Buffer.from([2]), Buffer.from([1]), Buffer.from('a'), Buffer.from([2, 0]), Buffer.from('bb'), Buffer.from([2]), Buffer.from('cc'), Buffer.from([1, 2]), Buffer.from('dXX'), Buffer.from([0xff])]);
    const intset32 = Buffer.alloc(16);
    intset32.writeUInt32LE(4, 0);
    intset32.writeUInt32LE(2, 4);
    intset32.writeInt32LE(-100000, 8);
    intset32.writeInt32LE(100000, 12);
    const intset64 = Buffer.alloc(16);
    intset64.writeUInt32LE(8, 0);
    intset64.writeUInt32LE(1, 4);
    intset64.writeBigInt64LE(-9223372036854775807n, 8);
    const body = [
      Buffer.concat([Buffer.from([9]), str('zm'), str(zipmap)]),
      Buffer.concat([Buffer.from([11]), str('i32'), str(intset32)]),
      Buffer.concat([Buffer.from([11]), str('i64'), str(intset64)]),
    ];
    const d = values(decode(rdbFile(body, 3)));
    expect(d.zm).toEqual(['hash', { a: 'bb', cc: 'd' }]);
    expect(d.i32).toEqual(['set', ['-100000', '100000']]);
    expect(d.i64).toEqual(['set', ['-9223372036854775807']]);
  });

  test("KeyDB's mvcc-tstamp AUX applies to the following keys (not reset per key)", () => {
    const body = [
      Buffer.concat([Buffer.from([0xfa]), str('mvcc-tstamp'), str('1882901394111856640')]),
      Buffer.concat([Buffer.from([0xfc]), Buffer.from('7bd8c32cbb030000', 'hex')]),
      Buffer.concat([Buffer.from([0]), str('k1'), str('v1')]),
      Buffer.concat([Buffer.from([0]), str('k2'), str('v2')]),
    ];
    const d = decode(rdbFile(body));
    expect(d.dbs[0].k1).toEqual({ value: 'v1', expireAtMs: 4102444800123, mvcc: 1882901394111856640 });
    expect(d.dbs[0].k2).toEqual({ value: 'v2', mvcc: 1882901394111856640 });
    expect(d.aux).toEqual([]);
  });

  test('module aux data, module values and function libraries are skipped with a warning', () => {
    // Module id for "mymodule1" encver 0, then when-opcode UINT, when, then data: UINT 5, STRING "x", FLOAT, DOUBLE, EOF.
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'mymodule1') id = (id << 6n) | BigInt(charset.indexOf(ch));
    id <<= 10n;
    const idBytes = Buffer.alloc(9);
    idBytes[0] = 0x81;
    idBytes.writeBigUInt64BE(id, 1);
    const moduleData = Buffer.concat([len(2), len(5), len(5), str('x'), len(3), Buffer.alloc(4), len(4), Buffer.alloc(8), len(0)]);
    const body = [
      Buffer.concat([Buffer.from([0xf7]), idBytes, len(2), len(1), moduleData]),
      Buffer.concat([Buffer.from([0xf5]), str('#!lua name=mylib\nredis.register_function(...)')]),
      Buffer.concat([Buffer.from([7]), str('modkey'), idBytes, moduleData]),
      Buffer.concat([Buffer.from([0]), str('k'), str('v')]),
    ];
    const d = decode(rdbFile(body));
    expect(values(d)).toEqual({ k: 'v' });
    expect(d.warnings).toEqual([
      'Skipped module aux data of module mymodule1: modules are not supported',
      'Skipped a function library (#!lua name=mylib): functions are not supported',
      "Skipped key 'modkey' holding a value of module mymodule1: modules are not supported",
    ]);
  });

  test('empty collections are skipped with a warning, as Redis does', () => {
    const d = decode(rdbFile([Buffer.concat([Buffer.from([2]), str('empty'), len(0)]), Buffer.concat([Buffer.from([0]), str('k'), str('v')])]));
    expect(values(d)).toEqual({ k: 'v' });
    expect(d.warnings).toEqual(["Skipped empty key 'empty' (an empty set is not a valid value)"]);
  });
});
