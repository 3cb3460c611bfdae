import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap, PackedFormatError } from '../../../src/persistence/packed-formats';
import { listpack, ziplist } from './rdb-helpers';

describe('listpack', () => {
  test('decodes every integer and string encoding', () => {
    const items = [0, 127, 128, -4096, 4095, -32768, 32767, -8388608, 8388607, -2147483648, 2147483647, 9223372036854775807n, 'a', 'b'.repeat(63), 'c'.repeat(64), 'd'.repeat(4095), 'e'.repeat(4096), ''];
    expect(decodeListpack(listpack(items))).toEqual(items.map(String));
  });

  test('count 65535 means "unknown": the entries are counted by walking', () => {
    const lp = listpack(['x', 'y', 'z']);
    lp.writeUInt16LE(0xffff, 4);
    expect(decodeListpack(lp)).toEqual(['x', 'y', 'z']);
  });

  test('malformed blobs are refused with a reason', () => {
    const lp = listpack(['hello', 42]);
    expect(() => decodeListpack(lp.subarray(0, 5))).toThrow(/shorter than a listpack header/);
    const wrongSize = Buffer.from(lp);
    wrongSize.writeUInt32LE(lp.length + 1, 0);
    expect(() => decodeListpack(wrongSize)).toThrow(/header says/);
    const wrongCount = Buffer.from(lp);
    wrongCount.writeUInt16LE(3, 4);
    expect(() => decodeListpack(wrongCount)).toThrow(/counts 3 entries, found 2/);
    const noEnd = Buffer.from(lp);
    noEnd[noEnd.length - 1] = 0x01;
    expect(() => decodeListpack(noEnd)).toThrow(PackedFormatError);
    const longString = Buffer.from(lp);
    longString[6] = 0xbf; // string of 63 bytes: runs past the end
    expect(() => decodeListpack(longString)).toThrow(/runs past the end/);
  });
});

describe('ziplist', () => {
  test('decodes immediates, int8/16/24/32/64 and 6/14/32-bit string lengths, with 5-byte prevlens', () => {
    const items = [0, 12, -1, 100, -300, 70000, -2000000000, 9223372036854775807n, 's', 'm'.repeat(300), 'l'.repeat(17000), 'after-big'];
    expect(decodeZiplist(ziplist(items))).toEqual(items.map(String));
  });

  test('malformed blobs are refused', () => {
    const zl = ziplist(['a', 5]);
    const wrongCount = Buffer.from(zl);
    wrongCount.writeUInt16LE(7, 8);
    expect(() => decodeZiplist(wrongCount)).toThrow(/counts 7 entries, found 2/);
    const badEncoding = Buffer.from(zl);
    badEncoding[14] = 0xec; // no such integer encoding
    expect(() => decodeZiplist(badEncoding)).toThrow(/ziplist/);
    expect(() => decodeZiplist(zl.subarray(0, zl.length - 1))).toThrow(/header says/);
  });
});

describe('intset and zipmap', () => {
  test('intset widths and size checks', () => {
    const s = Buffer.alloc(8 + 6);
    s.writeUInt32LE(2, 0);
    s.writeUInt32LE(3, 4);
    s.writeInt16LE(-5, 8);
    s.writeInt16LE(1, 10);
    s.writeInt16LE(300, 12);
    expect(decodeIntset(s)).toEqual(['-5', '1', '300']);
    expect(() => decodeIntset(s.subarray(0, 12))).toThrow(/do not fill/);
    const badWidth = Buffer.from(s);
    badWidth.writeUInt32LE(3, 0);
    expect(() => decodeIntset(badWidth)).toThrow(/invalid encoding 3/);
  });

  test('zipmap with free bytes and a 254+ length', () => {
    const big = 'v'.repeat(300);
    const bigLen = Buffer.alloc(5);
    bigLen[0] = 254;
    bigLen.writeUInt32LE(300, 1);
    const zm = Buffer.concat([Buffer.from([2, 1]), Buffer.from('k'), bigLen, Buffer.from([0]), Buffer.from(big), Buffer.from([2]), Buffer.from('k2'), Buffer.from([1, 3]), Buffer.from('xfff'), Buffer.from([0xff])]);
    expect(decodeZipmap(zm)).toEqual(['k', big, 'k2', 'x']);
    expect(() => decodeZipmap(zm.subarray(0, zm.length - 1))).toThrow(/missing end marker/);
  });
});
