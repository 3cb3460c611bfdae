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
for (const cmd of COMMANDS) {
  if (byName.has(cmd.name)) throw new Error(`command ${cmd.name} registered twice`);
  byName.set(cmd.name, cmd);
  byName.set(cmd.name.toUpperCase(), cmd);
}

/** Looks a command up by its name as sent; exact-case hits avoid a lowercase copy. */
export function lookupCommand(name: Buffer): Command | undefined {
  const raw = name.latin1Slice();
  return byName.get(raw) ?? byName.get(raw.toLowerCase());
}

export function commandByName(name: string): Command | undefined {
  return byName.get(name.toLowerCase());
}
