import { SortedEntry, SortedIndex } from '../../../../src/store/types/sorted-index';
import { LEX_MAX, LEX_MIN, lexGteMin, lexLteMax, scoreGteMin, scoreLteMax, type LexBound, type LexRange, type ScoreRange } from '../../../../src/store/types/zset-range';

/** A deterministic PRNG so a failing sequence can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Element {
  member: string;
  score: number;
}

function isBefore(a: Element, b: Element): boolean {
  return a.score < b.score || (a.score === b.score && a.member < b.member);
}

/** The naive model: an array kept sorted by (score, member). */
class Model {
  items: Element[] = [];
  insert(member: string, score: number): void {
    const e = { member, score };
    let i = 0;
    while (i < this.items.length && isBefore(this.items[i], e)) i++;
    this.items.splice(i, 0, e);
  }
  indexOf(member: string): number {
    return this.items.findIndex((e) => e.member === member);
  }
  remove(member: string): void {
    this.items.splice(this.indexOf(member), 1);
  }
}

function walk(index: SortedIndex): Element[] {
  const out: Element[] = [];
  for (let x = index.first; x !== null; x = x.next) out.push({ member: x.member, score: x.score });
  return out;
}

function walkBack(index: SortedIndex): Element[] {
  const out: Element[] = [];
  for (let x = index.tail; x !== null; x = x.backward) out.push({ member: x.member, score: x.score });
  return out.reverse();
}

/** Deletes 1-based ranks start..end from both and checks the count. */
function expectRankDeletion(index: SortedIndex, entries: Map<string, SortedEntry>, model: Model, start: number, end: number): void {
  const doomed = model.items.slice(start - 1, end);
  expect(index.deleteRangeByRank(start, end, entries)).toBe(doomed.length);
  for (const e of doomed) model.remove(e.member);
}

/** Everything observable agrees with the model, and the tree's own invariants hold. */
function expectSame(index: SortedIndex, model: Model): void {
  index.assertConsistent();
  expect(index.length).toBe(model.items.length);
  expect(walk(index)).toEqual(model.items);
  expect(walkBack(index)).toEqual(model.items);
}

const SCORES = [-Infinity, -2.5, -1, -0, 0, 0.1, 1, 1, 2, 3.25, 1e9, Infinity];
const MEMBERS = ['a', 'b', 'c', 'ab', 'abc', '', 'z', '\u0000', '\u00ff', 'B', 'aa'];

function randomScoreRange(rand: () => number): ScoreRange {
  return {
    min: SCORES[Math.floor(rand() * SCORES.length)],
    max: SCORES[Math.floor(rand() * SCORES.length)],
    minExclusive: rand() < 0.4,
    maxExclusive: rand() < 0.4,
  };
}

function randomLexBound(rand: () => number): LexBound {
  const r = rand();
  if (r < 0.1) return LEX_MIN;
  if (r < 0.2) return LEX_MAX;
  return MEMBERS[Math.floor(rand() * MEMBERS.length)] + (rand() < 0.3 ? String(Math.floor(rand() * 10)) : '');
}

describe('SortedIndex against a sorted-array model', () => {
  test('random inserts, deletes, score updates, ranks and range queries through three tree levels', () => {
    for (const [seed, ops, spread] of [
      [1, 4000, 30],
      [2, 4000, 300],
      [3, 30000, 2000],
    ]) {
      const rand = rng(seed);
      const index = new SortedIndex();
      const entries = new Map<string, SortedEntry>();
      const model = new Model();
      for (let op = 0; op < ops; op++) {
        const member = MEMBERS[Math.floor(rand() * MEMBERS.length)] + String(Math.floor(rand() * spread));
        // Mostly distinct scores so leaves split on score; some shared ones exercise member order.
        const score = rand() < 0.5 ? SCORES[Math.floor(rand() * SCORES.length)] : Math.floor(rand() * 1000) / 8;
        const r = rand();
        const existing = entries.get(member);
        if (r < 0.5) {
          if (existing === undefined) {
            entries.set(member, index.insert(score, member));
            model.insert(member, score);
          } else if (existing.score !== score) {
            index.updateScore(existing, score);
            expect(existing.score).toBe(score);
            model.remove(member);
            model.insert(member, score);
          }
        } else if (r < 0.65) {
          if (existing !== undefined) {
            expect(index.delete(existing.score, member)).toBe(true);
            entries.delete(member);
            model.remove(member);
          } else {
            expect(index.delete(score, member)).toBe(false);
          }
        } else if (r < 0.75) {
          const i = model.indexOf(member);
          expect(index.rankOf(i >= 0 ? model.items[i].score : score, member)).toBe(i + 1);
        } else if (r < 0.85) {
          const rank = Math.floor(rand() * (model.items.length + 2));
          const entry = index.byRank(rank);
          const e = rank >= 1 ? model.items[rank - 1] : undefined;
          expect(entry === null ? undefined : { member: entry.member, score: entry.score }).toEqual(e);
          if (entry !== null) expect(entries.get(entry.member)).toBe(entry);
        } else if (r < 0.97) {
          const range = randomScoreRange(rand);
          const inRange = model.items.filter((e) => scoreGteMin(e.score, range) && scoreLteMax(e.score, range));
          expect(index.firstInRange(range)?.member).toBe(inRange[0]?.member);
          expect(index.lastInRange(range)?.member).toBe(inRange[inRange.length - 1]?.member);
        } else if (r < 0.985) {
          const range = randomScoreRange(rand);
          const doomed = model.items.filter((e) => scoreGteMin(e.score, range) && scoreLteMax(e.score, range));
          expect(index.deleteRange(range, entries)).toBe(doomed.length);
          for (const e of doomed) model.remove(e.member);
        } else {
          const start = 1 + Math.floor(rand() * (model.items.length + 1));
          expectRankDeletion(index, entries, model, start, start + Math.floor(rand() * 200));
        }
        expect(index.length).toBe(model.items.length);
        if (op % 500 === 0) expectSame(index, model);
      }
      expectSame(index, model);
      expect(entries.size).toBe(model.items.length);
      // Every rank and every member's rank, once at the end.
      model.items.forEach((e, i) => {
        expect(index.rankOf(e.score, e.member)).toBe(i + 1);
        expect(index.byRank(i + 1)?.member).toBe(e.member);
      });
    }
  });

  test('lex ranges and lex/rank range deletions over equal scores', () => {
    const rand = rng(7);
    for (let round = 0; round < 300; round++) {
      const index = new SortedIndex();
      const entries = new Map<string, SortedEntry>();
      const model = new Model();
      const n = Math.floor(rand() * (round % 10 === 0 ? 400 : 40));
      for (let i = 0; i < n; i++) {
        const member = MEMBERS[Math.floor(rand() * MEMBERS.length)] + String(Math.floor(rand() * 40));
        if (entries.has(member)) continue;
        entries.set(member, index.insert(0, member));
        model.insert(member, 0);
      }
      const range: LexRange = { min: randomLexBound(rand), max: randomLexBound(rand), minExclusive: rand() < 0.5, maxExclusive: rand() < 0.5 };
      const inRange = model.items.filter((e) => lexGteMin(e.member, range) && lexLteMax(e.member, range));
      expect(index.firstInRange(range)?.member).toBe(inRange[0]?.member);
      expect(index.lastInRange(range)?.member).toBe(inRange[inRange.length - 1]?.member);
      if (round % 2 === 0) {
        expect(index.deleteRange(range, entries)).toBe(inRange.length);
        for (const e of inRange) model.remove(e.member);
      } else {
        const start = 1 + Math.floor(rand() * (model.items.length + 1));
        expectRankDeletion(index, entries, model, start, start + Math.floor(rand() * 5));
      }
      expectSame(index, model);
      expect([...entries.keys()].sort()).toEqual(model.items.map((e) => e.member).sort());
    }
  });

  test('inserts at either end, a half deleted, the rest by rank, then refilled', () => {
    const index = new SortedIndex();
    const entries = new Map<string, SortedEntry>();
    const model = new Model();
    for (let i = 5000; i < 10000; i++) {
      entries.set(`m${i}`, index.insert(i, `m${i}`));
      model.items.push({ member: `m${i}`, score: i });
    }
    for (let i = 4999; i >= 0; i--) {
      entries.set(`m${i}`, index.insert(i, `m${i}`));
      model.items.unshift({ member: `m${i}`, score: i });
    }
    expectSame(index, model);
    for (let i = 0; i < 10000; i += 2) {
      expect(index.delete(i, `m${i}`)).toBe(true);
      entries.delete(`m${i}`);
    }
    model.items = model.items.filter((e) => e.score % 2 === 1);
    expectSame(index, model);
    expect(index.deleteRangeByRank(1, 5000, entries)).toBe(5000);
    expect(entries.size).toBe(0);
    expectSame(index, new Model());
    expect(index.first).toBeNull();
    expect(index.tail).toBeNull();
    expect(index.byRank(1)).toBeNull();
    index.insert(5, 'x');
    expect(walk(index)).toEqual([{ member: 'x', score: 5 }]);
  });

  test('a score update keeps its entry, in place or moved; -0 and 0 are one key', () => {
    const index = new SortedIndex();
    const a = index.insert(1, 'a');
    index.insert(5, 'b');
    index.updateScore(a, 2);
    expect(index.first).toBe(a);
    index.updateScore(a, 10);
    expect(index.tail).toBe(a);
    expect(walk(index).map((e) => e.member)).toEqual(['b', 'a']);
    const z = index.insert(-0, 'z');
    expect(index.rankOf(0, 'z')).toBe(1);
    expect(index.delete(0, 'z')).toBe(true);
    expect(z.next).not.toBeNull();
    index.assertConsistent();
  });
});
