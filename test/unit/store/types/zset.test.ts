import { ZSetValue, formatListpackScore } from '../../../../src/store/types/zset';
import { LEX_MAX, LEX_MIN } from '../../../../src/store/types/zset-range';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const all = { min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false };

describe('ZSetValue', () => {
  test('orders by score, then by member bytes', () => {
    const z = new ZSetValue();
    z.add('b', 1);
    z.add('a', 1);
    z.add('\u00ff', 0);
    z.add('c', -Infinity);
    z.add('', 1);
    expect([...z.entries()]).toEqual([
      ['c', -Infinity],
      ['\u00ff', 0],
      ['', 1],
      ['a', 1],
      ['b', 1],
    ]);
  });

  test('add reports new members; updates move them; delete and score agree', () => {
    const z = new ZSetValue();
    expect(z.add('a', 1)).toBe(true);
    expect(z.add('a', 5)).toBe(false);
    expect(z.score('a')).toBe(5);
    z.add('b', 3);
    expect(z.rank('a')).toBe(1);
    expect(z.rank('b')).toBe(0);
    expect(z.rank('x')).toBeUndefined();
    expect(z.nodeAt(1)?.member).toBe('a');
    expect(z.nodeAt(2)).toBeNull();
    expect(z.nodeAt(-1)).toBeNull();
    expect(z.delete('a')).toBe(true);
    expect(z.delete('a')).toBe(false);
    expect(z.score('a')).toBeUndefined();
    expect(z.size).toBe(1);
  });

  test('-0: a listpack stores it as 0, a skiplist keeps it; 0 and -0 are one score', () => {
    const compact = new ZSetValue();
    compact.add('a', -0);
    expect(Object.is(compact.score('a'), 0)).toBe(true);
    compact.add('a', 1);
    compact.add('a', -0);
    expect(Object.is(compact.score('a'), 0)).toBe(true);
    const big = new ZSetValue();
    big.add('a', -0, 0);
    expect(big.encoding()).toBe('skiplist');
    expect(Object.is(big.score('a'), -0)).toBe(true);
    big.add('a', 0, 0);
    expect(Object.is(big.score('a'), -0)).toBe(true);
  });

  test('formatListpackScore prints what d2string stores', () => {
    expect(formatListpackScore(-0)).toBe('0');
    expect(formatListpackScore(1e17)).toBe('100000000000000000');
    expect(formatListpackScore(2 ** 62)).toBe('4611686018427387904');
    expect(formatListpackScore(-(2 ** 62))).toBe('-4611686018427387904');
    expect(formatListpackScore(2 ** 63)).toBe('9.2233720368547758e+18');
    expect(formatListpackScore(0.1)).toBe('0.10000000000000001');
    expect(formatListpackScore(-Infinity)).toBe('-inf');
  });

  test('encoding: listpack up to the limits, then skiplist for good', () => {
    const z = new ZSetValue();
    for (let i = 0; i < 128; i++) z.add(`m${i}`, i);
    expect(z.encoding()).toBe('listpack');
    z.add('m0', 1000);
    expect(z.encoding()).toBe('listpack');
    z.add('m128', 0);
    expect(z.encoding()).toBe('skiplist');
    for (let i = 0; i < 120; i++) z.delete(`m${i}`);
    expect(z.encoding()).toBe('skiplist');
    const long = new ZSetValue();
    long.add('x'.repeat(64), 1);
    expect(long.encoding()).toBe('listpack');
    long.add('x'.repeat(65), 1);
    expect(long.encoding()).toBe('skiplist');
    const tiny = new ZSetValue();
    tiny.add('a', 1, 0, 64);
    expect(tiny.encoding()).toBe('skiplist');
  });

  test('counts and range deletions by score, lex and rank', () => {
    const z = new ZSetValue();
    for (const m of ['a', 'b', 'c', 'd', 'e']) z.add(m, 0);
    expect(z.countInRange({ min: 'b', max: LEX_MAX, minExclusive: false, maxExclusive: false })).toBe(4);
    expect(z.countInRange({ min: 'b', max: 'd', minExclusive: true, maxExclusive: true })).toBe(1);
    expect(z.countInRange({ min: LEX_MAX, max: LEX_MIN, minExclusive: false, maxExclusive: false })).toBe(0);
    expect(z.countInRange(all)).toBe(5);
    expect(z.deleteRange({ min: 'a', max: 'b', minExclusive: true, maxExclusive: false })).toBe(1);
    expect(z.deleteRangeByRank(0, 1)).toBe(2);
    expect([...z.entries()].map((e) => e[0])).toEqual(['d', 'e']);
    z.add('d', 2);
    expect(z.countInRange({ min: 0, max: 2, minExclusive: true, maxExclusive: false })).toBe(1);
    expect(z.deleteRange({ min: 0, max: 1, minExclusive: false, maxExclusive: false })).toBe(1);
    expect(z.score('e')).toBeUndefined();
    expect(z.size).toBe(1);
  });

  test('clone is independent and keeps the encoding', () => {
    const z = new ZSetValue();
    for (let i = 0; i < 200; i++) z.add(`m${i}`, i % 7);
    const copy = z.clone();
    expect([...copy.entries()]).toEqual([...z.entries()]);
    expect(copy.encoding()).toBe('skiplist');
    copy.add('m1', 100);
    copy.delete('m2');
    expect(z.score('m1')).toBe(1);
    expect(z.score('m2')).toBe(2);
  });

  // 300 distinct members give the set its member map; 16 keep it small enough to go without one.
  test.each([300, 16])('random operations agree with a Map model, ranks included (%d distinct members)', (distinct) => {
    const rand = rng(11);
    const z = new ZSetValue();
    const model = new Map<string, number>();
    const sortedModel = () => [...model].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
    for (let op = 0; op < 5000; op++) {
      const m = `k${Math.floor(rand() * distinct)}`;
      const score = Math.floor(rand() * 20) - 10;
      const r = rand();
      if (r < 0.65) {
        expect(z.add(m, score)).toBe(!model.has(m));
        model.set(m, score);
      } else if (r < 0.97) {
        expect(z.delete(m)).toBe(model.delete(m));
      } else if (model.size > 0) {
        // The lowest member, through the range deletion.
        model.delete(sortedModel()[0][0]);
        expect(z.deleteRangeByRank(0, 0)).toBe(1);
      }
      expect(z.score(m)).toBe(model.get(m));
      if (op % 250 === 0) {
        const sorted = sortedModel();
        expect([...z.entries()]).toEqual(sorted);
        sorted.forEach(([member], i) => expect(z.rank(member)).toBe(i));
        expect(new Set([...z.scanIterator()].map((e) => e.member))).toEqual(new Set(model.keys()));
      }
    }
    expect(z.size).toBe(model.size);
  });

  test('200k members: inserts and rank lookups stay logarithmic', () => {
    const z = new ZSetValue();
    const n = 200_000;
    for (let i = 0; i < n; i++) z.add(`member:${i}`, (i * 7919) % n);
    expect(z.size).toBe(n);
    for (let r = 0; r < n; r += 9973) expect(z.nodeAt(r)?.score).toBe(r);
    expect(z.rank('member:0')).toBe(0);
    expect(z.countInRange({ min: 1000, max: 1999, minExclusive: false, maxExclusive: false })).toBe(1000);
  });
});
