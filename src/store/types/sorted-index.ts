/**
 * The ordered half of a sorted set: an order-statistic B+tree over
 * (score, member bytes), serving what Redis's skip list does in t_zset.c
 * (zsl*): insert, delete, move to a new score, rank of an element, element
 * at a rank, first/last in a score or lex range, range deletions.
 *
 *                    ┌──────────────── inner ────────────────┐
 *   sepScores/Members│   -     (3,"k")      (9,"b")           │  child i holds keys ≥ sep[i], < sep[i+1]
 *   counts           │   64      40           57              │  elements under child i (for ranks)
 *   children         │   ●       ●            ●               │  each child knows its parent and slot
 *                    └───┼───────┼────────────┼───────────────┘
 *        leaf ◀──prev/next──▶ leaf ◀──────▶ leaf       up to LEAF_MAX elements each
 *        scores  [1, 1, 2, …]                          a plain number array (unboxed)
 *        entries [●, ●, ●, …] → SortedEntry { member, score, leaf }
 *
 * Why not the skip list: on 100k members every skip-list step was a cache
 * miss on a scattered node, and a ZADD update searched twice (7-10 µs per
 * update). Here a search is a binary search over one contiguous array of
 * numbers per level (V8 stores an all-number array unboxed): at 100k
 * members a root, ~50 inner nodes and ~2,000 leaves. Members are read only
 * on a tie of scores. A removal starts at the entry's leaf and fixes the
 * counts through the parent links, so moving an element searches once.
 *
 * Separators are lower bounds fixed when a node splits; deletions never
 * rewrite them, so after a delete a separator may sort below its child's
 * first key (still a valid bound). Deletions leave leaves under-full and
 * drop only empty nodes, without merging; a root with one child is
 * replaced by it.
 *
 * Entries are the handles the sorted set keeps in its member map and that
 * the commands and the RDB writer walk (next / backward, null at the ends).
 * An entry knows its leaf, so a step is an indexOf over at most LEAF_MAX
 * pointers in one array. Ranks are 1-based as in Redis (0: not found).
 * Lex ranges are meaningful when all scores are equal, as in Redis.
 */
import assert from 'node:assert';
import type { MemberIndex } from '../sharded-map';
import { aboveMin, belowMax, isEmptyRange, type Range } from './zset-range';

/** Elements per leaf before it splits: 64 doubles are 512 bytes, a handful of cache lines. */
const LEAF_MAX = 64;
/** Children per inner node before it splits. */
const INNER_MAX = 64;

export class SortedEntry {
  constructor(
    readonly member: string,
    public score: number,
    /** The leaf holding this entry; kept current by every split and move. */
    public leaf: Leaf,
  ) {}

  /** The next entry in ascending order, or null after the last. */
  get next(): SortedEntry | null {
    const leaf = this.leaf;
    const i = leaf.entries.indexOf(this) + 1;
    if (i < leaf.entries.length) return leaf.entries[i];
    return leaf.next === null ? null : leaf.next.entries[0];
  }

  /** The previous entry, or null before the first. */
  get backward(): SortedEntry | null {
    const leaf = this.leaf;
    const i = leaf.entries.indexOf(this);
    if (i > 0) return leaf.entries[i - 1];
    const prev = leaf.prev;
    return prev === null ? null : prev.entries[prev.entries.length - 1];
  }
}

/** Elements in order; scores[i] is entries[i].score, kept apart so searches read contiguous numbers. */
class Leaf {
  readonly scores: number[] = [];
  readonly entries: SortedEntry[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;
  parent: Inner | null = null;
  /** Position in parent.children (see renumber). */
  slot = 0;
}

/** Routing: child i holds keys ≥ (sepScores[i], sepMembers[i]); slot 0's separator is never read. */
class Inner {
  readonly children: (Inner | Leaf)[] = [];
  readonly counts: number[] = [];
  readonly sepScores: number[] = [];
  readonly sepMembers: string[] = [];
  parent: Inner | null = null;
  /** Position in parent.children (see renumber). */
  slot = 0;
}

/** a < b in (score, member bytes) order. */
function isBefore(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

/** First position in the leaf whose key is ≥ (score, member). */
function leafLowerBound(leaf: Leaf, score: number, member: string): number {
  const scores = leaf.scores;
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Members are read only on a tie of scores: each is a load from another object.
    const s = scores[mid];
    if (s < score || (s === score && leaf.entries[mid].member < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child whose key interval holds (score, member). */
function childFor(node: Inner, score: number, member: string): number {
  const scores = node.sepScores;
  let lo = 1;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = scores[mid];
    if (s < score || (s === score && node.sepMembers[mid] <= member)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A test on an element against a range that holds on a prefix of the order (belowMin, belowMax). */
type RangeTest = (score: number, member: string, r: Range) => boolean;

/** The first separator (from slot 1) that fails `passes`, or the child count. */
function firstFailingSeparator(node: Inner, passes: RangeTest, r: Range): number {
  let lo = 1;
  let hi = node.sepScores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (passes(node.sepScores[mid], node.sepMembers[mid], r)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position in the leaf that fails `passes`, or its length. */
function firstFailingInLeaf(leaf: Leaf, passes: RangeTest, r: Range): number {
  let lo = 0;
  let hi = leaf.scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (passes(leaf.scores[mid], leaf.entries[mid].member, r)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertAt<T>(a: T[], i: number, x: T): void {
  a.push(x);
  for (let j = a.length - 1; j > i; j--) a[j] = a[j - 1];
  a[i] = x;
}

function removeSpan<T>(a: T[], i: number, n: number): void {
  const end = a.length - n;
  for (let j = i; j < end; j++) a[j] = a[j + n];
  // pop() is inlined; assigning `length` is a runtime call (and copyWithin a slow builtin).
  for (let j = 0; j < n; j++) a.pop();
}

/** !aboveMin: the predicate that holds on the elements before a range. */
function belowMin(score: number, member: string, r: Range): boolean {
  return !aboveMin(score, member, r);
}

/** Adds delta to the counts on the way from a node up to the root. */
function addToCounts(node: Inner | Leaf, delta: number): void {
  for (let parent = node.parent; parent !== null; node = parent, parent = parent.parent) parent.counts[node.slot] += delta;
}

/**
 * Stores each child's position from `from` on, after children moved. Only
 * splits and dropped nodes move children, so counts are found without a
 * search on every insert and removal.
 */
function renumber(node: Inner, from: number): void {
  const children = node.children;
  for (let j = from; j < children.length; j++) children[j].slot = j;
}

export class SortedIndex {
  private root: Inner | Leaf = new Leaf();
  /** Inner levels above the leaves (0: the root is a leaf). */
  private height = 0;
  private headLeaf: Leaf = this.root as Leaf;
  private tailLeaf: Leaf = this.root as Leaf;
  length = 0;

  /** Every entry in ascending order, as a new array (a linear walk of the leaves). */
  entryList(): SortedEntry[] {
    const out: SortedEntry[] = [];
    for (let leaf: Leaf | null = this.headLeaf; leaf !== null; leaf = leaf.next) for (const entry of leaf.entries) out.push(entry);
    return out;
  }

  /** The member's entry by a linear walk of the leaves: for sets too small to keep a member index. */
  findMember(member: string): SortedEntry | undefined {
    for (let leaf: Leaf | null = this.headLeaf; leaf !== null; leaf = leaf.next) {
      const entries = leaf.entries;
      for (let i = 0; i < entries.length; i++) if (entries[i].member === member) return entries[i];
    }
    return undefined;
  }

  get first(): SortedEntry | null {
    const entries = this.headLeaf.entries;
    return entries.length === 0 ? null : entries[0];
  }

  get tail(): SortedEntry | null {
    const entries = this.tailLeaf.entries;
    return entries.length === 0 ? null : entries[entries.length - 1];
  }

  /** zslInsert: the caller guarantees the member is not in the index yet. */
  insert(score: number, member: string): SortedEntry {
    const leaf = this.descend(score, member);
    const entry = new SortedEntry(member, score, leaf);
    this.place(leaf, entry);
    return entry;
  }

  /** zslDelete: removes the element with exactly this score and member. */
  delete(score: number, member: string): boolean {
    const leaf = this.descend(score, member);
    const i = leafLowerBound(leaf, score, member);
    if (i === leaf.entries.length || leaf.entries[i].member !== member || leaf.scores[i] !== score) return false;
    this.removeRun(leaf, i, 1);
    return true;
  }

  /**
   * zslUpdateScore: moves a present element to a new score. The entry
   * stays the same object, so the member map needs no update. When the key
   * stays between its neighbours in the leaf only the score changes; at a
   * leaf's edge it may only move inwards, away from the separator that
   * bounds the leaf.
   */
  updateScore(entry: SortedEntry, newScore: number): void {
    const leaf = entry.leaf;
    const entries = leaf.entries;
    const i = entries.indexOf(entry);
    // assert() collects its arguments into an array on every call: test first.
    if (i < 0) assert.fail('sorted-index: updateScore on an entry that is not in the index');
    const member = entry.member;
    const last = entries.length - 1;
    const scores = leaf.scores;
    // Scores first: a neighbour's member is read only on a tie.
    const isAfterPrev = i > 0 ? scores[i - 1] < newScore || (scores[i - 1] === newScore && entries[i - 1].member < member) : leaf.prev === null || newScore > entry.score;
    const isBeforeNext = i < last ? newScore < scores[i + 1] || (newScore === scores[i + 1] && member < entries[i + 1].member) : leaf.next === null || newScore < entry.score;
    if (isAfterPrev && isBeforeNext) {
      scores[i] = newScore;
      entry.score = newScore;
      return;
    }
    this.removeRun(leaf, i, 1);
    entry.score = newScore;
    this.place(this.descend(newScore, member), entry);
  }

  /** zslGetRank: 1-based rank of (score, member), 0 when absent. */
  rankOf(score: number, member: string): number {
    let node = this.root;
    let rank = 0;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const slot = childFor(inner, score, member);
      for (let j = 0; j < slot; j++) rank += inner.counts[j];
      node = inner.children[slot];
    }
    const leaf = node as Leaf;
    const i = leafLowerBound(leaf, score, member);
    return i < leaf.entries.length && leaf.entries[i].member === member && leaf.scores[i] === score ? rank + i + 1 : 0;
  }

  /** zslGetElementByRank: the entry at a 1-based rank, or null. */
  byRank(rank: number): SortedEntry | null {
    if (rank < 1 || rank > this.length) return null;
    return this.entryAtRank(rank);
  }

  /** zslFirstInRange / zslFirstInLexRange */
  firstInRange(r: Range): SortedEntry | null {
    if (!this.mayHave(r)) return null;
    const first = this.seekRangeStart(r);
    return first !== null && belowMax(first.score, first.member, r) ? first : null;
  }

  /** zslLastInRange / zslLastInLexRange */
  lastInRange(r: Range): SortedEntry | null {
    if (!this.mayHave(r)) return null;
    const leaf = this.leafWhereTestTurns(belowMax, r);
    const i = firstFailingInLeaf(leaf, belowMax, r) - 1;
    const prev = leaf.prev;
    const last = i >= 0 ? leaf.entries[i] : prev === null ? null : prev.entries[prev.entries.length - 1];
    return last !== null && aboveMin(last.score, last.member, r) ? last : null;
  }

  /** zslDeleteRangeByScore / zslDeleteRangeByLex: removes every element in range, from the index and from `dict` (when the set has one). */
  deleteRange(r: Range, dict: MemberIndex<SortedEntry> | null): number {
    const first = this.seekRangeStart(r);
    if (first === null || !belowMax(first.score, first.member, r)) return 0;
    const start = this.rankOf(first.score, first.member);
    let end = start;
    let leaf: Leaf | null = first.leaf;
    let i = leaf.entries.indexOf(first) + 1;
    for (;;) {
      if (i === leaf.entries.length) {
        leaf = leaf.next;
        i = 0;
        if (leaf === null) break;
      }
      if (!belowMax(leaf.scores[i], leaf.entries[i].member, r)) break;
      end++;
      i++;
    }
    return this.deleteRangeByRank(start, end, dict);
  }

  /** zslDeleteRangeByRank: removes 1-based ranks start..end inclusive, from the index and from `dict` (when the set has one). */
  deleteRangeByRank(start: number, end: number, dict: MemberIndex<SortedEntry> | null): number {
    if (start < 1) start = 1;
    let remaining = Math.min(end, this.length) - start + 1;
    let removed = 0;
    while (remaining > 0) {
      // Each round empties the rest of one leaf; later ranks slide down to `start`.
      const first = this.entryAtRank(start);
      const leaf = first.leaf;
      const i = leaf.entries.indexOf(first);
      const n = Math.min(remaining, leaf.entries.length - i);
      if (dict !== null) for (let j = i; j < i + n; j++) dict.delete(leaf.entries[j].member);
      this.removeRun(leaf, i, n);
      remaining -= n;
      removed += n;
    }
    return removed;
  }

  /**
   * Checks what the searches rely on and fails an assert when broken: each
   * count is its subtree's size, keys ascend, separators bound their
   * children, leaves are non-empty and linked in order, entries know their leaf.
   */
  assertConsistent(): void {
    const leaves: Leaf[] = [];
    assert.strictEqual(this.root.parent, null, 'sorted-index: root parent');
    const size = this.checkSubtree(this.root, this.height, leaves);
    assert.strictEqual(size, this.length, 'sorted-index: length');
    assert.strictEqual(leaves[0], this.headLeaf, 'sorted-index: head leaf');
    assert.strictEqual(leaves[leaves.length - 1], this.tailLeaf, 'sorted-index: tail leaf');
    for (let j = 0; j < leaves.length; j++) {
      assert.strictEqual(leaves[j].prev, j === 0 ? null : leaves[j - 1], 'sorted-index: prev link');
      assert.strictEqual(leaves[j].next, j === leaves.length - 1 ? null : leaves[j + 1], 'sorted-index: next link');
    }
    let prev: SortedEntry | null = null;
    for (const leaf of leaves) {
      for (const e of leaf.entries) {
        if (prev !== null) assert(isBefore(prev.score, prev.member, e.score, e.member), 'sorted-index: order');
        prev = e;
      }
    }
  }

  /** Size of a subtree after checking it; collects its leaves in order. */
  private checkSubtree(node: Inner | Leaf, height: number, leaves: Leaf[]): number {
    if (height === 0) {
      const leaf = node as Leaf;
      assert(leaf.entries.length > 0 || this.height === 0, 'sorted-index: empty leaf');
      assert(leaf.entries.length <= LEAF_MAX, 'sorted-index: leaf overflow');
      for (let i = 0; i < leaf.entries.length; i++) {
        assert.strictEqual(leaf.entries[i].leaf, leaf, 'sorted-index: entry leaf');
        assert(Object.is(leaf.scores[i], leaf.entries[i].score), 'sorted-index: leaf score');
      }
      leaves.push(leaf);
      return leaf.entries.length;
    }
    const inner = node as Inner;
    const n = inner.children.length;
    assert(n > 0 && n <= INNER_MAX, 'sorted-index: inner fan-out');
    assert(n === inner.counts.length && n === inner.sepScores.length && n === inner.sepMembers.length, 'sorted-index: inner arrays');
    let total = 0;
    for (let j = 0; j < n; j++) {
      assert.strictEqual(inner.children[j].parent, inner, 'sorted-index: parent link');
      assert.strictEqual(inner.children[j].slot, j, 'sorted-index: slot in parent');
      const from = leaves.length;
      const size = this.checkSubtree(inner.children[j], height - 1, leaves);
      assert.strictEqual(inner.counts[j], size, 'sorted-index: count');
      const firstLeaf = leaves[from];
      const lastLeaf = leaves[leaves.length - 1];
      const low = firstLeaf.entries[0];
      const high = lastLeaf.entries[lastLeaf.entries.length - 1];
      if (j > 0) assert(!isBefore(low.score, low.member, inner.sepScores[j], inner.sepMembers[j]), 'sorted-index: separator above its child');
      if (j + 1 < n) assert(isBefore(high.score, high.member, inner.sepScores[j + 1], inner.sepMembers[j + 1]), 'sorted-index: separator below its left sibling');
      total += size;
    }
    return total;
  }

  /** zslIsInRange / zslIsInLexRange: can any element fall in the range? */
  private mayHave(r: Range): boolean {
    if (isEmptyRange(r)) return false;
    const first = this.first;
    const tail = this.tail;
    return first !== null && tail !== null && aboveMin(tail.score, tail.member, r) && belowMax(first.score, first.member, r);
  }

  /** The first element at or past the range's start (maybe past its end too), or null. */
  private seekRangeStart(r: Range): SortedEntry | null {
    const leaf = this.leafWhereTestTurns(belowMin, r);
    const i = firstFailingInLeaf(leaf, belowMin, r);
    if (i < leaf.entries.length) return leaf.entries[i];
    return leaf.next === null ? null : leaf.next.entries[0];
  }

  /**
   * Walks to the leaf where `passes` (true on a prefix of the order) turns
   * false, taking the last child whose separator passes: later children lie
   * wholly past the turn. The turn may also be right after the leaf's end
   * (its separator was a stale lower bound), at the next leaf's start.
   */
  private leafWhereTestTurns(passes: RangeTest, r: Range): Leaf {
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      node = inner.children[firstFailingSeparator(inner, passes, r) - 1];
    }
    return node as Leaf;
  }

  /** Walks to the leaf whose interval holds (score, member). */
  private descend(score: number, member: string): Leaf {
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      node = inner.children[childFor(inner, score, member)];
    }
    return node as Leaf;
  }

  /** The entry at a 1-based rank within 1..length. */
  private entryAtRank(rank: number): SortedEntry {
    let node = this.root;
    let left = rank - 1;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const counts = inner.counts;
      let slot = 0;
      while (left >= counts[slot]) left -= counts[slot++];
      node = inner.children[slot];
    }
    return (node as Leaf).entries[left];
  }

  /** Puts an entry into the leaf `descend` reached for its key. */
  private place(leaf: Leaf, entry: SortedEntry): void {
    const i = leafLowerBound(leaf, entry.score, entry.member);
    insertAt(leaf.scores, i, entry.score);
    insertAt(leaf.entries, i, entry);
    entry.leaf = leaf;
    addToCounts(leaf, 1);
    this.length++;
    if (leaf.entries.length > LEAF_MAX) this.splitLeaf(leaf, i);
  }

  /**
   * Moves the upper part of an overfull leaf to a new right sibling. An
   * insert at either end of the whole order (ascending ZADDs; an RDB load,
   * which comes highest score first) leaves the new element alone on its
   * side, so such leaves stay full instead of half empty.
   */
  private splitLeaf(leaf: Leaf, insertedAt: number): void {
    const n = leaf.entries.length;
    let at = n >>> 1;
    if (insertedAt === n - 1 && leaf.next === null) at = n - 1;
    else if (insertedAt === 0 && leaf.prev === null) at = 1;
    const right = new Leaf();
    for (let j = at; j < n; j++) {
      const entry = leaf.entries[j];
      entry.leaf = right;
      right.entries.push(entry);
      right.scores.push(leaf.scores[j]);
    }
    leaf.entries.length = at;
    leaf.scores.length = at;
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next === null) this.tailLeaf = right;
    else leaf.next.prev = right;
    leaf.next = right;
    this.addSibling(leaf, at, right, n - at, right.scores[0], right.entries[0].member);
  }

  /**
   * Inserts `right` after `left` in their parent, with the separator that
   * starts it; without a parent, grows a new root above both.
   */
  private addSibling(left: Inner | Leaf, leftCount: number, right: Inner | Leaf, rightCount: number, sepScore: number, sepMember: string): void {
    const parent = left.parent;
    if (parent === null) {
      const root = new Inner();
      root.children.push(left, right);
      root.counts.push(leftCount, rightCount);
      root.sepScores.push(sepScore, sepScore);
      root.sepMembers.push(sepMember, sepMember);
      left.parent = root;
      right.parent = root;
      renumber(root, 0);
      this.root = root;
      this.height++;
      return;
    }
    const slot = left.slot;
    parent.counts[slot] = leftCount;
    insertAt(parent.children, slot + 1, right);
    insertAt(parent.counts, slot + 1, rightCount);
    insertAt(parent.sepScores, slot + 1, sepScore);
    insertAt(parent.sepMembers, slot + 1, sepMember);
    right.parent = parent;
    renumber(parent, slot + 1);
    if (parent.children.length > INNER_MAX) this.splitInner(parent);
  }

  private splitInner(node: Inner): void {
    const n = node.children.length;
    const at = n >>> 1;
    const right = new Inner();
    let leftCount = 0;
    let rightCount = 0;
    for (let j = 0; j < at; j++) leftCount += node.counts[j];
    for (let j = at; j < n; j++) {
      const child = node.children[j];
      child.parent = right;
      right.children.push(child);
      right.counts.push(node.counts[j]);
      right.sepScores.push(node.sepScores[j]);
      right.sepMembers.push(node.sepMembers[j]);
      rightCount += node.counts[j];
    }
    node.children.length = at;
    node.counts.length = at;
    node.sepScores.length = at;
    node.sepMembers.length = at;
    renumber(right, 0);
    this.addSibling(node, leftCount, right, rightCount, right.sepScores[0], right.sepMembers[0]);
  }

  /** Removes n entries from position i of a leaf; drops the leaf when it empties. */
  private removeRun(leaf: Leaf, i: number, n: number): void {
    removeSpan(leaf.scores, i, n);
    removeSpan(leaf.entries, i, n);
    this.length -= n;
    if (leaf.entries.length > 0 || this.height === 0) addToCounts(leaf, -n);
    else this.dropLeaf(leaf, n);
  }

  /**
   * Unlinks a leaf just emptied of its last `removed` elements and removes
   * it, and every inner node it leaves empty, from the tree.
   */
  private dropLeaf(leaf: Leaf, removed: number): void {
    if (leaf.prev === null) this.headLeaf = leaf.next!;
    else leaf.prev.next = leaf.next;
    if (leaf.next === null) this.tailLeaf = leaf.prev!;
    else leaf.next.prev = leaf.prev;
    let child: Inner | Leaf = leaf;
    let parent = leaf.parent;
    // A root with one child is replaced by it (below), so the root always keeps a child here.
    while (parent !== null) {
      const slot = child.slot;
      removeSpan(parent.children, slot, 1);
      removeSpan(parent.counts, slot, 1);
      removeSpan(parent.sepScores, slot, 1);
      removeSpan(parent.sepMembers, slot, 1);
      renumber(parent, slot);
      if (parent.children.length > 0) break;
      child = parent;
      parent = parent.parent;
    }
    if (parent === null) assert.fail('sorted-index: dropped the last leaf');
    // The counts above the node that kept children still include the leaf's last elements.
    addToCounts(parent, -removed);
    while (this.height > 0 && (this.root as Inner).children.length === 1) {
      this.root = (this.root as Inner).children[0];
      this.root.parent = null;
      this.height--;
    }
  }
}
