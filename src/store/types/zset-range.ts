/**
 * Score and lex ranges of a sorted set (ZRANGEBYSCORE "(1" "+inf",
 * ZRANGEBYLEX "[a" "+") and Redis's tests on them (t_zset.c,
 * zslValueGteMin / zslValueLteMax / zslLexValueGteMin / zslLexValueLteMax).
 * Members compare as latin1 strings, which is byte order, the order of
 * Redis's sdscmp. Parsing lives with the commands (commands/zset.ts); the
 * ordered index (sorted-index.ts) and the commands both test elements here.
 */

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

/** A score range or a lex range: the index's range walks serve both. */
export type Range = ScoreRange | LexRange;

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

/** Is the element (score, member) at or past the range's start? */
export function aboveMin(score: number, member: string, r: Range): boolean {
  return typeof r.min === 'number' ? scoreGteMin(score, r as ScoreRange) : lexGteMin(member, r as LexRange);
}

/** Is the element (score, member) at or before the range's end? */
export function belowMax(score: number, member: string, r: Range): boolean {
  return typeof r.min === 'number' ? scoreLteMax(score, r as ScoreRange) : lexLteMax(member, r as LexRange);
}

/** zslIsInRange / zslIsInLexRange's first test: is the range empty by itself? */
export function isEmptyRange(r: Range): boolean {
  if (typeof r.min === 'number') {
    const sr = r as ScoreRange;
    return sr.min > sr.max || (sr.min === sr.max && (sr.minExclusive || sr.maxExclusive));
  }
  const cmp = compareLex(r.min, r.max as LexBound);
  return cmp > 0 || (cmp === 0 && (r.minExclusive || r.maxExclusive));
}
