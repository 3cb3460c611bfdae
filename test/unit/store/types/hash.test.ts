/**
 * HashValue: Redis's encoding rules (listpack limits, one-way conversion),
 * insertion order while small, and a Map model under random sets and
 * deletes in both encodings.
 */
import { HashValue } from '../../../../src/store/types/hash';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('HashValue', () => {
  test('starts as an empty listpack', () => {
    const h = new HashValue();
    expect(h.type).toBe('hash');
    expect(h.size).toBe(0);
    expect(h.encoding()).toBe('listpack');
    expect(h.get('x')).toBeUndefined();
    expect(h.delete('x')).toBe(false);
  });

  test('set reports new fields; a listpack keeps insertion order across deletes', () => {
    const h = new HashValue();
    expect(h.set('a', '1')).toBe(true);
    expect(h.set('b', '2')).toBe(true);
    expect(h.set('c', '3')).toBe(true);
    expect(h.set('a', '10')).toBe(false);
    expect(h.delete('b')).toBe(true);
    h.set('d', '4');
    expect(Array.from(h.entries())).toEqual([
      ['a', '10'],
      ['c', '3'],
      ['d', '4'],
    ]);
    expect(Array.from(h.fieldIterator())).toEqual(['a', 'c', 'd']);
  });

  test('converts to hashtable past 512 entries or 64-byte strings, and never back', () => {
    const h = new HashValue();
    for (let i = 0; i < 512; i++) h.set(`f${i}`, 'v');
    expect(h.encoding()).toBe('listpack');
    h.set('one-more', 'v');
    expect(h.encoding()).toBe('hashtable');
    for (let i = 0; i < 512; i++) h.delete(`f${i}`);
    expect(h.encoding()).toBe('hashtable');

    const byValue = new HashValue();
    byValue.set('f', 'x'.repeat(64));
    expect(byValue.encoding()).toBe('listpack');
    byValue.set('f', 'x'.repeat(65));
    expect(byValue.encoding()).toBe('hashtable');

    const byField = new HashValue({ maxEntries: 128, maxValueBytes: 3 });
    byField.set('abcd', '1');
    expect(byField.encoding()).toBe('hashtable');
  });

  test('follows a shared limits object as it changes', () => {
    const limits = { maxEntries: 128, maxValueBytes: 64 };
    const h = new HashValue(limits);
    h.set('a', '1');
    h.set('b', '2');
    limits.maxEntries = 2;
    expect(h.encoding()).toBe('listpack');
    h.set('c', '3');
    expect(h.encoding()).toBe('hashtable');
  });

  // 12 distinct fields keep the hash small enough to go without its index Map; 40 make it build one.
  test.each([
    [1000, 40],
    [8, 40],
    [1000, 12],
    [8, 12],
  ])('random sets and deletes match a Map (listpack limit %d, %d distinct fields)', (limit, distinct) => {
    const rand = rng(limit + distinct);
    const h = new HashValue({ maxEntries: limit, maxValueBytes: 64 });
    const model = new Map<string, string>();
    for (let step = 0; step < 5000; step++) {
      const f = `f${Math.floor(rand() * distinct)}`;
      expect(h.get(f)).toBe(model.get(f));
      expect(h.has(f)).toBe(model.has(f));
      if (rand() < 0.6) {
        const v = String(step);
        expect(h.set(f, v)).toBe(!model.has(f));
        model.set(f, v);
      } else {
        expect(h.delete(f)).toBe(model.delete(f));
      }
      expect(h.size).toBe(model.size);
    }
    expect(new Map(h.entries())).toEqual(model);
    for (let i = 0; i < h.size; i++) expect(h.get(h.fieldAt(i))).toBe(h.valueAt(i));
    if (limit === 1000) expect(Array.from(h.fieldIterator())).toEqual(Array.from(model.keys()));
  });

  test('clone is independent', () => {
    const h = new HashValue();
    h.set('a', '1');
    const copy = h.clone();
    h.set('a', '2');
    h.set('b', '3');
    expect(Array.from(copy.entries())).toEqual([['a', '1']]);
  });
});
