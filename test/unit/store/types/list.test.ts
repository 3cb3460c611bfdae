/**
 * ListValue against a plain array model: random pushes, pops, inserts,
 * removals and trims across buffer growth, shrinking and wrap-around must
 * leave the same elements in the same order.
 */
import { ListValue } from '../../../../src/store/types/list';

/** A small deterministic PRNG so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function contents(l: ListValue): string[] {
  return Array.from(l.values());
}

describe('ListValue', () => {
  test('starts empty and reports the Redis 7.0 encoding', () => {
    const l = new ListValue();
    expect(l.size).toBe(0);
    expect(l.type).toBe('list');
    expect(l.encoding()).toBe('quicklist');
    expect(l.popFront()).toBeUndefined();
    expect(l.popBack()).toBeUndefined();
  });

  test('pushes and pops at both ends across wrap-around and resizing', () => {
    const l = new ListValue();
    for (let i = 0; i < 20; i++) l.pushFront(`f${i}`);
    for (let i = 0; i < 20; i++) l.pushBack(`b${i}`);
    expect(l.size).toBe(40);
    expect(l.at(0)).toBe('f19');
    expect(l.at(39)).toBe('b19');
    for (let i = 0; i < 19; i++) expect(l.popFront()).toBe(`f${19 - i}`);
    for (let i = 0; i < 19; i++) expect(l.popBack()).toBe(`b${19 - i}`);
    expect(contents(l)).toEqual(['f0', 'b0']);
  });

  test('random operations match an array model', () => {
    const rand = rng(7);
    const l = new ListValue();
    const model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = Math.floor(rand() * 10);
      const v = String(Math.floor(rand() * 5));
      const at = Math.floor(rand() * (model.length + 1));
      switch (op) {
        case 0:
        case 1:
          l.pushBack(v);
          model.push(v);
          break;
        case 2:
          l.pushFront(v);
          model.unshift(v);
          break;
        case 3:
          expect(l.popFront()).toBe(model.shift());
          break;
        case 4:
          expect(l.popBack()).toBe(model.pop());
          break;
        case 5:
          l.insertAt(at, v);
          model.splice(at, 0, v);
          break;
        case 6: {
          const limit = Math.floor(rand() * 3);
          const fromTail = rand() < 0.5;
          let removed = 0;
          if (fromTail) {
            for (let i = model.length - 1; i >= 0; i--) {
              if (model[i] === v && (limit === 0 || removed < limit)) {
                model.splice(i, 1);
                removed++;
              }
            }
          } else {
            for (let i = 0; i < model.length; ) {
              if (model[i] === v && (limit === 0 || removed < limit)) {
                model.splice(i, 1);
                removed++;
              } else i++;
            }
          }
          expect(l.removeMatching(v, limit, fromTail)).toBe(removed);
          break;
        }
        case 7: {
          const n = Math.floor(rand() * 4);
          l.removeFront(n);
          model.splice(0, n);
          break;
        }
        case 8: {
          const n = Math.floor(rand() * 4);
          l.removeBack(n);
          model.splice(Math.max(0, model.length - n), n);
          break;
        }
        default:
          if (model.length > 0) {
            const i = Math.floor(rand() * model.length);
            expect(l.at(i)).toBe(model[i]);
            l.setAt(i, v);
            model[i] = v;
            expect(l.indexOf(v)).toBe(model.indexOf(v));
          }
      }
      expect(l.size).toBe(model.length);
      if (step % 500 === 0) expect(contents(l)).toEqual(model);
    }
    expect(contents(l)).toEqual(model);
  });

  test('random operations on a list of tens of thousands (a paged ring) match an array model', () => {
    const rand = rng(11);
    const l = new ListValue();
    const model: string[] = [];
    let counter = 0;
    // expect() per step would dominate the run time: compare, and call it only on a mismatch.
    const same = (got: unknown, want: unknown): void => {
      if (got !== want) expect(got).toBe(want);
    };
    const step = (growth: number): void => {
      const r = rand();
      const v = String(counter++ % 7);
      if (r < growth / 2) {
        l.pushBack(v);
        model.push(v);
      } else if (r < growth) {
        l.pushFront(v);
        model.unshift(v);
      } else if (r < growth + 0.1) {
        same(l.popFront(), model.shift());
      } else if (r < growth + 0.2) {
        same(l.popBack(), model.pop());
      } else if (r < growth + 0.22) {
        const at = Math.floor(rand() * (model.length + 1));
        l.insertAt(at, v);
        model.splice(at, 0, v);
      } else if (r < growth + 0.2201) {
        const n = Math.floor(rand() * 3000);
        if (rand() < 0.5) {
          l.removeFront(n);
          model.splice(0, n);
        } else {
          l.removeBack(n);
          model.splice(Math.max(0, model.length - n), n);
        }
      } else if (r < growth + 0.2211) {
        const limit = Math.floor(rand() * 50);
        let removed = 0;
        for (let i = 0; i < model.length; ) {
          if (model[i] === v && (limit === 0 || removed < limit)) {
            model.splice(i, 1);
            removed++;
          } else i++;
        }
        same(l.removeMatching(v, limit, false), removed);
      } else if (model.length > 0) {
        const i = Math.floor(rand() * model.length);
        same(l.at(i), model[i]);
        l.setAt(i, v);
        model[i] = v;
      }
      same(l.size, model.length);
    };
    let largest = 0;
    for (let i = 0; i < 35000; i++) {
      step(0.8);
      largest = Math.max(largest, model.length);
      if (i % 10000 === 0) expect(contents(l)).toEqual(model);
    }
    expect(largest).toBeGreaterThan(3 * 4096);
    expect(contents(l)).toEqual(model);
    const copy = l.clone();
    expect(contents(copy)).toEqual(model);
    // Back down through release of pages and the return to one array, then up again.
    while (model.length > 100) step(0.05);
    expect(contents(l)).toEqual(model);
    expect(contents(copy)).not.toEqual(model);
    for (let i = 0; i < 8000; i++) step(0.8);
    expect(contents(l)).toEqual(model);
  });

  test('clone is independent', () => {
    const l = new ListValue();
    for (let i = 0; i < 50; i++) l.pushFront(String(i));
    const copy = l.clone();
    l.popBack();
    l.setAt(0, 'changed');
    expect(copy.size).toBe(50);
    expect(copy.at(0)).toBe('49');
    expect(copy.at(49)).toBe('0');
  });

  test('a long list is read by index in constant time per element', () => {
    const l = new ListValue();
    for (let i = 0; i < 200000; i++) l.pushBack(String(i));
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < l.size; i++) sum += l.at(i).length;
    expect(sum).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
