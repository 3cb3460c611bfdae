/**
 * The shape of a command table entry, and the helper that builds one. Flags
 * are parsed from their Redis names once, at registration, so dispatch only
 * tests bits. Each family file exports its entries; table.ts assembles them.
 */
import type { Client } from '../server/client';

export type Handler = (c: Client, argv: string[]) => void;

/** Redis 7 command flags, in the order COMMAND INFO lists them. */
export const FLAG_NAMES = [
  'write',
  'readonly',
  'denyoom',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'fast',
  'no_auth',
  'may_replicate',
  'no_multi',
  'allow_busy',
  'movablekeys',
] as const;

export type FlagName = (typeof FLAG_NAMES)[number];

export const F: Record<FlagName, number> = Object.fromEntries(FLAG_NAMES.map((n, i) => [n, 1 << i])) as Record<FlagName, number>;

export interface KeySpec {
  first: number;
  last: number;
  step: number;
  /** Movable keys: argv[numkeysAt] holds how many keys follow it (ZUNION, LMPOP...); 0 when none. */
  numkeysAt: number;
}

export class Command {
  readonly flags: number;
  /** "config|get" for subcommands, as Redis names them in errors and stats. */
  readonly fullName: string;
  readonly subcommands: Map<string, Command> | null;
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;

  constructor(
    readonly name: string,
    readonly arity: number,
    flagNames: string,
    readonly keys: KeySpec,
    readonly group: string,
    readonly handler: Handler | null,
    readonly summary: string,
    subcommands: Command[] | null,
    parent: Command | null = null,
  ) {
    let flags = 0;
    for (const n of flagNames.split(' ')) {
      if (n === '') continue;
      const bit = F[n as FlagName];
      if (bit === undefined) throw new Error(`unknown command flag ${n} on ${name}`);
      flags |= bit;
    }
    this.flags = flags;
    this.fullName = parent ? `${parent.name}|${name}` : name;
    this.subcommands = subcommands ? new Map(subcommands.map((s) => [s.name, s])) : null;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  flagNames(): string[] {
    return FLAG_NAMES.filter((n) => (this.flags & F[n]) !== 0);
  }
}

const NO_KEYS: KeySpec = { first: 0, last: 0, step: 0, numkeysAt: 0 };

export interface CommandDef {
  name: string;
  arity: number;
  flags: string;
  /** [first, last, step] of key positions; omitted for keyless commands. */
  keys?: [number, number, number];
  /** For movable keys: the index of the argument that counts the keys following it. */
  numkeysAt?: number;
  summary: string;
  handler?: Handler;
  subcommands?: CommandDef[];
}

/** Builds the entries of one family (group names follow Redis: string, generic, server...). */
export function family(group: string, defs: CommandDef[]): Command[] {
  return defs.map((d) => build(group, d, null));
}

function build(group: string, d: CommandDef, parent: Command | null): Command {
  const numkeysAt = d.numkeysAt ?? 0;
  const keys = d.keys ? { first: d.keys[0], last: d.keys[1], step: d.keys[2], numkeysAt } : { ...NO_KEYS, numkeysAt };
  const cmd = new Command(d.name, d.arity, d.flags, keys, group, d.handler ?? null, d.summary, d.subcommands ? [] : null, parent);
  if (d.subcommands) for (const s of d.subcommands) cmd.subcommands!.set(s.name, build(group, s, cmd));
  return cmd;
}
