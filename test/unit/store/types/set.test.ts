import { SetValue } from '../../../../src/store/types/set';

/** A small deterministic PRNG so a failing sequence can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const numericSort = (xs: string[]): string[] => xs.slice().sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));

describe('SetValue', () => {
  test('an intset iterates in ascending numeric order over the whole 64-bit range', () => {
    const s = new SetValue();
    const members = ['10', '-5', '9223372036854775807', '0', '-9223372036854775808', '3', '-40', '100000000000000000'];
    for (const m of members) expect(s.add(m)).toBe(true);
    expect(s.add('3')).toBe(false);
    expect(s.encoding()).toBe('intset');
    expect([...s.members()]).toEqual(numericSort(members));
  });

  test('non-canonical integers are strings: they convert the set to a hashtable', () => {
    for (const m of ['01', '+1', '-0', ' 1', '1.0', '9223372036854775808', '']) {
      const s = new SetValue();
      s.add('1');
      s.add(m);
      expect(s.encoding()).toBe('hashtable');
      expect(s.has(m)).toBe(true);
      expect(s.has('1')).toBe(true);
    }
  });

  test('converts past the intset limit and never converts back', () => {
    const s = new SetValue();
    for (let i = 0; i < 512; i++) s.add(String(i));
    expect(s.encoding()).toBe('intset');
    s.add('512');
    expect(s.encoding()).toBe('hashtable');
    for (let i = 0; i < 510; i++) s.delete(String(i));
    expect(s.size).toBe(3);
    expect(s.encoding()).toBe('hashtable');
    const small = new SetValue();
    small.add('1', 2);
    small.add('2', 2);
    expect(small.encoding()).toBe('intset');
    small.add('3', 2);
    expect(small.encoding()).toBe('hashtable');
  });

  test('clone is independent', () => {
    const s = new SetValue();
    s.add('a');
    const c = s.clone();
    c.add('b');
    s.delete('a');
    expect([...c.members()].sort()).toEqual(['a', 'b']);
    expect(s.size).toBe(0);
  });

  // Integers (intset), then strings with many variants (a hashtable with a member index), then
  // at most 16 strings (a hashtable small enough to go without one).
  test.each([
    ['integers', ['1', '2', '3', '-7', '100', '42'], true],
    ['strings', ['a', 'b', '1', '2', '\u0000', '\u00ff', 'long member'], true],
    ['16 strings', ['x', '1', '', '\u0000', '\u00ff', 'long member', ...Array.from({ length: 10 }, (_, i) => `m${i}`)], false],
  ] as const)('random operations agree with a native Set (%s)', (_name, universe, withSuffixes) => {
    const rand = rng(42);
    const s = new SetValue();
    const model = new Set<string>();
    for (let op = 0; op < 5000; op++) {
      const m = universe[Math.floor(rand() * universe.length)] + (!withSuffixes || rand() < 0.5 ? '' : String(Math.floor(rand() * 50)));
      const r = rand();
      if (r < 0.45) expect(s.add(m)).toBe(!model.has(m) && (model.add(m), true));
      else if (r < 0.8) expect(s.delete(m)).toBe(model.delete(m));
      else expect(s.has(m)).toBe(model.has(m));
      expect(s.size).toBe(model.size);
      if (op % 50 === 0) expect(new Set(s.members())).toEqual(model);
      if (s.size > 0 && op % 7 === 0) expect(model.has(s.randomMember())).toBe(true);
    }
    expect(new Set(s.members())).toEqual(model);
    for (let i = 0; i < s.size; i++) expect(model.has(s.memberAt(i))).toBe(true);
  });

  test('randomMember is uniform enough to reach every member', () => {
    const s = new SetValue();
    for (const m of ['a', 'b', 'c', 'd']) s.add(m);
    s.delete('b');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(s.randomMember());
    expect(seen).toEqual(new Set(['a', 'c', 'd']));
  });
});
