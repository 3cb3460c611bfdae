import { ShardedMap } from '../../../src/store/sharded-map';

describe('ShardedMap', () => {
  test('behaves as a Map for set, get, has, delete and size', () => {
    const m = new ShardedMap<number>();
    const ref = new Map<string, number>();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 20000; i++) {
      // Keys of every length up to 80 and binary chars, some repeated.
      const len = rand(80);
      let key = '';
      for (let j = 0; j < len; j++) key += String.fromCharCode(rand(4) === 0 ? rand(256) : 97 + rand(3));
      if (rand(3) === 0) {
        expect(m.delete(key)).toBe(ref.delete(key));
      } else {
        m.set(key, i);
        ref.set(key, i);
      }
      expect(m.size).toBe(ref.size);
    }
    for (const [k, v] of ref) {
      expect(m.has(k)).toBe(true);
      expect(m.get(k)).toBe(v);
    }
    expect(new Map(m.entries())).toEqual(ref);
    expect([...m.keys()].sort()).toEqual([...ref.keys()].sort());
    expect([...m.values()].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
    let visited = 0;
    m.forEach((v, k) => {
      expect(ref.get(k)).toBe(v);
      visited++;
    });
    expect(visited).toBe(ref.size);
  });

  test('iteration is live: each entry present throughout is visited once, one deleted first never is', () => {
    const m = new ShardedMap<number>();
    for (let i = 0; i < 5000; i++) m.set(`k${i}`, i);
    const seenAt = new Map<string, number>();
    const deletedAt = new Map<string, number>();
    let step = 0;
    for (const [k] of m) {
      step++;
      expect(seenAt.has(k)).toBe(false);
      seenAt.set(k, step);
      if (step % 10 === 0) {
        const victim = `k${(step * 7919) % 5000}`;
        if (m.delete(victim)) deletedAt.set(victim, step);
        m.set(`new${step}`, step);
      }
    }
    for (let i = 0; i < 5000; i++) {
      const k = `k${i}`;
      const deleted = deletedAt.get(k);
      if (deleted === undefined) expect(seenAt.has(k)).toBe(true);
      else if (seenAt.has(k)) expect(seenAt.get(k)!).toBeLessThanOrEqual(deleted);
    }
    expect(deletedAt.size).toBeGreaterThan(100);
  });

  test('keys spread over the shards whatever part of them varies', () => {
    const shapes = [(i: number) => `key:${String(i).padStart(12, '0')}`, (i: number) => `user:${i}:profile`, (i: number) => `${i}`, (i: number) => `s:${i}:${'x'.repeat(60)}`];
    for (const shape of shapes) {
      const m = new ShardedMap<number>();
      for (let i = 0; i < 64000; i++) m.set(shape(i), i);
      const sizes = (m as unknown as { shards: Map<string, number>[] }).shards.map((s) => s.size);
      // 128 shards of 500 on average: none holds more than twice its share.
      expect(Math.max(...sizes)).toBeLessThan(1000);
      expect(Math.min(...sizes)).toBeGreaterThan(250);
    }
  });
});
