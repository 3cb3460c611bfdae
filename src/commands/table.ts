/**
 * THE command table: every command the server knows, assembled from the
 * family files (each exports its entries next to its handlers). COMMAND,
 * COMMAND COUNT/INFO/DOCS/LIST, the README's command list and the
 * dispatcher all read this table.
 */
import type { Command } from './command';
import { connectionCommands } from './connection';
import { stringCommands } from './string';
import { keyspaceCommands } from './keyspace';
import { serverCommands } from './server';
import { pubsubCommands } from './pubsub';
import { transactionCommands } from './transaction';
import { configCommands } from './config';
import { replicationCommands } from './replication';
import { listCommands } from './list';
import { hashCommands } from './hash';
import { setCommands } from './set';
import { zsetCommands } from './zset';
import { persistenceCommands } from './persistence';
import { bitmapCommands } from './bitmap';
import { hyperloglogCommands } from './hyperloglog';

export const COMMANDS: readonly Command[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyspaceCommands,
  ...serverCommands,
  ...pubsubCommands,
  ...transactionCommands,
  ...configCommands,
  ...replicationCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...persistenceCommands,
  ...bitmapCommands,
  ...hyperloglogCommands,
];

const byName = new Map<string, Command>();
/** Longest command name plus one. */
const MAX_NAME = 1 + Math.max(...COMMANDS.map((c) => c.name.length));
/**
 * Commands grouped by name length and first letter (32 buckets per length):
 * a lookup compares a handful of candidates char by char and allocates
 * nothing (no lower-cased copy of the name). By length alone, 4-letter
 * names had dozens of candidates to reject.
 */
const buckets: Command[][] = [];
for (let i = 0; i < MAX_NAME * 32; i++) buckets.push([]);

function bucketOf(len: number, firstChar: number): number {
  return len * 32 + (firstChar & 31); // & 31: 'A' and 'a' share a bucket
}

for (const cmd of COMMANDS) {
  if (byName.has(cmd.name)) throw new Error(`command ${cmd.name} registered twice`);
  byName.set(cmd.name, cmd);
  buckets[bucketOf(cmd.name.length, cmd.name.charCodeAt(0))].push(cmd);
}

/** Looks a command up by its name as sent, in any letter case (this runs for every request). */
export function lookupCommand(name: string): Command | undefined {
  const len = name.length;
  if (len === 0 || len >= MAX_NAME) return undefined;
  const candidates = buckets[bucketOf(len, name.charCodeAt(0))];
  next: for (let i = 0; i < candidates.length; i++) {
    const lower = candidates[i].name;
    for (let j = 0; j < len; j++) {
      let ch = name.charCodeAt(j);
      if (ch >= 65 && ch <= 90) ch += 32; // ASCII upper → lower
      if (ch !== lower.charCodeAt(j)) continue next;
    }
    return candidates[i];
  }
  return undefined;
}

export function commandByName(name: string): Command | undefined {
  return byName.get(name.toLowerCase());
}
