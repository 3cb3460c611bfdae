import {
  LEX_MAX,
  LEX_MIN,
  SkipList,
  SkipListNode,
  compareLex,
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexBound,
  type LexRange,
  type ScoreRange,
} from '../../../../src/store/types/skiplist';

/** A deterministic PRNG so a failing sequence can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Entry {
  member: string;
  score: number;
}

/** The naive model: an array kept sorted by (score, member). */
class Model {
  items: Entry[] = [];
  private cmp(a: Entry, b: Entry): number {
    if (a.score !== b.score) return a.score < b.score ? -1 : 1;
    return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
  }
  insert(member: string, score: number): void {
    this.items.push({ member, score });
    this.items.sort((a, b) => this.cmp(a, b));
  }
  find(member: string): Entry | undefined {
    return this.items.find((e) => e.member === member);
  }
  remove(member: string): void {
    this.items = this.items.filter((e) => e.member !== member);
  }
}

function walk(list: SkipList): Entry[] {
  const out: Entry[] = [];
  for (let x = list.first; x !== null; x = x.next) out.push({ member: x.member, score: x.score });
  return out;
}

function walkBack(list: SkipList): Entry[] {
  const out: Entry[] = [];
  for (let x = list.tail; x !== null; x = x.backward) out.push({ member: x.member, score: x.score });
  return out.reverse();
}

/** Checks every span against the level-0 distance it claims to cover. */
function checkSpans(list: SkipList): void {
  const position = new Map<SkipListNode, number>();
  let i = 1;
  for (let x = list.first; x !== null; x = x.next) position.set(x, i++);
  const nodes: SkipListNode[] = [list.header, ...position.keys()];
  for (const node of nodes) {
    const from = node === list.header ? 0 : position.get(node)!;
    for (let level = 0; level < Math.min(node.levels, list.level); level++) {
      const to = node.forward(level);
      const expected = to === null ? (node === list.header && list.length === 0 ? 0 : list.length - from) : position.get(to)! - from;
      if (to !== null || node !== list.header) expect(node.span(level)).toBe(expected);
    }
  }
}

const SCORES = [-Infinity, -2.5, -1, 0, 0.1, 1, 1, 2, 3.25, 1e9, Infinity];
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

describe('SkipList against a sorted-array model', () => {
  test('thousands of random inserts, deletes, score updates, ranks and range queries', () => {
    for (const seed of [1, 2, 3]) {
      const rand = rng(seed);
      const list = new SkipList();
      const nodes = new Map<string, SkipListNode>();
      const model = new Model();
      for (let op = 0; op < 4000; op++) {
        const member = MEMBERS[Math.floor(rand() * MEMBERS.length)] + String(Math.floor(rand() * 30));
        const score = SCORES[Math.floor(rand() * SCORES.length)];
        const r = rand();
        const existing = nodes.get(member);
        if (r < 0.4) {
          if (existing === undefined) {
            nodes.set(member, list.insert(score, member));
            model.insert(member, score);
          } else {
            nodes.set(member, list.updateScore(existing, score));
            model.remove(member);
            model.insert(member, score);
          }
        } else if (r < 0.6) {
          if (existing !== undefined) {
            expect(list.delete(existing.score, member)).toBe(true);
            nodes.delete(member);
            model.remove(member);
          } else {
            expect(list.delete(score, member)).toBe(false);
          }
        } else if (r < 0.7) {
          const i = model.items.findIndex((e) => e.member === member);
          const e = model.find(member);
          expect(list.rankOf(e ? e.score : score, member)).toBe(i + 1);
        } else if (r < 0.8) {
          const rank = Math.floor(rand() * (model.items.length + 2));
          const node = list.byRank(rank);
          const e = rank >= 1 ? model.items[rank - 1] : undefined;
          expect(node === null ? undefined : { member: node.member, score: node.score }).toEqual(e);
        } else if (r < 0.9) {
          const range = randomScoreRange(rand);
          const inRange = model.items.filter((e) => scoreGteMin(e.score, range) && scoreLteMax(e.score, range));
          const first = list.firstInRange(range);
          const last = list.lastInRange(range);
          expect(first === null ? undefined : first.member).toBe(inRange[0]?.member);
          expect(last === null ? undefined : last.member).toBe(inRange[inRange.length - 1]?.member);
        } else {
          const range = randomScoreRange(rand);
          const doomed = model.items.filter((e) => scoreGteMin(e.score, range) && scoreLteMax(e.score, range));
          if (rand() < 0.5) continue;
          expect(list.deleteRange(range, nodes)).toBe(doomed.length);
          for (const e of doomed) model.remove(e.member);
        }
        expect(list.length).toBe(model.items.length);
        if (op % 200 === 0) {
          expect(walk(list)).toEqual(model.items);
          expect(walkBack(list)).toEqual(model.items);
          checkSpans(list);
        }
      }
      expect(walk(list)).toEqual(model.items);
      expect(walkBack(list)).toEqual(model.items);
      expect(nodes.size).toBe(model.items.length);
      checkSpans(list);
    }
  });

  test('lex ranges and lex/rank range deletions over equal scores', () => {
    const rand = rng(7);
    for (let round = 0; round < 300; round++) {
      const list = new SkipList();
      const nodes = new Map<string, SkipListNode>();
      const model = new Model();
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) {
        const member = MEMBERS[Math.floor(rand() * MEMBERS.length)] + String(Math.floor(rand() * 10));
        if (nodes.has(member)) continue;
        nodes.set(member, list.insert(0, member));
        model.insert(member, 0);
      }
      const range: LexRange = { min: randomLexBound(rand), max: randomLexBound(rand), minExclusive: rand() < 0.5, maxExclusive: rand() < 0.5 };
      const inRange = model.items.filter((e) => lexGteMin(e.member, range) && lexLteMax(e.member, range));
      expect(list.firstInRange(range)?.member).toBe(inRange[0]?.member);
      expect(list.lastInRange(range)?.member).toBe(inRange[inRange.length - 1]?.member);
      if (round % 2 === 0) {
        expect(list.deleteRange(range, nodes)).toBe(inRange.length);
        for (const e of inRange) model.remove(e.member);
      } else {
        const start = 1 + Math.floor(rand() * (model.items.length + 1));
        const end = start + Math.floor(rand() * 5);
        const doomed = model.items.slice(start - 1, end);
        expect(list.deleteRangeByRank(start, end, nodes)).toBe(doomed.length);
        for (const e of doomed) model.remove(e.member);
      }
      expect(walk(list)).toEqual(model.items);
      expect(walkBack(list)).toEqual(model.items);
      expect([...nodes.keys()].sort()).toEqual(model.items.map((e) => e.member).sort());
      checkSpans(list);
    }
  });

  test('compareLex puts "-" below and "+" above every string, including empty and 0xff', () => {
    expect(compareLex(LEX_MIN, '')).toBe(-1);
    expect(compareLex('', LEX_MIN)).toBe(1);
    expect(compareLex('\u00ff\u00ff', LEX_MAX)).toBe(-1);
    expect(compareLex(LEX_MAX, LEX_MAX)).toBe(0);
    expect(compareLex(LEX_MIN, LEX_MAX)).toBe(-1);
    expect(compareLex('a', 'ab')).toBe(-1);
    expect(compareLex('b', 'ab')).toBe(1);
  });

  test('an in-place score update keeps the same node; a move re-inserts', () => {
    const list = new SkipList();
    const a = list.insert(1, 'a');
    list.insert(5, 'b');
    expect(list.updateScore(a, 2)).toBe(a);
    const moved = list.updateScore(a, 10);
    expect(moved).not.toBe(a);
    expect(walk(list).map((e) => e.member)).toEqual(['b', 'a']);
  });
});
