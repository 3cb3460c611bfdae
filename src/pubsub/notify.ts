/**
 * Keyspace notifications (notify-keyspace-events): after a change, publish
 * `__keyspace@<db>__:<key>` → event and/or `__keyevent@<db>__:<event>` → key,
 * filtered by the configured classes. The flag letters and event names are
 * Redis's (notify.c); handlers call notifyKeyspaceEvent with the class of the
 * event and Redis's event name.
 */
import type { Server } from '../server/server';

export const enum NotifyClass {
  Keyspace = 1 << 0, // K
  Keyevent = 1 << 1, // E
  Generic = 1 << 2, // g
  String = 1 << 3, // $
  List = 1 << 4, // l
  Set = 1 << 5, // s
  Hash = 1 << 6, // h
  ZSet = 1 << 7, // z
  Expired = 1 << 8, // x
  Evicted = 1 << 9, // e
  Stream = 1 << 10, // t
  KeyMiss = 1 << 11, // m
  Module = 1 << 12, // d
  NewKey = 1 << 13, // n
}

const ALL = NotifyClass.Generic | NotifyClass.String | NotifyClass.List | NotifyClass.Set | NotifyClass.Hash | NotifyClass.ZSet | NotifyClass.Expired | NotifyClass.Evicted | NotifyClass.Stream | NotifyClass.Module;

const LETTERS: [string, number][] = [
  ['K', NotifyClass.Keyspace],
  ['E', NotifyClass.Keyevent],
  ['g', NotifyClass.Generic],
  ['$', NotifyClass.String],
  ['l', NotifyClass.List],
  ['s', NotifyClass.Set],
  ['h', NotifyClass.Hash],
  ['z', NotifyClass.ZSet],
  ['x', NotifyClass.Expired],
  ['e', NotifyClass.Evicted],
  ['t', NotifyClass.Stream],
  ['m', NotifyClass.KeyMiss],
  ['d', NotifyClass.Module],
  ['n', NotifyClass.NewKey],
];

/** Parses the flag string; null when it contains an unknown letter. */
export function parseNotifyFlags(s: string): number | null {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') {
      flags |= ALL;
      continue;
    }
    const bit = letterBit(ch);
    if (bit === 0) return null;
    flags |= bit;
  }
  return flags;
}

const TYPE_LETTERS = 'g$lshzxetdn';

/**
 * The canonical flag string CONFIG GET prints (keyspaceEventsFlagsToString):
 * 'A' or the class letters, then K, E and m. Under 'A' Redis 7.0 prints no
 * 'n' even when set (its else branch holds it); the flag itself stays.
 */
export function formatNotifyFlags(flags: number): string {
  let out = '';
  if ((flags & ALL) === ALL) out = 'A';
  else for (const ch of TYPE_LETTERS) if ((flags & letterBit(ch)) !== 0) out += ch;
  for (const ch of 'KEm') if ((flags & letterBit(ch)) !== 0) out += ch;
  return out;
}

function letterBit(ch: string): number {
  const entry = LETTERS.find(([l]) => l === ch);
  return entry === undefined ? 0 : entry[1];
}

export function notifyKeyspaceEvent(server: Server, cls: NotifyClass, event: string, key: string, dbId: number): void {
  const flags = server.notifyFlags;
  if (flags === 0 || (flags & cls) === 0) return;
  if ((flags & NotifyClass.Keyspace) !== 0) server.pubsub.publish(`__keyspace@${dbId}__:${key}`, event);
  if ((flags & NotifyClass.Keyevent) !== 0) server.pubsub.publish(`__keyevent@${dbId}__:${event}`, key);
}
