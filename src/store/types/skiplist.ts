/**
 * The ordered half of a sorted set: Redis's skip list with span counts
 * (t_zset.c, zsl*), ordered by (score, member bytes). Each level's `span`
 * counts how many level-0 steps its forward link jumps, so the rank of a
 * node and the node at a rank are found in O(log N) like any lookup.
 *
 *   header ─L2──────────────────────▶ c ──────────▶ null     span 3
 *   header ─L1────────▶ b ──────────▶ c ──▶ d ───▶ null      spans 2, 1
 *   header ─L0──▶ a ──▶ b ──▶ (..) ─▶ c ──▶ d ───▶ null      spans 1
 *           ◀── backward links on level 0 only; `tail` is the last node
 *
 * Ranks here are 1-based as in Redis (rank 0 means "not found"). Score and
 * lex ranges (ZRANGEBYSCORE "(1" "+inf", ZRANGEBYLEX "[a" "+") are
 * described by ScoreRange/LexRange and tested with Redis's zslValueGteMin /
 * zslLexValueGteMin rules. Members compare as latin1 strings, which is
 * byte order, the order of Redis's sdscmp.
 *
 * This file knows nothing about member lookup: the sorted set (zset.ts)
 * keeps a Map member → node beside the list and passes it to the range
 * deletions so both stay in step.
 */
import assert from 'node:assert';
import type { MemberIndex } from '../sharded-map';

/** ZSKIPLIST_MAXLEVEL: enough for 2^64 elements at P = 1/4. */
const MAX_LEVEL = 32;
/** ZSKIPLIST_P: a node reaches the next level with probability 1/4. */
const P = 0.25;
/** Levels stored as fields of the node (SkipListNode). */
const INLINE_LEVELS = 4;

export class SkipListNode {
  backward: SkipListNode | null = null;
  /*
   * Levels 0-3 (99.6% of nodes have no more at P = 1/4) are fields of the
   * node itself, so a search step touches one object, not the node plus a
   * links array (~1.9x faster ZADD on 100k members than an array per node,
   * which was itself 1.4-1.7x faster than two arrays). fN is the next node on
   * level N, sN the level-0 steps that link covers; `upper` holds the same
   * pairs for levels 4 and up.
   */
  private f0: SkipListNode | null = null;
  private s0 = 0;
  private f1: SkipListNode | null = null;
  private s1 = 0;
  private f2: SkipListNode | null = null;
  private s2 = 0;
  private f3: SkipListNode | null = null;
  private s3 = 0;
  private readonly upper: (SkipListNode | null | number)[] | null;

  constructor(
    readonly member: string,
    public score: number,
    readonly levels: number,
  ) {
    if (levels <= INLINE_LEVELS) {
      this.upper = null;
      return;
    }
    const upper: (SkipListNode | null | number)[] = new Array((levels - INLINE_LEVELS) * 2);
    for (let i = 0; i < upper.length; i += 2) {
      upper[i] = null;
      upper[i + 1] = 0;
    }
    this.upper = upper;
  }

  forward(i: number): SkipListNode | null {
    switch (i) {
      case 0:
        return this.f0;
      case 1:
        return this.f1;
      case 2:
        return this.f2;
      case 3:
        return this.f3;
      default:
        return this.upper![2 * (i - INLINE_LEVELS)] as SkipListNode | null;
    }
  }

  setForward(i: number, node: SkipListNode | null): void {
    switch (i) {
      case 0:
        this.f0 = node;
        return;
      case 1:
        this.f1 = node;
        return;
      case 2:
        this.f2 = node;
        return;
      case 3:
        this.f3 = node;
        return;
      default:
        this.upper![2 * (i - INLINE_LEVELS)] = node;
    }
  }

  span(i: number): number {
    switch (i) {
      case 0:
        return this.s0;
      case 1:
        return this.s1;
      case 2:
        return this.s2;
      case 3:
        return this.s3;
      default:
        return this.upper![2 * (i - INLINE_LEVELS) + 1] as number;
    }
  }

  setSpan(i: number, steps: number): void {
    switch (i) {
      case 0:
        this.s0 = steps;
        return;
      case 1:
        this.s1 = steps;
        return;
      case 2:
        this.s2 = steps;
        return;
      case 3:
        this.s3 = steps;
        return;
      default:
        this.upper![2 * (i - INLINE_LEVELS) + 1] = steps;
    }
  }

  get next(): SkipListNode | null {
    return this.f0;
  }
}

/** A score interval; exclusive ends come from a "(" prefix. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** "-" and "+" in a lex range: below and above every string. */
export const LEX_MIN: unique symbol = Symbol('-');
export const LEX_MAX: unique symbol = Symbol('+');
export type LexBound = string | typeof LEX_MIN | typeof LEX_MAX;

export interface LexRange {
  min: LexBound;
  max: LexBound;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** sdscmplex: byte order, with "-" below and "+" above everything. */
export function compareLex(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : 1;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minExclusive ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxExclusive ? score < r.max : score <= r.max;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  return r.minExclusive ? compareLex(member, r.min) > 0 : compareLex(member, r.min) >= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  return r.maxExclusive ? compareLex(member, r.max) < 0 : compareLex(member, r.max) <= 0;
}

/** A score range or a lex range: the range walks below serve both. */
export type Range = ScoreRange | LexRange;

export function aboveMin(node: SkipListNode, r: Range): boolean {
  return typeof r.min === 'number' ? scoreGteMin(node.score, r as ScoreRange) : lexGteMin(node.member, r as LexRange);
}

export function belowMax(node: SkipListNode, r: Range): boolean {
  return typeof r.min === 'number' ? scoreLteMax(node.score, r as ScoreRange) : lexLteMax(node.member, r as LexRange);
}

/** True when (score, member) sorts before the node's. */
function isBefore(node: SkipListNode, score: number, member: string): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

/*
 * Scratch vectors for insert/delete: the last node visited on each level and
 * its rank. One command runs at a time, so one pair serves every list.
 */
const update: SkipListNode[] = [];
const rankAt: number[] = [];

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

export class SkipList {
  readonly header = new SkipListNode('', 0, MAX_LEVEL);
  tail: SkipListNode | null = null;
  length = 0;
  /** Levels in use (at least 1). */
  level = 1;

  get first(): SkipListNode | null {
    return this.header.forward(0);
  }

  /** zslInsert: the caller guarantees the member is not in the list yet. */
  insert(score: number, member: string): SkipListNode {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1];
      let next = x.forward(i);
      while (next !== null && isBefore(next, score, member)) {
        rankAt[i] += x.span(i);
        x = next;
        next = x.forward(i);
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = this.header;
        this.header.setSpan(i, this.length);
      }
      this.level = level;
    }
    const node = new SkipListNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const prev = update[i];
      node.setForward(i, prev.forward(i));
      prev.setForward(i, node);
      node.setSpan(i, prev.span(i) - (rankAt[0] - rankAt[i]));
      prev.setSpan(i, rankAt[0] - rankAt[i] + 1);
    }
    for (let i = level; i < this.level; i++) update[i].setSpan(i, update[i].span(i) + 1);
    node.backward = update[0] === this.header ? null : update[0];
    const after = node.next;
    if (after !== null) after.backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** zslDeleteNode: unlinks x given the update vector that leads to it. */
  private unlink(x: SkipListNode): void {
    for (let i = 0; i < this.level; i++) {
      const prev = update[i];
      if (prev.forward(i) === x) {
        prev.setSpan(i, prev.span(i) + x.span(i) - 1);
        prev.setForward(i, x.forward(i));
      } else {
        prev.setSpan(i, prev.span(i) - 1);
      }
    }
    const after = x.next;
    if (after !== null) after.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.forward(this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Fills `update` with the last node before (score, member) on each level; returns the candidate. */
  private seek(score: number, member: string): SkipListNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && isBefore(next, score, member)) {
        x = next;
        next = x.forward(i);
      }
      update[i] = x;
    }
    return x.forward(0);
  }

  /** zslDelete: removes the node with exactly this score and member. */
  delete(score: number, member: string): boolean {
    const x = this.seek(score, member);
    if (x === null || x.score !== score || x.member !== member) return false;
    this.unlink(x);
    return true;
  }

  /**
   * zslUpdateScore: moves a present member to a new score. When the node
   * stays between its neighbours only the score changes; otherwise it is
   * unlinked and re-inserted, and the new node is returned.
   */
  updateScore(node: SkipListNode, newScore: number): SkipListNode {
    const x = this.seek(node.score, node.member);
    assert(x === node, 'skiplist: updateScore on a node that is not in the list');
    const next = x.forward(0);
    if ((x.backward === null || x.backward.score < newScore) && (next === null || next.score > newScore)) {
      x.score = newScore;
      return x;
    }
    this.unlink(x);
    return this.insert(newScore, x.member);
  }

  /** zslGetRank: 1-based rank of (score, member), 0 when absent. */
  rankOf(score: number, member: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && (next.score < score || (next.score === score && next.member <= member))) {
        rank += x.span(i);
        x = next;
        next = x.forward(i);
      }
      if (x !== this.header && x.member === member) return rank;
    }
    return 0;
  }

  /** zslGetElementByRank: the node at a 1-based rank, or null. */
  byRank(rank: number): SkipListNode | null {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && traversed + x.span(i) <= rank) {
        traversed += x.span(i);
        x = next;
        next = x.forward(i);
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  /** zslIsInRange / zslIsInLexRange: can any element fall in the range? */
  private mayHave(r: Range): boolean {
    if (typeof r.min === 'number') {
      const sr = r as ScoreRange;
      if (sr.min > sr.max || (sr.min === sr.max && (sr.minExclusive || sr.maxExclusive))) return false;
    } else {
      const cmp = compareLex(r.min, r.max as LexBound);
      if (cmp > 0 || (cmp === 0 && (r.minExclusive || r.maxExclusive))) return false;
    }
    const first = this.header.forward(0);
    return this.tail !== null && aboveMin(this.tail, r) && first !== null && belowMax(first, r);
  }

  /**
   * The last node before the range on each level, left in `update` for a
   * deletion; returns the level-0 node after it (the candidate first).
   */
  private seekRangeStart(r: Range): SkipListNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && !aboveMin(next, r)) {
        x = next;
        next = x.forward(i);
      }
      update[i] = x;
    }
    return x.forward(0);
  }

  /**
   * zslFirstInRange / zslFirstInLexRange. Lex ranges are meaningful when all
   * scores are equal, as in Redis (the walk assumes member order).
   */
  firstInRange(r: Range): SkipListNode | null {
    if (!this.mayHave(r)) return null;
    const found = this.seekRangeStart(r);
    return found !== null && belowMax(found, r) ? found : null;
  }

  /** zslLastInRange / zslLastInLexRange */
  lastInRange(r: Range): SkipListNode | null {
    if (!this.mayHave(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && belowMax(next, r)) {
        x = next;
        next = x.forward(i);
      }
    }
    return x !== this.header && aboveMin(x, r) ? x : null;
  }

  /** zslDeleteRangeByScore / zslDeleteRangeByLex: removes every node in range, from the list and from `dict`. */
  deleteRange(r: Range, dict: MemberIndex<SkipListNode>): number {
    let removed = 0;
    let node = this.seekRangeStart(r);
    while (node !== null && belowMax(node, r)) {
      const following = node.forward(0);
      this.unlink(node);
      dict.delete(node.member);
      removed++;
      node = following;
    }
    return removed;
  }

  /** zslDeleteRangeByRank: removes 1-based ranks start..end inclusive. */
  deleteRangeByRank(start: number, end: number, dict: MemberIndex<SkipListNode>): number {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward(i);
      while (next !== null && traversed + x.span(i) < start) {
        traversed += x.span(i);
        x = next;
        next = x.forward(i);
      }
      update[i] = x;
    }
    traversed++;
    let removed = 0;
    let node = x.forward(0);
    while (node !== null && traversed <= end) {
      const following = node.forward(0);
      this.unlink(node);
      dict.delete(node.member);
      removed++;
      traversed++;
      node = following;
    }
    return removed;
  }
}
