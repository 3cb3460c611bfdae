/**
 * PFADD, PFCOUNT, PFMERGE (Redis's hyperloglog.c commands). The value is a
 * plain string in Redis's HLL format (store/hll.ts), so GET, DUMP and
 * replication see the same bytes Redis would hold. PFDEBUG and PFSELFTEST
 * are not implemented.
 *
 * PFCOUNT of one key refreshes the cached cardinality inside the string;
 * like Redis it bumps dirty without a notification, so it is propagated
 * (the command is flagged may_replicate) and replicas hold the same bytes.
 */
import { NotifyClass } from '../pubsub/notify';
import { addError, addInteger, addOk } from '../protocol/reply';
import { err } from '../protocol/shared';
import { D } from '../config/directives';
import type { Client } from '../server/client';
import { cachedCardinality, countHll, countRegisters, HLL_REGISTERS, HllEditor, isHllString, mergeRegisters, withCachedCardinality } from '../store/hll';
import type { RedisValue } from '../store/value';
import { family } from './command';
import { lookupRead, signalWrite } from './lookup';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected';

/** isHLLObjectOrReply: the value as an HLL string, or null after replying. */
function hllOrReply(c: Client, v: RedisValue): string | null {
  if (typeof v !== 'string') {
    addError(c, err.wrongType);
    return null;
  }
  if (!isHllString(v)) {
    addError(c, NOT_HLL);
    return null;
  }
  return v;
}

function sparseMaxBytes(c: Client): number {
  return c.server.config.get(D.hllSparseMaxBytes);
}

/** PFADD key [element ...]: 1 when a register changed or the key was created. */
function pfaddCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = c.db.lookupWrite(key);
  let editor: HllEditor;
  let updated = 0;
  if (v === undefined) {
    editor = new HllEditor(null, sparseMaxBytes(c));
    updated++;
  } else {
    const s = hllOrReply(c, v);
    if (s === null) return;
    editor = new HllEditor(s, sparseMaxBytes(c));
  }
  for (let i = 2; i < argv.length; i++) {
    const result = editor.add(argv[i]);
    if (result === 1) updated++;
    else if (result === -1) return addError(c, CORRUPTED);
  }
  if (updated !== 0) {
    editor.invalidateCache();
    if (v === undefined) c.db.setKey(key, editor.toValue());
    else c.db.overwrite(key, editor.toValue());
    signalWrite(c, NotifyClass.String, 'pfadd', key, updated);
  }
  addInteger(c, updated !== 0 ? 1 : 0);
}

/** PFCOUNT key [key ...]: one key uses and refreshes its cache; several are counted as their union. */
function pfcountCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let i = 1; i < argv.length; i++) {
      const v = lookupRead(c, argv[i]);
      if (v === undefined) continue;
      const s = hllOrReply(c, v);
      if (s === null) return;
      if (!mergeRegisters(max, s)) return addError(c, CORRUPTED);
    }
    return addInteger(c, countRegisters(max));
  }
  const key = argv[1];
  const v = lookupRead(c, key);
  if (v === undefined) return addInteger(c, 0);
  const s = hllOrReply(c, v);
  if (s === null) return;
  const cached = cachedCardinality(s);
  if (cached >= 0) return addInteger(c, cached);
  const card = countHll(s);
  if (card < 0) return addError(c, CORRUPTED);
  // A cache refresh is a write (WATCH, replicas) but no keyspace event, as in Redis.
  c.db.lookupWrite(key);
  c.db.overwrite(key, withCachedCardinality(s, card));
  c.server.dirty++;
  addInteger(c, card);
}

/** PFMERGE destkey [sourcekey ...]: the union into destkey (dense if any input is dense). */
function pfmergeCommand(c: Client, argv: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let isDense = false;
  for (let i = 1; i < argv.length; i++) {
    const v = lookupRead(c, argv[i]);
    if (v === undefined) continue;
    const s = hllOrReply(c, v);
    if (s === null) return;
    if (s.charCodeAt(4) === 0) isDense = true;
    if (!mergeRegisters(max, s)) return addError(c, CORRUPTED);
  }
  const key = argv[1];
  const v = c.db.lookupWrite(key);
  // An existing destination was already checked as a source above.
  const editor = new HllEditor(v === undefined ? null : (v as string), sparseMaxBytes(c));
  if (isDense && !editor.toDense()) return addError(c, CORRUPTED);
  for (let i = 0; i < HLL_REGISTERS; i++) if (max[i] !== 0) editor.set(i, max[i]);
  editor.invalidateCache();
  if (v === undefined) c.db.setKey(key, editor.toValue());
  else c.db.overwrite(key, editor.toValue());
  signalWrite(c, NotifyClass.String, 'pfadd', key);
  addOk(c);
}

export const hyperloglogCommands = family('hyperloglog', [
  { name: 'pfadd', arity: -2, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Adds the specified elements to the specified HyperLogLog.', handler: pfaddCommand },
  { name: 'pfcount', arity: -2, flags: 'readonly may_replicate', keys: [1, -1, 1], summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', handler: pfcountCommand },
  { name: 'pfmerge', arity: -2, flags: 'write denyoom', keys: [1, -1, 1], summary: 'Merge N different HyperLogLogs into a single one.', handler: pfmergeCommand },
]);
