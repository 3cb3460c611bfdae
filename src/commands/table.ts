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
 * Commands grouped by name length and first letter (32 buckets per length),
 * with their lower-case name bytes: a lookup compares a handful of
 * candidates and allocates nothing. By length alone, 4-letter names had
 * dozens of candidates to reject.
 */
const buckets: { cmd: Command; bytes: Buffer }[][] = [];
for (let i = 0; i < MAX_NAME * 32; i++) buckets.push([]);

function bucketOf(len: number, firstByte: number): number {
  return len * 32 + (firstByte & 31); // & 31: 'A' and 'a' share a bucket
}

for (const cmd of COMMANDS) {
  if (byName.has(cmd.name)) throw new Error(`command ${cmd.name} registered twice`);
  byName.set(cmd.name, cmd);
  const bytes = Buffer.from(cmd.name, 'latin1');
  buckets[bucketOf(bytes.length, bytes[0])].push({ cmd, bytes });
}

/**
 * Looks a command up by its name as sent, in any letter case, comparing
 * bytes against the candidates of the same length: no string is made per
 * command (this runs for every request).
 */
export function lookupCommand(name: Buffer): Command | undefined {
  const len = name.length;
  if (len === 0 || len >= MAX_NAME) return undefined;
  const candidates = buckets[bucketOf(len, name[0])];
  next: for (let i = 0; i < candidates.length; i++) {
    const bytes = candidates[i].bytes;
    for (let j = 0; j < len; j++) {
      let b = name[j];
      if (b >= 65 && b <= 90) b += 32; // ASCII upper → lower
      if (b !== bytes[j]) continue next;
    }
    return candidates[i].cmd;
  }
  return undefined;
}

export function commandByName(name: string): Command | undefined {
  return byName.get(name.toLowerCase());
}
