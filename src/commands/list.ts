/**
 * List commands (Redis 7.0's t_list.c): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP
 * LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP and
 * the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
 *
 * Argument checks run in Redis's order (some before the key lookup, some
 * after), so the same bad command gets the same error. A list emptied by a
 * command is deleted with a `del` event. Blocking commands that find data
 * act like their plain forms and are propagated as those (BLPOP → LPOP,
 * BLMOVE → LMOVE, BLMPOP → LPOP key count); when they wait, ListBlock serves
 * them later through server/blocking.ts and propagates the same forms.
 */
import { parseI64 } from '../common/numbers';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addError, addInteger, addNull, addNullArray, addOk, addRaw } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import type { Client } from '../server/client';
import { BlockedOperation, blockForKeys, isBlockingDenied, parseTimeout } from '../server/blocking';
import { ListValue } from '../store/types/list';
import { word } from './args';
import { family } from './command';
import { lookupCollection, signalWrite } from './lookup';

/** Which end: LIST_HEAD (left) or LIST_TAIL (right). */
const enum Where {
  Head = 0,
  Tail = 1,
}

const LPOP = 'LPOP';
const RPOP = 'RPOP';
const LMOVE = 'LMOVE';
const RPOPLPUSH = 'RPOPLPUSH';
const LEFT = 'LEFT';
const RIGHT = 'RIGHT';

const LONG_MIN = -9223372036854775808;
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/**
 * A signed 64-bit argument (getLongFromObjectOrReply). Values past 2^53 keep
 * their sign and magnitude closely enough for indexes and counts, which no
 * list length can tell apart.
 */
function longArg(c: Client, b: string, error: string = err.notInteger): number | null {
  const v = parseI64(b);
  if (v === null) {
    addError(c, error);
    return null;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/** An argument in [min, max] (getRangeLongFromObjectOrReply with a message). */
function rangeArg(c: Client, b: string, min: number, error: string): number | null {
  const v = longArg(c, b, error);
  if (v === null) return null;
  if (v < min) {
    addError(c, error);
    return null;
  }
  return v;
}

/** LEFT or RIGHT (getListPositionFromObjectOrReply). */
function whereArg(c: Client, b: string): Where | null {
  const w = word(b);
  if (w === 'left') return Where.Head;
  if (w === 'right') return Where.Tail;
  addError(c, err.syntax);
  return null;
}

function listOf(c: Client, key: string, forWrite: boolean): ListValue | undefined | null {
  return lookupCollection<ListValue>(c, key, 'list', forWrite);
}

function popFrom(list: ListValue, where: Where): string {
  return (where === Where.Head ? list.popFront() : list.popBack()) as string;
}

/**
 * After popping `count` elements from `key` (listElementsRemoved): the
 * lpop/rpop event, deletion of an emptied list with its `del` event.
 */
function listElementsRemoved(c: Client, key: string, where: Where, list: ListValue, count: number): void {
  signalWrite(c, NotifyClass.List, where === Where.Head ? 'lpop' : 'rpop', key, count);
  if (list.size === 0) {
    c.db.deleteKey(key);
    signalWrite(c, NotifyClass.Generic, 'del', key, 0);
  }
}

/** LPUSH/RPUSH/LPUSHX/RPUSHX (pushGenericCommand); `xx`: only onto an existing list. */
function pushGeneric(c: Client, argv: string[], where: Where, xx: boolean): void {
  const key = argv[1];
  let list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) {
    if (xx) return addInteger(c, 0);
    list = new ListValue();
    c.db.setKey(key, list);
  }
  for (let i = 2; i < argv.length; i++) {
    if (where === Where.Head) list.pushFront(argv[i]);
    else list.pushBack(argv[i]);
  }
  addInteger(c, list.size);
  signalWrite(c, NotifyClass.List, where === Where.Head ? 'lpush' : 'rpush', key, argv.length - 2);
}

/** LINSERT key BEFORE|AFTER pivot element. */
function linsertCommand(c: Client, argv: string[]): void {
  const w = word(argv[2]);
  if (w !== 'before' && w !== 'after') return addError(c, err.syntax);
  const key = argv[1];
  const list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) return addInteger(c, 0);
  const at = list.indexOf(argv[3]);
  if (at < 0) return addRaw(c, shared.minusOne);
  list.insertAt(w === 'before' ? at : at + 1, argv[4]);
  signalWrite(c, NotifyClass.List, 'linsert', key);
  addInteger(c, list.size);
}

function llenCommand(c: Client, argv: string[]): void {
  const list = listOf(c, argv[1], false);
  if (list === null) return;
  addInteger(c, list === undefined ? 0 : list.size);
}

/** Resolves a possibly negative index; -1 when out of range. */
function resolveIndex(list: ListValue, index: number): number {
  const i = index < 0 ? list.size + index : index;
  return i >= 0 && i < list.size ? i : -1;
}

function lindexCommand(c: Client, argv: string[]): void {
  const list = listOf(c, argv[1], false);
  if (list === null) return;
  if (list === undefined) return addNull(c);
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const i = resolveIndex(list, index);
  if (i < 0) addNull(c);
  else addBulk(c, list.at(i));
}

function lsetCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) return addError(c, err.noSuchKey);
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const i = resolveIndex(list, index);
  if (i < 0) return addError(c, err.outOfRange);
  list.setAt(i, argv[3]);
  addOk(c);
  signalWrite(c, NotifyClass.List, 'lset', key);
}

/**
 * Replies elements start..end (inclusive, negative from the tail) as an
 * array, from end to start when reversed (addListRangeReply).
 */
function addListRangeReply(c: Client, list: ListValue, start: number, end: number, isReversed: boolean): void {
  const len = list.size;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return addRaw(c, shared.emptyArray);
  if (end >= len) end = len - 1;
  addArrayLen(c, end - start + 1);
  if (isReversed) for (let i = end; i >= start; i--) addBulk(c, list.at(i));
  else for (let i = start; i <= end; i++) addBulk(c, list.at(i));
}

/** Pops up to count elements from one end, replying them in pop order (LPOP/RPOP count). */
function popRangeReply(c: Client, list: ListValue, where: Where, count: number): number {
  const n = count > list.size ? list.size : count;
  if (where === Where.Head) {
    addListRangeReply(c, list, 0, n - 1, false);
    list.removeFront(n);
  } else {
    addListRangeReply(c, list, -n, -1, true);
    list.removeBack(n);
  }
  return n;
}

/** LPOP/RPOP key [count] (popGenericCommand). */
function popGeneric(c: Client, argv: string[], where: Where, name: string): void {
  if (argv.length > 3) return addError(c, err.wrongArity(name));
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = rangeArg(c, argv[2], 0, MUST_BE_POSITIVE);
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) return hasCount ? addNullArray(c) : addNull(c);
  if (hasCount && count === 0) return addRaw(c, shared.emptyArray);
  if (!hasCount) {
    addBulk(c, popFrom(list, where));
    listElementsRemoved(c, key, where, list, 1);
    return;
  }
  const n = popRangeReply(c, list, where, count);
  listElementsRemoved(c, key, where, list, n);
}

/** Replies `[key, [elements...]]` and pops them (listPopRangeAndReplyWithKey); returns how many. */
function popRangeWithKey(c: Client, list: ListValue, key: string, where: Where, count: number): number {
  addArrayLen(c, 2);
  addBulk(c, key);
  const n = popRangeReply(c, list, where, count);
  listElementsRemoved(c, key, where, list, n);
  return n;
}

function lrangeCommand(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const list = listOf(c, argv[1], false);
  if (list === null) return;
  if (list === undefined) return addRaw(c, shared.emptyArray);
  addListRangeReply(c, list, start, end, false);
}

function ltrimCommand(c: Client, argv: string[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) return addOk(c);
  const len = list.size;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  let ltrim: number;
  let rtrim: number;
  if (start > end || start >= len) {
    ltrim = len;
    rtrim = 0;
  } else {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  list.removeFront(ltrim);
  list.removeBack(rtrim);
  signalWrite(c, NotifyClass.List, 'ltrim', key, ltrim + rtrim);
  if (list.size === 0) {
    c.db.deleteKey(key);
    signalWrite(c, NotifyClass.Generic, 'del', key, 0);
  }
  addOk(c);
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lposCommand(c: Client, argv: string[]): void {
  let rank = 1;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = word(argv[i]);
    const hasMore = i + 1 < argv.length;
    if (opt === 'rank' && hasMore) {
      const v = longArg(c, argv[++i]);
      if (v === null) return;
      if (v === 0) return addError(c, RANK_ZERO);
      rank = v;
    } else if (opt === 'count' && hasMore) {
      const v = rangeArg(c, argv[++i], 0, "ERR COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (opt === 'maxlen' && hasMore) {
      const v = rangeArg(c, argv[++i], 0, "ERR MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      return addError(c, err.syntax);
    }
  }
  // RANK LONG_MIN negates to itself in Redis: every match qualifies and COUNT never stops it.
  const isRankMin = rank === LONG_MIN;
  const fromTail = rank < 0;
  if (isRankMin) rank = 1;
  else if (fromTail) rank = -rank;
  const list = lookupCollection<ListValue>(c, argv[1], 'list', false);
  if (list === null) return;
  if (list === undefined) return count !== -1 ? addRaw(c, shared.emptyArray) : addNull(c);
  const ele = argv[2];
  const len = list.size;
  const limit = maxlen === 0 || maxlen > len ? len : maxlen;
  let matches = 0;
  const found: number[] = [];
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? len - 1 - scanned : scanned;
    if (list.at(index) !== ele) continue;
    matches++;
    if (matches < rank) continue;
    found.push(index);
    if (count === -1) break;
    if (count !== 0 && !isRankMin && matches - rank + 1 >= count) break;
  }
  if (count === -1) {
    if (found.length === 0) addNull(c);
    else addInteger(c, found[0]);
    return;
  }
  addArrayLen(c, found.length);
  for (let i = 0; i < found.length; i++) addInteger(c, found[i]);
}

/** LREM key count element. */
function lremCommand(c: Client, argv: string[]): void {
  const toRemove = longArg(c, argv[2]);
  if (toRemove === null) return;
  const key = argv[1];
  const list = listOf(c, key, true);
  if (list === null) return;
  if (list === undefined) return addInteger(c, 0);
  const removed = list.removeMatching(argv[3], Math.abs(toRemove), toRemove < 0);
  if (removed > 0) signalWrite(c, NotifyClass.List, 'lrem', key, removed);
  if (list.size === 0) {
    c.db.deleteKey(key);
    signalWrite(c, NotifyClass.Generic, 'del', key, 0);
  }
  addInteger(c, removed);
}

/** The push half of LMOVE (lmoveHandlePush): creates the list if needed, replies the value. */
function lmoveHandlePush(c: Client, dstKey: string, dst: ListValue | undefined, value: string, whereTo: Where): void {
  if (dst === undefined) {
    dst = new ListValue();
    c.db.setKey(dstKey, dst);
  }
  if (whereTo === Where.Head) dst.pushFront(value);
  else dst.pushBack(value);
  signalWrite(c, NotifyClass.List, whereTo === Where.Head ? 'lpush' : 'rpush', dstKey, 0);
  addBulk(c, value);
}

/**
 * Pops from src and pushes onto dst, replying the element; false when the
 * destination held another type (WRONGTYPE replied, nothing moved). The
 * source is a non-empty list the caller looked up for writing.
 */
function moveElement(c: Client, src: ListValue, srcKey: string, dstKey: string, from: Where, to: Where): boolean {
  const dst = listOf(c, dstKey, true);
  if (dst === null) return false;
  const value = popFrom(src, from);
  lmoveHandlePush(c, dstKey, dst, value, to);
  listElementsRemoved(c, srcKey, from, src, 1);
  return true;
}

/** LMOVE / RPOPLPUSH, and BLMOVE / BRPOPLPUSH when the source has data (lmoveGenericCommand). */
function lmoveGeneric(c: Client, argv: string[], from: Where, to: Where, isBlockingForm: boolean): void {
  const srcKey = argv[1];
  const src = listOf(c, srcKey, true);
  if (src === null) return;
  if (src === undefined) return addNull(c);
  if (!moveElement(c, src, srcKey, argv[2], from, to)) return;
  // Replicas get the non-blocking form.
  if (isBlockingForm) c.propagateArgv = argv.length === 4 ? [RPOPLPUSH, argv[1], argv[2]] : [LMOVE, argv[1], argv[2], argv[3], argv[4]];
}

function lmoveCommand(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  lmoveGeneric(c, argv, from, to, false);
}

function rpoplpushCommand(c: Client, argv: string[]): void {
  lmoveGeneric(c, argv, Where.Tail, Where.Head, false);
}

/** LMPOP's pop from the first non-empty key (mpopGenericCommand); false when none had data. */
function mpopFirst(c: Client, argv: string[], firstKey: number, numKeys: number, where: Where, count: number): boolean | null {
  for (let i = firstKey; i < firstKey + numKeys; i++) {
    const key = argv[i];
    const list = listOf(c, key, true);
    if (list === null) return null;
    if (list === undefined || list.size === 0) continue;
    const n = popRangeWithKey(c, list, key, where, count);
    c.propagateArgv = [where === Where.Head ? LPOP : RPOP, argv[i], String(n)];
    return true;
  }
  return false;
}

interface MpopArgs {
  numKeys: number;
  where: Where;
  count: number;
}

/** numkeys key... LEFT|RIGHT [COUNT n] starting at argv[at] (lmpopGenericCommand's parsing). */
function parseMpopArgs(c: Client, argv: string[], at: number): MpopArgs | null {
  const numKeys = rangeArg(c, argv[at], 1, 'ERR numkeys should be greater than 0');
  if (numKeys === null) return null;
  const whereAt = at + numKeys + 1;
  if (whereAt >= argv.length) {
    addError(c, err.syntax);
    return null;
  }
  const where = whereArg(c, argv[whereAt]);
  if (where === null) return null;
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && word(argv[i]) === 'count' && i + 1 < argv.length) {
      const n = rangeArg(c, argv[++i], 1, 'ERR count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      addError(c, err.syntax);
      return null;
    }
  }
  return { numKeys, where, count: count === -1 ? 1 : count };
}

function lmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 1);
  if (args === null) return;
  if (mpopFirst(c, argv, 2, args.numKeys, args.where, args.count) === false) addNullArray(c);
}

/**
 * A client waiting in BLPOP/BRPOP (count -1), BLMPOP (count >= 1) or
 * BLMOVE/BRPOPLPUSH (dstKey set). Serving mirrors serveClientBlockedOnList.
 */
class ListBlock implements BlockedOperation {
  constructor(
    private readonly where: Where,
    private readonly count: number,
    private readonly dstKey: string | null,
    private readonly whereTo: Where,
    private readonly isRpoplpush: boolean,
  ) {}

  serve(c: Client, key: string): boolean {
    const db = c.db;
    const peek = db.lookupRead(key);
    if (peek === undefined || typeof peek === 'string' || peek.type !== 'list' || peek.size === 0) return false;
    const list = db.lookupWrite(key) as ListValue;
    const server = c.server;
    const popArg = this.where === Where.Head ? LPOP : RPOP;
    if (this.dstKey !== null) {
      if (!moveElement(c, list, key, this.dstKey, this.where, this.whereTo)) return true;
      server.propagator.propagate(
        db.id,
        this.isRpoplpush ? [RPOPLPUSH, key, this.dstKey] : [LMOVE, key, this.dstKey, this.where === Where.Head ? LEFT : RIGHT, this.whereTo === Where.Head ? LEFT : RIGHT],
      );
      return true;
    }
    if (this.count > 0) {
      const n = popRangeWithKey(c, list, key, this.where, this.count);
      server.propagator.propagate(db.id, [popArg, key, String(n)]);
      return true;
    }
    addArrayLen(c, 2);
    addBulk(c, key);
    addBulk(c, popFrom(list, this.where));
    listElementsRemoved(c, key, this.where, list, 1);
    server.propagator.propagate(db.id, [popArg, key]);
    return true;
  }
}

/**
 * BLPOP/BRPOP/BLMPOP (blockingPopGenericCommand): keys are argv[first..first+n),
 * count -1 for the single-element reply. Pops from the first non-empty list
 * or blocks on all of them.
 */
function blockingPopGeneric(c: Client, argv: string[], first: number, numKeys: number, where: Where, timeoutAt: number, count: number): void {
  const deadlineMs = parseTimeout(c, argv[timeoutAt]);
  if (deadlineMs === null) return;
  if (count !== -1) {
    const popped = mpopFirst(c, argv, first, numKeys, where, count);
    if (popped !== false) return;
  } else {
    for (let i = first; i < first + numKeys; i++) {
      const key = argv[i];
      const list = listOf(c, key, true);
      if (list === null) return;
      if (list === undefined || list.size === 0) continue;
      addArrayLen(c, 2);
      addBulk(c, key);
      addBulk(c, popFrom(list, where));
      listElementsRemoved(c, key, where, list, 1);
      c.propagateArgv = [where === Where.Head ? LPOP : RPOP, argv[i]];
      return;
    }
  }
  if (isBlockingDenied(c)) return addNullArray(c);
  // A key named twice waits once (blockForKeys skips duplicates).
  const keys = new Set<string>();
  for (let i = first; i < first + numKeys; i++) keys.add(argv[i]);
  blockForKeys(c, Array.from(keys), deadlineMs, new ListBlock(where, count, null, Where.Head, false));
}

function blpopCommand(c: Client, argv: string[]): void {
  blockingPopGeneric(c, argv, 1, argv.length - 2, Where.Head, argv.length - 1, -1);
}

function brpopCommand(c: Client, argv: string[]): void {
  blockingPopGeneric(c, argv, 1, argv.length - 2, Where.Tail, argv.length - 1, -1);
}

function blmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 2);
  if (args === null) return;
  blockingPopGeneric(c, argv, 3, args.numKeys, args.where, 1, args.count);
}

/** BLMOVE / BRPOPLPUSH after their arguments are parsed (blmoveGenericCommand). */
function blmoveGeneric(c: Client, argv: string[], from: Where, to: Where, deadlineMs: number): void {
  const srcKey = argv[1];
  const src = listOf(c, srcKey, true);
  if (src === null) return;
  if (src !== undefined) return lmoveGeneric(c, argv, from, to, true);
  if (isBlockingDenied(c)) return addNull(c);
  blockForKeys(c, [srcKey], deadlineMs, new ListBlock(from, -1, argv[2], to, argv.length === 4));
}

function blmoveCommand(c: Client, argv: string[]): void {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  const deadlineMs = parseTimeout(c, argv[5]);
  if (deadlineMs === null) return;
  blmoveGeneric(c, argv, from, to, deadlineMs);
}

function brpoplpushCommand(c: Client, argv: string[]): void {
  const deadlineMs = parseTimeout(c, argv[3]);
  if (deadlineMs === null) return;
  blmoveGeneric(c, argv, Where.Tail, Where.Head, deadlineMs);
}

export const listCommands = family('list', [
  { name: 'lpush', arity: -3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Prepend one or multiple elements to a list', handler: (c, a) => pushGeneric(c, a, Where.Head, false) },
  { name: 'rpush', arity: -3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Append one or multiple elements to a list', handler: (c, a) => pushGeneric(c, a, Where.Tail, false) },
  { name: 'lpushx', arity: -3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Prepend an element to a list, only if the list exists', handler: (c, a) => pushGeneric(c, a, Where.Head, true) },
  { name: 'rpushx', arity: -3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Append an element to a list, only if the list exists', handler: (c, a) => pushGeneric(c, a, Where.Tail, true) },
  { name: 'lpop', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove and get the first elements in a list', handler: (c, a) => popGeneric(c, a, Where.Head, 'lpop') },
  { name: 'rpop', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove and get the last elements in a list', handler: (c, a) => popGeneric(c, a, Where.Tail, 'rpop') },
  { name: 'llen', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the length of a list', handler: llenCommand },
  { name: 'lrange', arity: 4, flags: 'readonly', keys: [1, 1, 1], summary: 'Get a range of elements from a list', handler: lrangeCommand },
  { name: 'lindex', arity: 3, flags: 'readonly', keys: [1, 1, 1], summary: 'Get an element from a list by its index', handler: lindexCommand },
  { name: 'lset', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Set the value of an element in a list by its index', handler: lsetCommand },
  { name: 'linsert', arity: 5, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Insert an element before or after another element in a list', handler: linsertCommand },
  { name: 'lrem', arity: 4, flags: 'write', keys: [1, 1, 1], summary: 'Remove elements from a list', handler: lremCommand },
  { name: 'ltrim', arity: 4, flags: 'write', keys: [1, 1, 1], summary: 'Trim a list to the specified range', handler: ltrimCommand },
  { name: 'lpos', arity: -3, flags: 'readonly', keys: [1, 1, 1], summary: 'Return the index of matching elements on a list', handler: lposCommand },
  { name: 'lmove', arity: 5, flags: 'write denyoom', keys: [1, 2, 1], summary: 'Pop an element from a list, push it to another list and return it', handler: lmoveCommand },
  { name: 'rpoplpush', arity: 3, flags: 'write denyoom', keys: [1, 2, 1], summary: 'Remove the last element in a list, prepend it to another list and return it', handler: rpoplpushCommand },
  { name: 'lmpop', arity: -4, flags: 'write movablekeys', numkeysAt: 1, summary: 'Pop elements from a list', handler: lmpopCommand },
  { name: 'blpop', arity: -3, flags: 'write noscript blocking', keys: [1, -2, 1], summary: 'Remove and get the first element in a list, or block until one is available', handler: blpopCommand },
  { name: 'brpop', arity: -3, flags: 'write noscript blocking', keys: [1, -2, 1], summary: 'Remove and get the last element in a list, or block until one is available', handler: brpopCommand },
  { name: 'blmove', arity: 6, flags: 'write denyoom noscript blocking', keys: [1, 2, 1], summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', handler: blmoveCommand },
  { name: 'brpoplpush', arity: 4, flags: 'write denyoom noscript blocking', keys: [1, 2, 1], summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', handler: brpoplpushCommand },
  { name: 'blmpop', arity: -5, flags: 'write blocking movablekeys', numkeysAt: 2, summary: 'Pop elements from a list, or block until one is available', handler: blmpopCommand },
]);
