/**
 * Key access for handlers: reads count keyspace hits and misses (INFO stats)
 * and fire `keymiss` notifications; typed reads reply WRONGTYPE and return
 * null when the key holds another type.
 */
import { NotifyClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { addError, addInteger } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Client } from '../server/client';
import type { Collection, RedisValue } from '../store/value';

/**
 * A read that counts a keyspace hit or miss. `isMissNotified` false is
 * Redis's LOOKUP_NONOTIFY (OBJECT): the miss is counted but no `keymiss`
 * event is published.
 */
export function lookupRead(c: Client, key: string, isMissNotified = true): RedisValue | undefined {
  const v = c.db.lookupRead(key);
  const stats = c.server.stats;
  if (v === undefined) {
    stats.keyspaceMisses++;
    if (isMissNotified && c.server.notifyFlags !== 0) notifyKeyspaceEvent(c.server, NotifyClass.KeyMiss, 'keymiss', key, c.db.id);
  } else {
    stats.keyspaceHits++;
  }
  return v;
}

/** A string value for reading; undefined when missing, null after replying WRONGTYPE. */
export function readString(c: Client, key: string): string | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined || typeof v === 'string') return v;
  addError(c, err.wrongType);
  return null;
}

/** A string value about to be written; undefined when missing, null after WRONGTYPE. */
export function writeString(c: Client, key: string): string | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined || typeof v === 'string') return v;
  addError(c, err.wrongType);
  return null;
}

/**
 * A collection of the given type. `undefined` when missing, null after
 * replying WRONGTYPE. `forWrite` runs the pre-modification hooks.
 */
export function lookupCollection<T extends Collection>(
  c: Client,
  key: string,
  type: T['type'],
  forWrite: boolean,
): T | undefined | null {
  const v = forWrite ? c.db.lookupWrite(key) : lookupRead(c, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' && v.type === type) return v as T;
  addError(c, err.wrongType);
  return null;
}

/** After a write: dirty counter and keyspace notification. */
export function signalWrite(c: Client, cls: NotifyClass, event: string, key: string, changes = 1): void {
  const server = c.server;
  server.dirty += changes;
  if (server.notifyFlags !== 0) notifyKeyspaceEvent(server, cls, event, key, c.db.id);
}

/**
 * The end of every *STORE command: a non-empty result replaces dstkey (its
 * TTL goes, as with SET: Redis's setKey) and fires `event`; an empty result
 * deletes dstkey, firing `del` only if it existed. Replies the result size.
 */
export function storeResult(c: Client, dstKey: string, result: Collection, cls: NotifyClass, event: string): void {
  const size = result.size;
  if (size > 0) {
    c.db.setKey(dstKey, result);
    signalWrite(c, cls, event, dstKey);
    addInteger(c, size);
    return;
  }
  addInteger(c, 0);
  if (c.db.lookupWrite(dstKey) !== undefined && c.db.deleteKey(dstKey)) signalWrite(c, NotifyClass.Generic, 'del', dstKey);
}

/** After removing members: the key goes when its collection became empty (`del` event), as Redis does. */
export function deleteIfEmpty(c: Client, key: string, value: Collection): void {
  if (value.size !== 0) return;
  c.db.deleteKey(key);
  signalWrite(c, NotifyClass.Generic, 'del', key, 0);
}
