/**
 * Set commands (Redis 7.0's t_set.c): SADD SREM SMEMBERS SISMEMBER
 * SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF
 * SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN.
 *
 * Reply shapes follow 7.0.15 exactly: SMEMBERS, SINTER, SUNION, SDIFF and
 * SPOP with a count reply a RESP3 set; SRANDMEMBER with a count replies an
 * array (it may repeat members). SPOP is propagated deterministically: as
 * SREM of the popped members, or DEL when the whole set went.
 *
 * Also exports the argument parsers and the store-or-delete step that the
 * sorted-set commands share with these.
 */
import { globMatch } from '../common/glob';
import { D } from '../config/directives';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addError, addInteger, addNull, addSetLen } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import type { Client } from '../server/client';
import { SetValue } from '../store/types/set';
import { atLeastOneArg, nonNegativeArg, randomCountArg, word } from './args';
import { family } from './command';
import { addScanReply, parseCursor, parseScanOptions } from './keyspace';
import { deleteIfEmpty, lookupCollection, signalWrite, storeResult } from './lookup';

const SREM = 'SREM';
const DEL = 'DEL';

const errNumkeys = 'ERR numkeys should be greater than 0';
const errLimitNegative = "ERR LIMIT can't be negative";

function getSet(c: Client, key: string, forWrite: boolean): SetValue | undefined | null {
  return lookupCollection<SetValue>(c, key, 'set', forWrite);
}

function maxIntsetEntries(c: Client): number {
  return c.server.config.get(D.setMaxIntsetEntries);
}

function addMembers(c: Client, members: Iterable<string>): void {
  for (const m of members) addBulk(c, m);
}

function saddCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  let set = getSet(c, key, true);
  if (set === null) return;
  if (set === undefined) {
    set = new SetValue();
    c.db.setKey(key, set);
  }
  const max = maxIntsetEntries(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i], max)) added++;
  if (added > 0) signalWrite(c, NotifyClass.Set, 'sadd', key, added);
  addInteger(c, added);
}

function sremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const set = getSet(c, key, true);
  if (set === null) return;
  if (set === undefined) return addInteger(c, 0);
  let deleted = 0;
  for (let i = 2; i < argv.length && set.size > 0; i++) if (set.delete(argv[i])) deleted++;
  if (deleted > 0) {
    signalWrite(c, NotifyClass.Set, 'srem', key, deleted);
    deleteIfEmpty(c, key, set);
  }
  addInteger(c, deleted);
}

/** SMOVE source destination member: srem on source, sadd on destination (smoveCommand). */
function smoveCommand(c: Client, argv: string[]): void {
  const srcKey = argv[1];
  const dstKey = argv[2];
  const member = argv[3];
  const src = c.db.lookupWrite(srcKey);
  const dst = c.db.lookupWrite(dstKey);
  if (src === undefined) return addInteger(c, 0);
  if (typeof src === 'string' || src.type !== 'set' || (dst !== undefined && (typeof dst === 'string' || dst.type !== 'set'))) {
    return addError(c, err.wrongType);
  }
  const srcSet = src as SetValue;
  if (src === dst) return addInteger(c, srcSet.has(member) ? 1 : 0);
  if (!srcSet.delete(member)) return addInteger(c, 0);
  signalWrite(c, NotifyClass.Set, 'srem', srcKey);
  deleteIfEmpty(c, srcKey, srcSet);
  let dstSet = dst as SetValue | undefined;
  if (dstSet === undefined) {
    dstSet = new SetValue();
    c.db.setKey(dstKey, dstSet);
  }
  if (dstSet.add(member, maxIntsetEntries(c))) signalWrite(c, NotifyClass.Set, 'sadd', dstKey);
  addInteger(c, 1);
}

function sismemberCommand(c: Client, argv: string[]): void {
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  addInteger(c, set !== undefined && set.has(argv[2]) ? 1 : 0);
}

function smismemberCommand(c: Client, argv: string[]): void {
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) addInteger(c, set !== undefined && set.has(argv[i]) ? 1 : 0);
}

function scardCommand(c: Client, argv: string[]): void {
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  addInteger(c, set === undefined ? 0 : set.size);
}

function smembersCommand(c: Client, argv: string[]): void {
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  if (set === undefined) return addSetLen(c, 0);
  addSetLen(c, set.size);
  addMembers(c, set.members());
}

function spopCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) return spopWithCount(c, argv);
  if (argv.length > 3) return addError(c, err.syntax);
  const key = argv[1];
  const set = getSet(c, key, true);
  if (set === null) return;
  if (set === undefined) return addNull(c);
  const member = set.randomMember();
  set.delete(member);
  signalWrite(c, NotifyClass.Set, 'spop', key);
  c.propagateArgv = [SREM, argv[1], member];
  addBulk(c, member);
  deleteIfEmpty(c, key, set);
}

/**
 * How much bigger than the remainder a set must be for SPOP to pop members
 * one by one; below that it keeps a random remainder instead
 * (SPOP_MOVE_STRATEGY_MUL).
 */
const SPOP_MOVE_STRATEGY_MUL = 5;

/** spopWithCountCommand: the three cases of Redis, with the same replication. */
function spopWithCount(c: Client, argv: string[]): void {
  const count = nonNegativeArg(c, argv[2]);
  if (count === null) return;
  const key = argv[1];
  const set = getSet(c, key, true);
  if (set === null) return;
  if (set === undefined || count === 0) return addSetLen(c, 0);
  const size = set.size;
  signalWrite(c, NotifyClass.Set, 'spop', key, Math.min(count, size));
  if (count >= size) {
    // The whole set: reply it as SUNION would, then the key goes; replicas get DEL.
    addUnionOfOne(c, set);
    c.db.deleteKey(key);
    signalWrite(c, NotifyClass.Generic, 'del', key);
    c.propagateArgv = [DEL, argv[1]];
    return;
  }
  const propagate: string[] = [SREM, argv[1]];
  const remaining = size - count;
  addSetLen(c, count);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = set.randomMember();
      set.delete(m);
      addBulk(c, m);
      propagate.push(m);
    }
  } else {
    // Popping most of the set: pick the few survivors into a new set and
    // return what is left of the old one.
    const survivors = new SetValue();
    const max = maxIntsetEntries(c);
    for (let i = 0; i < remaining; i++) {
      const m = set.randomMember();
      survivors.add(m, max);
      set.delete(m);
    }
    for (const m of set.members()) {
      addBulk(c, m);
      propagate.push(m);
    }
    c.db.overwrite(key, survivors);
  }
  c.propagateArgv = propagate;
}

/**
 * A whole set in the order Redis's sunionDiffGenericCommand replies it: the
 * members are re-added to a fresh set, so a hashtable of few integers comes
 * out sorted like the intset Redis builds.
 */
function addUnionOfOne(c: Client, set: SetValue): void {
  let result = set;
  if (!set.isIntset && set.size <= maxIntsetEntries(c)) {
    result = new SetValue();
    const max = maxIntsetEntries(c);
    for (const m of set.members()) result.add(m, max);
  }
  addSetLen(c, result.size);
  addMembers(c, result.members());
}

/** Below this ratio of set size to count, SRANDMEMBER copies the set and drops members (SRANDMEMBER_SUB_STRATEGY_MUL). */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function srandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) return addError(c, err.syntax);
  if (argv.length === 2) {
    const set = getSet(c, argv[1], false);
    if (set === null) return;
    if (set === undefined) return addNull(c);
    return addBulk(c, set.randomMember());
  }
  const count = randomCountArg(c, argv[2]);
  if (count === null) return;
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  if (set === undefined || count === 0) return c.out.writeBuffer(shared.emptyArray);
  const size = set.size;
  if (count < 0) {
    // Repeats allowed: independent draws.
    const n = -count;
    addArrayLen(c, n);
    for (let i = 0; i < n; i++) addBulk(c, set.randomMember());
    return;
  }
  if (count >= size) {
    addArrayLen(c, size);
    return addMembers(c, set.members());
  }
  addArrayLen(c, count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: copy it and drop random members until count remain.
    const copy: string[] = [];
    for (const m of set.members()) copy.push(m);
    let left = size;
    while (left > count) {
      const i = Math.floor(Math.random() * left);
      copy[i] = copy[--left];
    }
    for (let i = 0; i < count; i++) addBulk(c, copy[i]);
    return;
  }
  // A small sample of a big set: draw slots until count distinct ones.
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  for (const i of picked) addBulk(c, set.memberAt(i));
}

/** The sets named by argv[from..to), undefined where a key is missing; null after replying WRONGTYPE. */
function lookupSets(c: Client, argv: string[], from: number, to: number): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) {
    const set = getSet(c, argv[i], false);
    if (set === null) return null;
    sets.push(set);
  }
  return sets;
}

const bySize = (a: SetValue, b: SetValue): number => a.size - b.size;

/**
 * sinterGenericCommand. `dstKey` set: SINTERSTORE; `limit` >= 0: SINTERCARD
 * (0 = no limit); otherwise SINTER/SMEMBERS-like reply. Walks the smallest
 * set and probes the others.
 */
function sinterGeneric(c: Client, argv: string[], from: number, to: number, dstKey: string | null, limit: number): void {
  const found = lookupSets(c, argv, from, to);
  if (found === null) return;
  const sets: SetValue[] = [];
  for (const s of found) {
    if (s === undefined) {
      // An empty input empties the intersection.
      if (dstKey !== null) return storeResult(c, dstKey, new SetValue(), NotifyClass.Set, 'sinterstore');
      if (limit >= 0) return addInteger(c, 0);
      return addSetLen(c, 0);
    }
    sets.push(s);
  }
  sets.sort(bySize);
  const first = sets[0];
  const result: string[] = [];
  for (const m of first.members()) {
    let j = 1;
    for (; j < sets.length; j++) if (sets[j] !== first && !sets[j].has(m)) break;
    if (j < sets.length) continue;
    result.push(m);
    if (limit > 0 && result.length >= limit) break;
  }
  if (limit >= 0) return addInteger(c, result.length);
  if (dstKey === null) {
    addSetLen(c, result.length);
    return addMembers(c, result);
  }
  const dst = new SetValue();
  const max = maxIntsetEntries(c);
  for (let i = 0; i < result.length; i++) dst.add(result[i], max);
  storeResult(c, dstKey, dst, NotifyClass.Set, 'sinterstore');
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
function sintercardCommand(c: Client, argv: string[]): void {
  const numkeys = atLeastOneArg(c, argv[1], errNumkeys);
  if (numkeys === null) return;
  if (numkeys > argv.length - 2) return addError(c, "ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (word(argv[i]) === 'limit' && i + 1 < argv.length) {
      const v = nonNegativeArg(c, argv[++i], errLimitNegative);
      if (v === null) return;
      limit = v;
    } else {
      return addError(c, err.syntax);
    }
  }
  sinterGeneric(c, argv, 2, 2 + numkeys, null, limit);
}

const enum SetOp {
  Union,
  Diff,
}

/**
 * sunionDiffGenericCommand: the result is built as a new set (an intset
 * while it can be, like Redis's), then replied or stored. SDIFF picks the
 * cheaper of Redis's two algorithms.
 */
function sunionDiffGeneric(c: Client, argv: string[], from: number, dstKey: string | null, op: SetOp): void {
  const sets = lookupSets(c, argv, from, argv.length);
  if (sets === null) return;
  const max = maxIntsetEntries(c);
  const result = new SetValue();
  const first = sets[0];
  if (op === SetOp.Union) {
    for (const s of sets) if (s !== undefined) for (const m of s.members()) result.add(m, max);
  } else if (first !== undefined) {
    // Algorithm 1 probes every other set per member of the first: O(N*M),
    // better constants. Algorithm 2 adds the first and removes the rest: O(total).
    let oneWork = 0;
    let twoWork = 0;
    for (const s of sets) {
      if (s === undefined) continue;
      oneWork += first.size;
      twoWork += s.size;
    }
    if (Math.floor(oneWork / 2) <= twoWork) {
      const others: SetValue[] = [];
      for (let i = 1; i < sets.length; i++) if (sets[i] !== undefined) others.push(sets[i]!);
      others.sort((a, b) => b.size - a.size);
      for (const m of first.members()) {
        let j = 0;
        for (; j < others.length; j++) if (others[j] === first || others[j].has(m)) break;
        if (j === others.length) result.add(m, max);
      }
    } else {
      for (const m of first.members()) result.add(m, max);
      for (let i = 1; i < sets.length && result.size > 0; i++) {
        const s = sets[i];
        if (s !== undefined) for (const m of s.members()) result.delete(m);
      }
    }
  }
  if (dstKey !== null) return storeResult(c, dstKey, result, NotifyClass.Set, op === SetOp.Union ? 'sunionstore' : 'sdiffstore');
  addSetLen(c, result.size);
  addMembers(c, result.members());
}

function sscanCommand(c: Client, argv: string[]): void {
  const cursor = parseCursor(c, argv[2]);
  if (cursor === null) return;
  const set = getSet(c, argv[1], false);
  if (set === null) return;
  if (set === undefined) return addScanReply(c, 0, []);
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const pattern = opts.pattern;
  const found: string[] = [];
  if (set.isIntset) {
    // Like Redis for a compact encoding: everything in one reply, cursor 0.
    for (const m of set.members()) if (pattern === null || globMatch(pattern, m)) found.push(m);
    return addScanReply(c, 0, found);
  }
  const next = c.server.scanCursors.step(set, () => set.members(), cursor, opts.count, (m: string) => {
    if (pattern === null || globMatch(pattern, m)) found.push(m);
  });
  addScanReply(c, next, found);
}

function sinterCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, 1, argv.length, null, -1);
}

function sinterstoreCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, 2, argv.length, argv[1], -1);
}

function sunionCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 1, null, SetOp.Union);
}

function sunionstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], SetOp.Union);
}

function sdiffCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 1, null, SetOp.Diff);
}

function sdiffstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], SetOp.Diff);
}

export const setCommands = family('set', [
  { name: 'sadd', arity: -3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Add one or more members to a set', handler: saddCommand },
  { name: 'srem', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove one or more members from a set', handler: sremCommand },
  { name: 'smove', arity: 4, flags: 'write fast', keys: [1, 2, 1], summary: 'Move a member from one set to another', handler: smoveCommand },
  { name: 'sismember', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Determine if a given value is a member of a set', handler: sismemberCommand },
  { name: 'smismember', arity: -3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Returns the membership associated with the given elements for a set', handler: smismemberCommand },
  { name: 'scard', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the number of members in a set', handler: scardCommand },
  { name: 'smembers', arity: 2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get all the members in a set', handler: smembersCommand },
  { name: 'spop', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove and return one or multiple random members from a set', handler: spopCommand },
  { name: 'srandmember', arity: -2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get one or multiple random members from a set', handler: srandmemberCommand },
  { name: 'sinter', arity: -2, flags: 'readonly', keys: [1, -1, 1], summary: 'Intersect multiple sets', handler: sinterCommand },
  { name: 'sintercard', arity: -3, flags: 'readonly movablekeys', numkeysAt: 1, summary: 'Intersect multiple sets and return the cardinality of the result', handler: sintercardCommand },
  { name: 'sinterstore', arity: -3, flags: 'write denyoom', keys: [1, -1, 1], summary: 'Intersect multiple sets and store the resulting set in a key', handler: sinterstoreCommand },
  { name: 'sunion', arity: -2, flags: 'readonly', keys: [1, -1, 1], summary: 'Add multiple sets', handler: sunionCommand },
  { name: 'sunionstore', arity: -3, flags: 'write denyoom', keys: [1, -1, 1], summary: 'Add multiple sets and store the resulting set in a key', handler: sunionstoreCommand },
  { name: 'sdiff', arity: -2, flags: 'readonly', keys: [1, -1, 1], summary: 'Subtract multiple sets', handler: sdiffCommand },
  { name: 'sdiffstore', arity: -3, flags: 'write denyoom', keys: [1, -1, 1], summary: 'Subtract multiple sets and store the resulting set in a key', handler: sdiffstoreCommand },
  { name: 'sscan', arity: -3, flags: 'readonly', keys: [1, 1, 1], summary: 'Incrementally iterate Set elements', handler: sscanCommand },
]);
