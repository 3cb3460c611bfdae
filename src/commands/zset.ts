/**
 * Sorted-set commands (Redis 7.0's t_zset.c): ZADD ZINCRBY ZREM ZCARD
 * ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK, the ZRANGE family
 * (ZRANGE with BYSCORE/BYLEX/REV/LIMIT, ZRANGESTORE, ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZREMRANGEBYRANK/SCORE/LEX,
 * ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER, ZUNION ZINTER ZDIFF and their STORE
 * forms, ZINTERCARD, ZSCAN, and the blocking BZPOPMIN BZPOPMAX BZMPOP on
 * top of server/blocking.ts.
 *
 * Reply shapes are 7.0.15's: WITHSCORES is a flat member/score array in
 * RESP2 and an array of [member, double] pairs in RESP3 (ZRANGE, ZUNION,
 * ZRANDMEMBER, ZPOPMIN with a count); ZPOPMIN without a count stays flat;
 * ZMPOP always nests. Scores print as %.17g (0.1 → 0.10000000000000001).
 * ZMPOP and the blocking pops are propagated as ZPOPMIN/ZPOPMAX.
 *
 * Ranges are parsed exactly like zslParseRange (strtod: "" is 0, overflow
 * saturates to ±inf, "(" makes an end exclusive) and zslParseLexRange
 * ("[a" "(a" "-" "+"); ZADD scores like getDoubleFromObject (no overflow,
 * no underflow to zero, no NaN).
 */
import { formatDouble, parseDouble, parseI64 } from '../common/numbers';
import { globMatch } from '../common/glob';
import { D } from '../config/directives';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addDouble, addError, addInteger, addNull, addNullArray } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import { BlockedOperation, blockForKeys, isBlockingDenied, parseTimeout } from '../server/blocking';
import type { Client } from '../server/client';
import { SetValue } from '../store/types/set';
import { LEX_MAX, LEX_MIN, aboveMin, belowMax, type LexBound, type LexRange, type Range, type ScoreRange } from '../store/types/zset-range';
import type { SortedEntry } from '../store/types/sorted-index';
import { ZSetValue, formatListpackScore } from '../store/types/zset';
import { atLeastOneArg, nonNegativeArg, randomCountArg, word } from './args';
import { family } from './command';
import { addScanReply, parseCursor, parseScanOptions } from './keyspace';
import { deleteIfEmpty, lookupCollection, lookupRead, signalWrite, storeResult } from './lookup';

const ZPOPMIN = 'ZPOPMIN';
const ZPOPMAX = 'ZPOPMAX';

const errNotFloatRange = 'ERR min or max is not a float';
const errNotLexRange = 'ERR min or max not valid string range item';
const errNaN = 'ERR resulting score is not a number (NaN)';
const errWeight = 'ERR weight value is not a float';
const errNumkeys = 'ERR numkeys should be greater than 0';
const errCount = 'ERR count should be greater than 0';
const errLimitNegative = "ERR LIMIT can't be negative";

// ---- argument parsing ----------------------------------------------------

/** A C long argument; values past 2^53 only need to compare as huge. */
function longArg(c: Client, b: string): number | null {
  const v = parseI64(b);
  if (v === null) {
    addError(c, err.notInteger);
    return null;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * getDoubleFromObject: strtod over the whole argument, no leading space,
 * and neither overflow to ±inf nor underflow to 0 (strtod's ERANGE).
 */
function strictDouble(s: string): number | null {
  const v = parseDouble(s);
  if (v === null) return null;
  if (!Number.isFinite(v) && !/inf/i.test(s)) return null;
  if (v === 0 && /[1-9]/.test(s.split(/[eE]/)[0])) return null;
  return v;
}

function strictDoubleArg(c: Client, b: string, error: string): number | null {
  const v = strictDouble(b);
  if (v === null) addError(c, error);
  return v;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * One end of a score range as zslParseRange reads it with strtod: leading
 * whitespace skipped, the empty string is 0 (nothing to convert leaves the
 * end pointer on the terminator), overflow saturates to ±inf, NaN refused.
 */
function rangeDouble(s: string): number | null {
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return parseDouble(i === 0 ? s : s.slice(i));
}

/** zslParseRange; replies "min or max is not a float" and returns null when invalid. */
function scoreRangeArg(c: Client, min: string, max: string): ScoreRange | null {
  const minExclusive = min.charCodeAt(0) === 40; // '('
  const maxExclusive = max.charCodeAt(0) === 40;
  const lo = rangeDouble(minExclusive ? min.slice(1) : min);
  const hi = rangeDouble(maxExclusive ? max.slice(1) : max);
  if (lo === null || hi === null) {
    addError(c, errNotFloatRange);
    return null;
  }
  return { min: lo, max: hi, minExclusive, maxExclusive };
}

/** zslParseLexRangeItem: "[x" inclusive, "(x" exclusive, "-" and "+" the extremes. */
function lexItem(s: string): [LexBound, boolean] | null {
  const first = s.charCodeAt(0);
  // C compares c[1] with '\0': a NUL right after the sign still reads as the bare sign.
  const isBare = s.length === 1 || s.charCodeAt(1) === 0;
  if (first === 43 /* + */) return isBare ? [LEX_MAX, true] : null;
  if (first === 45 /* - */) return isBare ? [LEX_MIN, true] : null;
  if (first === 40 /* ( */) return [s.slice(1), true];
  if (first === 91 /* [ */) return [s.slice(1), false];
  return null;
}

function lexRangeArg(c: Client, minArg: string, maxArg: string): LexRange | null {
  const min = lexItem(minArg);
  const max = min === null ? null : lexItem(maxArg);
  if (min === null || max === null) {
    addError(c, errNotLexRange);
    return null;
  }
  return { min: min[0], max: max[0], minExclusive: min[1], maxExclusive: max[1] };
}

// ---- shared helpers --------------------------------------------------------

function getZset(c: Client, key: string, forWrite: boolean): ZSetValue | undefined | null {
  return lookupCollection<ZSetValue>(c, key, 'zset', forWrite);
}

/** A new member under the configured listpack limits (the encoding Redis would pick). */
function addMember(c: Client, z: ZSetValue, member: string, score: number): boolean {
  const config = c.server.config;
  return z.add(member, score, config.get(D.zsetMaxListpackEntries), config.get(D.zsetMaxListpackValue));
}

/** Array header for n results: flat member/score pairs in RESP2, one entry per member otherwise. */
function addResultLen(c: Client, n: number, withScores: boolean): void {
  addArrayLen(c, withScores && c.resp === 2 ? n * 2 : n);
}

/** One result: the member, and with scores a double (a [member, score] pair in RESP3). */
function addResult(c: Client, member: string, score: number, withScores: boolean): void {
  if (withScores && c.resp === 3) addArrayLen(c, 2);
  addBulk(c, member);
  if (withScores) addDouble(c, score);
}

// ---- ZADD / ZINCRBY ----------------------------------------------------------

const enum ZaddFlag {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
  Incr = 16,
  CH = 32,
}

function zaddOption(b: string): number {
  if (b.length > 4) return 0;
  switch (word(b)) {
    case 'nx':
      return ZaddFlag.NX;
    case 'xx':
      return ZaddFlag.XX;
    case 'gt':
      return ZaddFlag.GT;
    case 'lt':
      return ZaddFlag.LT;
    case 'incr':
      return ZaddFlag.Incr;
    case 'ch':
      return ZaddFlag.CH;
    default:
      return 0;
  }
}

/** zaddGenericCommand: ZADD, and ZINCRBY as ZADD INCR (the options loop runs for it too, as in Redis). */
function zaddGeneric(c: Client, argv: string[], flags: number): void {
  let scoreIdx = 2;
  for (; scoreIdx < argv.length; scoreIdx++) {
    const f = zaddOption(argv[scoreIdx]);
    if (f === 0) break;
    flags |= f;
  }
  const isIncr = (flags & ZaddFlag.Incr) !== 0;
  const nx = (flags & ZaddFlag.NX) !== 0;
  const xx = (flags & ZaddFlag.XX) !== 0;
  const gt = (flags & ZaddFlag.GT) !== 0;
  const lt = (flags & ZaddFlag.LT) !== 0;
  const pairArgs = argv.length - scoreIdx;
  if (pairArgs === 0 || pairArgs % 2 !== 0) return addError(c, err.syntax);
  const elements = pairArgs / 2;
  if (nx && xx) return addError(c, 'ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) return addError(c, 'ERR GT, LT, and/or NX options at the same time are not compatible');
  if (isIncr && elements > 1) return addError(c, 'ERR INCR option supports a single increment-element pair');
  // Every score is checked before anything changes: all or nothing.
  const scores: number[] = [];
  for (let j = 0; j < elements; j++) {
    const v = strictDoubleArg(c, argv[scoreIdx + j * 2], err.notFloat);
    if (v === null) return;
    scores.push(v);
  }
  const key = argv[1];
  let z = getZset(c, key, true);
  if (z === null) return;
  if (z === undefined) {
    if (xx) return isIncr ? addNull(c) : addInteger(c, 0);
    z = new ZSetValue();
    c.db.setKey(key, z);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  for (let j = 0; j < elements; j++) {
    let score = scores[j];
    const member = argv[scoreIdx + 1 + j * 2];
    const current = z.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (isIncr) {
        score += current;
        if (Number.isNaN(score)) return addError(c, errNaN);
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      processed++;
      lastScore = score;
      if (score !== current) {
        addMember(c, z, member, score);
        updated++;
      }
    } else if (!xx) {
      addMember(c, z, member, score);
      added++;
      processed++;
      lastScore = score;
    }
  }
  if (added + updated > 0) signalWrite(c, NotifyClass.ZSet, isIncr ? 'zincr' : 'zadd', key, added + updated);
  if (isIncr) {
    if (processed > 0) addDouble(c, lastScore);
    else addNull(c);
  } else {
    addInteger(c, (flags & ZaddFlag.CH) !== 0 ? added + updated : added);
  }
}

function zaddCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrbyCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, ZaddFlag.Incr);
}

// ---- single-key reads and removals -------------------------------------------

function zremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const z = getZset(c, key, true);
  if (z === null) return;
  if (z === undefined) return addInteger(c, 0);
  let deleted = 0;
  for (let i = 2; i < argv.length && z.size > 0; i++) if (z.delete(argv[i])) deleted++;
  if (deleted > 0) {
    signalWrite(c, NotifyClass.ZSet, 'zrem', key, deleted);
    deleteIfEmpty(c, key, z);
  }
  addInteger(c, deleted);
}

function zcardCommand(c: Client, argv: string[]): void {
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  addInteger(c, z === undefined ? 0 : z.size);
}

function zscoreCommand(c: Client, argv: string[]): void {
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  const score = z === undefined ? undefined : z.score(argv[2]);
  if (score === undefined) addNull(c);
  else addDouble(c, score);
}

function zmscoreCommand(c: Client, argv: string[]): void {
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z === undefined ? undefined : z.score(argv[i]);
    if (score === undefined) addNull(c);
    else addDouble(c, score);
  }
}

function zrankGeneric(c: Client, argv: string[], isReverse: boolean): void {
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  if (z === undefined) return addNull(c);
  const rank = z.rank(argv[2]);
  if (rank === undefined) return addNull(c);
  addInteger(c, isReverse ? z.size - 1 - rank : rank);
}

function zrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, false);
}

function zrevrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, true);
}

/** ZCOUNT / ZLEXCOUNT once the range is parsed. */
function zcountGeneric(c: Client, argv: string[], range: Range | null): void {
  if (range === null) return;
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  addInteger(c, z === undefined ? 0 : z.countInRange(range));
}

function zcountCommand(c: Client, argv: string[]): void {
  zcountGeneric(c, argv, scoreRangeArg(c, argv[2], argv[3]));
}

function zlexcountCommand(c: Client, argv: string[]): void {
  zcountGeneric(c, argv, lexRangeArg(c, argv[2], argv[3]));
}

// ---- the ZRANGE family ---------------------------------------------------------

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * Where a range reply starts and how many nodes it walks (backwards when
 * reverse). Filled by the selectors below; one per process is enough since
 * a command runs to completion before the next.
 */
const selection = { start: null as SortedEntry | null, count: 0 };

/** genericZrangebyrankCommand's index sanitizing. */
function selectByRank(z: ZSetValue, start: number, end: number, isReverse: boolean): void {
  const llen = z.size;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  selection.start = null;
  selection.count = 0;
  if (start > end || start >= llen) return;
  if (end >= llen) end = llen - 1;
  selection.count = end - start + 1;
  selection.start = z.nodeAt(isReverse ? llen - 1 - start : start);
}

/**
 * genericZrangebyscoreCommand / genericZrangebylexCommand: skip `offset`
 * nodes from the first in range (a negative offset walks off the end in
 * Redis: nothing), then take up to `limit` (negative: all) while in range.
 */
function selectByRange(z: ZSetValue, range: Range, offset: number, limit: number, isReverse: boolean): void {
  selection.start = null;
  selection.count = 0;
  if ((offset > 0 && offset >= z.size) || offset < 0) return;
  let node = isReverse ? z.lastInRange(range) : z.firstInRange(range);
  while (node !== null && offset-- > 0) node = isReverse ? node.backward : node.next;
  selection.start = node;
  let n = 0;
  while (node !== null && limit-- !== 0) {
    if (isReverse ? !aboveMin(node.score, node.member, range) : !belowMax(node.score, node.member, range)) break;
    n++;
    node = isReverse ? node.backward : node.next;
  }
  selection.count = n;
}

/** Replies (or stores into dstKey) the selected nodes. */
function emitSelection(c: Client, isReverse: boolean, withScores: boolean, dstKey: string | null): void {
  let node = selection.start;
  const n = selection.count;
  if (dstKey !== null) {
    const dst = new ZSetValue();
    for (let i = 0; i < n && node !== null; i++, node = isReverse ? node.backward : node.next) addMember(c, dst, node.member, node.score);
    return storeResult(c, dstKey, dst, NotifyClass.ZSet, 'zrangestore');
  }
  addResultLen(c, n, withScores);
  for (let i = 0; i < n && node !== null; i++, node = isReverse ? node.backward : node.next) addResult(c, node.member, node.score, withScores);
}

/**
 * zrangeGenericCommand: every ZRANGE form. `keyIdx` is the source key;
 * min/max follow it, options after. ZRANGESTORE passes dstKey.
 */
function zrangeGeneric(c: Client, argv: string[], keyIdx: number, dstKey: string | null, rangeType: RangeType, direction: Direction): void {
  const isStore = dstKey !== null;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIdx + 3; j < argv.length; j++) {
    const leftArgs = argv.length - j - 1;
    const opt = word(argv[j]);
    if (!isStore && opt === 'withscores') {
      withScores = true;
    } else if (opt === 'limit' && leftArgs >= 2) {
      const o = longArg(c, argv[j + 1]);
      if (o === null) return;
      const l = longArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === Direction.Auto && opt === 'rev') {
      direction = Direction.Reverse;
    } else if (rangeType === RangeType.Auto && opt === 'bylex') {
      rangeType = RangeType.Lex;
    } else if (rangeType === RangeType.Auto && opt === 'byscore') {
      rangeType = RangeType.Score;
    } else {
      return addError(c, err.syntax);
    }
  }
  if (rangeType === RangeType.Auto) rangeType = RangeType.Rank;
  const isReverse = direction === Direction.Reverse;
  // Redis tests the parsed value, so "LIMIT 0 -1" passes with a rank range.
  if (limit !== -1 && rangeType === RangeType.Rank) {
    return addError(c, 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && rangeType === RangeType.Lex) return addError(c, 'ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reversed score and lex ranges are written max first.
  const swap = isReverse && rangeType !== RangeType.Rank;
  const minArg = argv[swap ? keyIdx + 2 : keyIdx + 1];
  const maxArg = argv[swap ? keyIdx + 1 : keyIdx + 2];
  let start = 0;
  let end = 0;
  let range: Range | null = null;
  if (rangeType === RangeType.Rank) {
    const s = longArg(c, minArg);
    if (s === null) return;
    const e = longArg(c, maxArg);
    if (e === null) return;
    start = s;
    end = e;
  } else {
    range = rangeType === RangeType.Score ? scoreRangeArg(c, minArg, maxArg) : lexRangeArg(c, minArg, maxArg);
    if (range === null) return;
  }
  const z = getZset(c, argv[keyIdx], false);
  if (z === null) return;
  if (z === undefined) {
    if (dstKey !== null) return storeResult(c, dstKey, new ZSetValue(), NotifyClass.ZSet, 'zrangestore');
    return c.out.writeBuffer(shared.emptyArray);
  }
  if (range === null) selectByRank(z, start, end, isReverse);
  else selectByRange(z, range, offset, limit, isReverse);
  emitSelection(c, isReverse, withScores, dstKey);
}

function zrangeCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Auto, Direction.Auto);
}

function zrangestoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 2, argv[1], RangeType.Auto, Direction.Auto);
}

function zrevrangeCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Rank, Direction.Reverse);
}

function zrangebyscoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Score, Direction.Forward);
}

function zrevrangebyscoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Score, Direction.Reverse);
}

function zrangebylexCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Lex, Direction.Forward);
}

function zrevrangebylexCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RangeType.Lex, Direction.Reverse);
}

// ---- ZREMRANGEBY* ---------------------------------------------------------------

/** zremrangeGenericCommand: the range is parsed before the key is looked up. */
function zremrangeGeneric(c: Client, argv: string[], rangeType: RangeType, event: string): void {
  let start = 0;
  let end = 0;
  let range: Range | null = null;
  if (rangeType === RangeType.Rank) {
    const s = longArg(c, argv[2]);
    if (s === null) return;
    const e = longArg(c, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else {
    range = rangeType === RangeType.Score ? scoreRangeArg(c, argv[2], argv[3]) : lexRangeArg(c, argv[2], argv[3]);
    if (range === null) return;
  }
  const key = argv[1];
  const z = getZset(c, key, true);
  if (z === null) return;
  if (z === undefined) return addInteger(c, 0);
  let deleted: number;
  if (range === null) {
    const llen = z.size;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return addInteger(c, 0);
    if (end >= llen) end = llen - 1;
    deleted = z.deleteRangeByRank(start, end);
  } else {
    deleted = z.deleteRange(range);
  }
  if (deleted > 0) {
    signalWrite(c, NotifyClass.ZSet, event, key, deleted);
    deleteIfEmpty(c, key, z);
  }
  addInteger(c, deleted);
}

function zremrangebyrankCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RangeType.Rank, 'zremrangebyrank');
}

function zremrangebyscoreCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RangeType.Score, 'zremrangebyscore');
}

function zremrangebylexCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RangeType.Lex, 'zremrangebylex');
}

// ---- pops -------------------------------------------------------------------------

const enum Where {
  Min,
  Max,
}

/** How a pop replies: Redis's emitkey / use_nested_array combinations. */
const enum PopReply {
  /** ZPOPMIN/ZPOPMAX in RESP2, or without a count: flat member, score... */
  Flat,
  /** ZPOPMIN/ZPOPMAX with a count in RESP3: [member, score] pairs. */
  Nested,
  /** BZPOPMIN/BZPOPMAX: key, member, score. */
  KeyFlat,
  /** ZMPOP/BZMPOP: [key, [[member, score]...]]. */
  KeyNested,
}

/**
 * Pops up to `count` members from the min or max end of a non-empty set and
 * replies them (the body of genericZpopCommand). Returns how many it popped.
 */
function popFrom(c: Client, key: string, z: ZSetValue, where: Where, count: number, shape: PopReply): number {
  const n = Math.min(count, z.size);
  if (shape === PopReply.Flat) addArrayLen(c, n * 2);
  else if (shape === PopReply.Nested) addArrayLen(c, n);
  else if (shape === PopReply.KeyFlat) {
    addArrayLen(c, n * 2 + 1);
    addBulk(c, key);
  } else {
    addArrayLen(c, 2);
    addBulk(c, key);
    addArrayLen(c, n);
  }
  const isNested = shape === PopReply.Nested || shape === PopReply.KeyNested;
  for (let i = 0; i < n; i++) {
    const node = where === Where.Min ? z.first! : z.last!;
    const member = node.member;
    const score = node.score;
    z.delete(member);
    if (isNested) addArrayLen(c, 2);
    addBulk(c, member);
    addDouble(c, score);
  }
  signalWrite(c, NotifyClass.ZSet, where === Where.Min ? 'zpopmin' : 'zpopmax', key, n);
  deleteIfEmpty(c, key, z);
  return n;
}

/**
 * genericZpopCommand over argv[from..to): pops from the first key that
 * exists (WRONGTYPE stops the search). Returns the argv index popped from,
 * or -1 after replying the empty answer (or an error).
 */
function genericZpop(c: Client, argv: string[], from: number, to: number, where: Where, count: number, shape: PopReply): number {
  for (let i = from; i < to; i++) {
    const key = argv[i];
    const z = getZset(c, key, true);
    if (z === null) return -1;
    if (z === undefined) continue;
    if (count === 0) {
      c.out.writeBuffer(shared.emptyArray);
      return -1;
    }
    popFrom(c, key, z, where, count, shape);
    return i;
  }
  if (shape === PopReply.KeyNested) addNullArray(c);
  else c.out.writeBuffer(shared.emptyArray);
  return -1;
}

/** ZPOPMIN/ZPOPMAX key [count] */
function zpopMinMax(c: Client, argv: string[], where: Where): void {
  if (argv.length > 3) return addError(c, err.syntax);
  let count = 1;
  let shape = PopReply.Flat;
  if (argv.length === 3) {
    const n = nonNegativeArg(c, argv[2]);
    if (n === null) return;
    count = n;
    if (c.resp === 3) shape = PopReply.Nested;
  }
  genericZpop(c, argv, 1, 2, where, count, shape);
}

function zpopminCommand(c: Client, argv: string[]): void {
  zpopMinMax(c, argv, Where.Min);
}

function zpopmaxCommand(c: Client, argv: string[]): void {
  zpopMinMax(c, argv, Where.Max);
}

interface MpopArgs {
  numKeys: number;
  where: Where;
  count: number;
}

/** numkeys key... MIN|MAX [COUNT n] from argv[at] (zmpopGenericCommand's parsing). */
function parseMpopArgs(c: Client, argv: string[], at: number): MpopArgs | null {
  const numKeys = atLeastOneArg(c, argv[at], errNumkeys);
  if (numKeys === null) return null;
  const whereAt = at + numKeys + 1;
  if (whereAt >= argv.length) {
    addError(c, err.syntax);
    return null;
  }
  const w = word(argv[whereAt]);
  if (w !== 'min' && w !== 'max') {
    addError(c, err.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && word(argv[j]) === 'count' && j + 1 < argv.length) {
      const n = atLeastOneArg(c, argv[++j], errCount);
      if (n === null) return null;
      count = n;
    } else {
      addError(c, err.syntax);
      return null;
    }
  }
  return { numKeys, where: w === 'min' ? Where.Min : Where.Max, count: count === -1 ? 1 : count };
}

/** Replicas get ZPOPMIN/ZPOPMAX key count for every multi-key or blocking pop. */
function popArgv(where: Where, key: string, count: number): string[] {
  return [where === Where.Min ? ZPOPMIN : ZPOPMAX, key, String(count)];
}

function zmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 1);
  if (args === null) return;
  const at = genericZpop(c, argv, 2, 2 + args.numKeys, args.where, args.count, PopReply.KeyNested);
  if (at >= 0) c.propagateArgv = popArgv(args.where, argv[at], args.count);
}

/**
 * A client waiting in BZPOPMIN/BZPOPMAX (count -1) or BZMPOP: served like
 * serveClientsBlockedOnSortedSetKey, and propagated as ZPOPMIN/ZPOPMAX.
 */
class ZsetBlock implements BlockedOperation {
  constructor(
    private readonly where: Where,
    private readonly count: number,
  ) {}

  serve(c: Client, key: string): boolean {
    const db = c.db;
    const peek = db.lookupRead(key);
    if (peek === undefined || typeof peek === 'string' || peek.type !== 'zset' || peek.size === 0) return false;
    const z = db.lookupWrite(key) as ZSetValue;
    const isMpop = this.count !== -1;
    const n = popFrom(c, key, z, this.where, isMpop ? this.count : 1, isMpop ? PopReply.KeyNested : PopReply.KeyFlat);
    c.server.propagator.propagate(db.id, isMpop ? popArgv(this.where, key, n) : [this.where === Where.Min ? ZPOPMIN : ZPOPMAX, key]);
    return true;
  }
}

/**
 * blockingGenericZpopCommand: keys are argv[from..to); count -1 for
 * BZPOPMIN/BZPOPMAX. Pops from the first non-empty set or blocks on all.
 */
function blockingZpopGeneric(c: Client, argv: string[], from: number, to: number, where: Where, timeoutIdx: number, count: number): void {
  const deadlineMs = parseTimeout(c, argv[timeoutIdx]);
  if (deadlineMs === null) return;
  const isMpop = count !== -1;
  for (let i = from; i < to; i++) {
    const key = argv[i];
    const z = getZset(c, key, true);
    if (z === null) return;
    if (z === undefined || z.size === 0) continue;
    const n = popFrom(c, key, z, where, isMpop ? count : 1, isMpop ? PopReply.KeyNested : PopReply.KeyFlat);
    c.propagateArgv = isMpop ? popArgv(where, argv[i], n) : [where === Where.Min ? ZPOPMIN : ZPOPMAX, argv[i]];
    return;
  }
  if (isBlockingDenied(c)) return addNullArray(c);
  // A key named twice waits once.
  const keys = new Set<string>();
  for (let i = from; i < to; i++) keys.add(argv[i]);
  blockForKeys(c, Array.from(keys), deadlineMs, new ZsetBlock(where, count));
}

function bzpopminCommand(c: Client, argv: string[]): void {
  blockingZpopGeneric(c, argv, 1, argv.length - 1, Where.Min, argv.length - 1, -1);
}

function bzpopmaxCommand(c: Client, argv: string[]): void {
  blockingZpopGeneric(c, argv, 1, argv.length - 1, Where.Max, argv.length - 1, -1);
}

/** BZMPOP timeout numkeys key... MIN|MAX [COUNT n] */
function bzmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 2);
  if (args === null) return;
  blockingZpopGeneric(c, argv, 3, 3 + args.numKeys, args.where, 1, args.count);
}

// ---- ZRANDMEMBER ----------------------------------------------------------------

/** Below this ratio of size to count, ZRANDMEMBER copies the set and drops members (ZRANDMEMBER_SUB_STRATEGY_MUL). */
const ZRANDMEMBER_SUB_STRATEGY_MUL = 3;
/** LONG_MAX / 2: the largest count whose doubled reply length fits a long. */
const HALF_LONG_MAX = 4611686018427387903n;
/** Its nearest double, below which no exact check is needed. */
const HALF_LONG_MAX_NUMBER = 4611686018427387000;

function zrandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const z = getZset(c, argv[1], false);
    if (z === null) return;
    if (z === undefined) return addNull(c);
    return addBulk(c, z.nodeAt(Math.floor(Math.random() * z.size))!.member);
  }
  const l = randomCountArg(c, argv[2]);
  if (l === null) return;
  if (argv.length > 4 || (argv.length === 4 && word(argv[3]) !== 'withscores')) return addError(c, err.syntax);
  const withScores = argv.length === 4;
  // Compared exactly: near 2^62 a double cannot tell the bound from its neighbour.
  if (withScores && (l < -HALF_LONG_MAX_NUMBER || l > HALF_LONG_MAX_NUMBER)) {
    const exact = BigInt(argv[2]);
    if (exact < -HALF_LONG_MAX || exact > HALF_LONG_MAX) return addError(c, 'ERR value is out of range');
  }
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  if (z === undefined || l === 0) return c.out.writeBuffer(shared.emptyArray);
  const size = z.size;
  const count = Math.abs(l);
  if (l < 0 || count === 1) {
    // Independent draws; repeats allowed.
    addResultLen(c, count, withScores);
    for (let i = 0; i < count; i++) {
      const node = z.nodeAt(Math.floor(Math.random() * size))!;
      addResult(c, node.member, node.score, withScores);
    }
    return;
  }
  if (count >= size) {
    // The whole set, walked from the tail as Redis's zuiNext does.
    addResultLen(c, size, withScores);
    for (let node = z.last; node !== null; node = node.backward) addResult(c, node.member, node.score, withScores);
    return;
  }
  addResultLen(c, count, withScores);
  if (count * ZRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: copy it and drop random members until count remain.
    const nodes: SortedEntry[] = [];
    for (let node = z.first; node !== null; node = node.next) nodes.push(node);
    let left = size;
    while (left > count) {
      const i = Math.floor(Math.random() * left);
      nodes[i] = nodes[--left];
    }
    for (let i = 0; i < count; i++) addResult(c, nodes[i].member, nodes[i].score, withScores);
    return;
  }
  // A small sample of a big set: draw ranks until count distinct ones.
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  for (const rank of picked) {
    const node = z.nodeAt(rank)!;
    addResult(c, node.member, node.score, withScores);
  }
}

// ---- ZUNION / ZINTER / ZDIFF ------------------------------------------------------

const enum SetOp {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** An input of the set operations: a sorted set, a plain set (every score 1), or nothing. */
type Input = ZSetValue | SetValue | undefined;

function inputSize(v: Input): number {
  return v === undefined ? 0 : v.size;
}

/** The score of member in an input, undefined when absent (zuiFind). */
function inputScore(v: Input, member: string): number | undefined {
  if (v === undefined) return undefined;
  if (v instanceof ZSetValue) return v.score(member);
  return v.has(member) ? 1 : undefined;
}

/** Calls visit(member, score) for each element of an input (zuiNext). */
function eachEntry(v: Input, visit: (member: string, score: number) => boolean | void): void {
  if (v === undefined) return;
  if (v instanceof ZSetValue) {
    for (let node = v.first; node !== null; node = node.next) if (visit(node.member, node.score) === false) return;
  } else {
    for (const m of v.members()) if (visit(m, 1) === false) return;
  }
}

/** zunionInterAggregate: SUM turns inf + -inf into 0, as Redis does. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score, with Redis's NaN (0 * inf) → 0. */
function weighted(weight: number, score: number): number {
  const v = weight * score;
  return Number.isNaN(v) ? 0 : v;
}

/**
 * zunionInterDiffGenericCommand: `numkeysIdx` names the numkeys argument;
 * dstKey for the STORE forms; isCardOnly for ZINTERCARD. Inputs may be
 * sorted sets or sets; WRONGTYPE is checked before the options.
 */
function zsetOpGeneric(c: Client, argv: string[], numkeysIdx: number, dstKey: string | null, op: SetOp, isCardOnly: boolean, name: string): void {
  const setnum = longArg(c, argv[numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) return addError(c, `ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - (numkeysIdx + 1)) return addError(c, err.syntax);
  const inputs: Input[] = [];
  const weights: number[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = lookupRead(c, argv[j]);
    if (v !== undefined && (typeof v === 'string' || (v.type !== 'zset' && v.type !== 'set'))) return addError(c, err.wrongType);
    inputs.push(v as Input);
    weights.push(1);
  }
  let how = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = word(argv[j]);
    if (op !== SetOp.Diff && !isCardOnly && remaining >= setnum + 1 && opt === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = strictDoubleArg(c, argv[j], errWeight);
        if (w === null) return;
        weights[i] = w;
      }
    } else if (op !== SetOp.Diff && !isCardOnly && remaining >= 2 && opt === 'aggregate') {
      const a = word(argv[j + 1]);
      if (a === 'sum') how = Aggregate.Sum;
      else if (a === 'min') how = Aggregate.Min;
      else if (a === 'max') how = Aggregate.Max;
      else return addError(c, err.syntax);
      j += 2;
    } else if (dstKey === null && !isCardOnly && opt === 'withscores') {
      withScores = true;
      j++;
    } else if (isCardOnly && remaining >= 2 && opt === 'limit') {
      const n = nonNegativeArg(c, argv[j + 1], errLimitNegative);
      if (n === null) return;
      limit = n;
      j += 2;
    } else {
      return addError(c, err.syntax);
    }
  }
  // Smallest input first (stable, like the qsort over few inputs): intersections probe less.
  const order = inputs.map((_, i) => i);
  if (op !== SetOp.Diff) order.sort((a, b) => inputSize(inputs[a]) - inputSize(inputs[b]));
  const result = new ZSetValue();
  let cardinality = 0;
  if (op === SetOp.Inter) {
    const first = inputs[order[0]];
    const w0 = weights[order[0]];
    eachEntry(first, (member, score) => {
      let total = weighted(w0, score);
      for (let k = 1; k < order.length; k++) {
        const other = inputs[order[k]];
        const found = other === first ? score : inputScore(other, member);
        if (found === undefined) return true;
        total = aggregate(total, found * weights[order[k]], how);
      }
      if (isCardOnly) {
        cardinality++;
        return limit === 0 || cardinality < limit;
      }
      addMember(c, result, member, total);
      return true;
    });
  } else if (op === SetOp.Union) {
    const accumulated = new Map<string, number>();
    for (let k = 0; k < order.length; k++) {
      const w = weights[order[k]];
      eachEntry(inputs[order[k]], (member, score) => {
        const v = weighted(w, score);
        const prev = accumulated.get(member);
        accumulated.set(member, prev === undefined ? v : aggregate(prev, v, how));
      });
    }
    for (const [member, score] of accumulated) addMember(c, result, member, score);
  } else {
    zdiff(c, inputs, result);
  }
  if (dstKey !== null) {
    const event = op === SetOp.Union ? 'zunionstore' : op === SetOp.Inter ? 'zinterstore' : 'zdiffstore';
    return storeResult(c, dstKey, result, NotifyClass.ZSet, event);
  }
  if (isCardOnly) return addInteger(c, cardinality);
  addResultLen(c, result.size, withScores);
  for (let node = result.first; node !== null; node = node.next) addResult(c, node.member, node.score, withScores);
}

/**
 * zdiff: members of the first input found in no other, with their scores.
 * Picks Redis's cheaper algorithm: probe the others per member (N*M), or
 * copy the first and remove everything else (total size).
 */
function zdiff(c: Client, inputs: Input[], result: ZSetValue): void {
  const first = inputs[0];
  if (inputSize(first) === 0) return;
  let oneWork = 0;
  let twoWork = 0;
  for (let k = 0; k < inputs.length; k++) {
    // The first set named again removes everything.
    if (k > 0 && inputs[k] === first) return;
    oneWork += inputSize(first);
    twoWork += inputSize(inputs[k]);
  }
  if (Math.floor(oneWork / 2) <= twoWork) {
    const others = inputs.slice(1).sort((a, b) => inputSize(b) - inputSize(a));
    eachEntry(first, (member, score) => {
      for (let k = 0; k < others.length; k++) if (inputScore(others[k], member) !== undefined) return;
      addMember(c, result, member, score);
    });
    return;
  }
  eachEntry(first, (member, score) => {
    addMember(c, result, member, score);
  });
  for (let k = 1; k < inputs.length && result.size > 0; k++) {
    eachEntry(inputs[k], (member) => {
      result.delete(member);
    });
  }
}

function zunionCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 1, null, SetOp.Union, false, 'zunion');
}

function zinterCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 1, null, SetOp.Inter, false, 'zinter');
}

function zdiffCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 1, null, SetOp.Diff, false, 'zdiff');
}

function zunionstoreCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 2, argv[1], SetOp.Union, false, 'zunionstore');
}

function zinterstoreCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 2, argv[1], SetOp.Inter, false, 'zinterstore');
}

function zdiffstoreCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 2, argv[1], SetOp.Diff, false, 'zdiffstore');
}

function zintercardCommand(c: Client, argv: string[]): void {
  zsetOpGeneric(c, argv, 1, null, SetOp.Inter, true, 'zintercard');
}

// ---- ZSCAN ----------------------------------------------------------------------------

function zscanCommand(c: Client, argv: string[]): void {
  const cursor = parseCursor(c, argv[2]);
  if (cursor === null) return;
  const z = getZset(c, argv[1], false);
  if (z === null) return;
  if (z === undefined) return addScanReply(c, 0, []);
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const pattern = opts.pattern;
  const found: string[] = [];
  if (z.isCompact) {
    // A listpack is returned whole, in order, with cursor 0, scores as its stored text (scanGenericCommand).
    for (let node = z.first; node !== null; node = node.next) {
      if (pattern === null || globMatch(pattern, node.member)) found.push(node.member, formatListpackScore(node.score));
    }
    return addScanReply(c, 0, found);
  }
  const next = c.server.scanCursors.step(z, () => z.scanIterator(), cursor, opts.count, (node: SortedEntry) => {
    if (pattern === null || globMatch(pattern, node.member)) found.push(node.member, formatDouble(node.score));
  });
  addScanReply(c, next, found);
}

export const zsetCommands = family('sorted_set', [
  { name: 'zadd', arity: -4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Add one or more members to a sorted set, or update its score if it already exists', handler: zaddCommand },
  { name: 'zincrby', arity: 4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Increment the score of a member in a sorted set', handler: zincrbyCommand },
  { name: 'zrem', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove one or more members from a sorted set', handler: zremCommand },
  { name: 'zcard', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the number of members in a sorted set', handler: zcardCommand },
  { name: 'zcount', arity: 4, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Count the members in a sorted set with scores within the given values', handler: zcountCommand },
  { name: 'zlexcount', arity: 4, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Count the number of members in a sorted set between a given lexicographical range', handler: zlexcountCommand },
  { name: 'zscore', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the score associated with the given member in a sorted set', handler: zscoreCommand },
  { name: 'zmscore', arity: -3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the score associated with the given members in a sorted set', handler: zmscoreCommand },
  { name: 'zrank', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Determine the index of a member in a sorted set', handler: zrankCommand },
  { name: 'zrevrank', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', handler: zrevrankCommand },
  { name: 'zrange', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set', handler: zrangeCommand },
  { name: 'zrangestore', arity: -5, flags: 'write denyoom', keys: [1, 2, 1], summary: 'Store a range of members from sorted set into another key', handler: zrangestoreCommand },
  { name: 'zrevrange', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', handler: zrevrangeCommand },
  { name: 'zrangebyscore', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set, by score', handler: zrangebyscoreCommand },
  { name: 'zrevrangebyscore', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', handler: zrevrangebyscoreCommand },
  { name: 'zrangebylex', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set, by lexicographical range', handler: zrangebylexCommand },
  { name: 'zrevrangebylex', arity: -4, flags: 'readonly', keys: [1, 1, 1], summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', handler: zrevrangebylexCommand },
  { name: 'zremrangebyrank', arity: 4, flags: 'write', keys: [1, 1, 1], summary: 'Remove all members in a sorted set within the given indexes', handler: zremrangebyrankCommand },
  { name: 'zremrangebyscore', arity: 4, flags: 'write', keys: [1, 1, 1], summary: 'Remove all members in a sorted set within the given scores', handler: zremrangebyscoreCommand },
  { name: 'zremrangebylex', arity: 4, flags: 'write', keys: [1, 1, 1], summary: 'Remove all members in a sorted set between the given lexicographical range', handler: zremrangebylexCommand },
  { name: 'zpopmin', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove and return members with the lowest scores in a sorted set', handler: zpopminCommand },
  { name: 'zpopmax', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove and return members with the highest scores in a sorted set', handler: zpopmaxCommand },
  { name: 'zmpop', arity: -4, flags: 'write movablekeys', numkeysAt: 1, summary: 'Remove and return members with scores in a sorted set', handler: zmpopCommand },
  { name: 'bzpopmin', arity: -3, flags: 'write noscript blocking fast', keys: [1, -2, 1], summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', handler: bzpopminCommand },
  { name: 'bzpopmax', arity: -3, flags: 'write noscript blocking fast', keys: [1, -2, 1], summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', handler: bzpopmaxCommand },
  { name: 'bzmpop', arity: -5, flags: 'write blocking movablekeys', numkeysAt: 2, summary: 'Remove and return members with scores in a sorted set or block until one is available', handler: bzmpopCommand },
  { name: 'zrandmember', arity: -2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get one or multiple random elements from a sorted set', handler: zrandmemberCommand },
  { name: 'zunion', arity: -3, flags: 'readonly movablekeys', numkeysAt: 1, summary: 'Add multiple sorted sets', handler: zunionCommand },
  { name: 'zinter', arity: -3, flags: 'readonly movablekeys', numkeysAt: 1, summary: 'Intersect multiple sorted sets', handler: zinterCommand },
  { name: 'zdiff', arity: -3, flags: 'readonly movablekeys', numkeysAt: 1, summary: 'Subtract multiple sorted sets', handler: zdiffCommand },
  { name: 'zunionstore', arity: -4, flags: 'write denyoom movablekeys', keys: [1, 1, 1], numkeysAt: 2, summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', handler: zunionstoreCommand },
  { name: 'zinterstore', arity: -4, flags: 'write denyoom movablekeys', keys: [1, 1, 1], numkeysAt: 2, summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', handler: zinterstoreCommand },
  { name: 'zdiffstore', arity: -4, flags: 'write denyoom movablekeys', keys: [1, 1, 1], numkeysAt: 2, summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', handler: zdiffstoreCommand },
  { name: 'zintercard', arity: -3, flags: 'readonly movablekeys', numkeysAt: 1, summary: 'Intersect multiple sorted sets and return the cardinality of the result', handler: zintercardCommand },
  { name: 'zscan', arity: -3, flags: 'readonly', keys: [1, 1, 1], summary: 'Incrementally iterate sorted sets elements and associated scores', handler: zscanCommand },
]);
