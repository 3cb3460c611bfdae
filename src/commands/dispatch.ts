/**
 * The dispatcher: argv → command lookup → the checks Redis makes before any
 * handler runs (unknown command, arity, AUTH, OOM, read-only replica, RESP2
 * subscribed context, stale data, loading, MULTI queueing) → the handler →
 * stats, slowlog, MONITOR, and propagation of what the command changed.
 *
 * A rejected command inside MULTI marks the transaction so EXEC aborts,
 * as flagTransaction does in Redis.
 */
import { performance } from 'node:perf_hooks';
import { D } from '../config/directives';
import { log } from '../log';
import { addError, addRaw } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import { quoteArg } from '../protocol/split-args';
import { Client, ClientFlag } from '../server/client';
import { allowsProtectedAction } from '../server/protected-actions';
import { Command, F } from './command';
import { lookupCommand } from './table';

/** Commands a RESP2 client may send while subscribed. */
const SUBSCRIBED_CONTEXT = new Set(['subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);
/** Commands that run immediately inside MULTI instead of being queued. */
const MULTI_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** Checks that only the server state decides; rooms install them (replication, memory, loading). */
export interface CommandGate {
  /** Returns an error text to reject the command, or null to let it run. */
  check(c: Client, cmd: Command): string | null;
}

const gates: CommandGate[] = [];

export function addCommandGate(g: CommandGate): void {
  gates.push(g);
}

function reject(c: Client, cmd: Command | null, text: string): void {
  if (cmd !== null) cmd.rejectedCalls++;
  if ((c.flags & ClientFlag.Multi) !== 0) c.flags |= ClientFlag.DirtyExec;
  addError(c, text);
}

export function processCommand(c: Client, argv: string[]): void {
  let cmd = lookupCommand(argv[0]);
  if (cmd === undefined) {
    reject(c, null, err.unknownCommand(head(argv[0], 128), argsPreview(argv)));
    return;
  }
  if (cmd.subcommands !== null && argv.length >= 2) {
    const sub = cmd.subcommands.get(argv[1].toLowerCase());
    if (sub === undefined) {
      reject(c, cmd, err.unknownSubcommand(head(argv[1], 128), cmd.name));
      return;
    }
    cmd = sub;
  }
  const arity = cmd.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
    reject(c, cmd, err.wrongArity(cmd.fullName));
    return;
  }
  // Checked before authentication, as Redis does for its protected commands.
  if (cmd.name === 'debug' && !allowsProtectedAction(c.server.config.get(D.enableDebugCommand), c)) {
    reject(c, cmd, err.debugNotAllowed);
    return;
  }
  if (!c.isAuthenticated && (cmd.flags & F.no_auth) === 0) {
    reject(c, cmd, err.noAuth);
    return;
  }
  for (let i = 0; i < gates.length; i++) {
    const refusal = gates[i].check(c, cmd);
    if (refusal !== null) {
      reject(c, cmd, refusal);
      return;
    }
  }
  if (c.resp === 2 && c.subscriptionCount > 0 && !SUBSCRIBED_CONTEXT.has(cmd.name)) {
    reject(
      c,
      cmd,
      `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
    return;
  }
  if ((c.flags & ClientFlag.Multi) !== 0 && !MULTI_CONTROL.has(cmd.name)) {
    if ((cmd.flags & F.no_multi) !== 0) {
      reject(c, cmd, 'ERR Command not allowed inside a transaction');
      return;
    }
    c.multiQueue!.push({ argv });
    addRaw(c, shared.queued);
    return;
  }
  call(c, cmd, argv);
}

/** CLIENT PAUSE WRITE holds back commands that may change the dataset. */
export function isWriteRequest(argv: string[]): boolean {
  const cmd = lookupCommand(argv[0]);
  return cmd !== undefined && (cmd.flags & (F.write | F.may_replicate)) !== 0;
}

/**
 * When the last command of the current run of commands (one client's
 * pipelined input) ended, or -1 at the start of a run. The next command's
 * time starts there, so each command costs one clock read instead of two
 * (~7% of a short command's CPU); its own parsing counts toward it. The
 * clock is perf_hooks' own: the global `performance` is a lazy getter that
 * cost ~15 ns more per read (node 20 here).
 */
let runClock = -1;
/** When the current run's first command started, or -1 before it. */
let runStart = -1;

/** The server calls this before running a client's input. */
export function startCommandRun(): void {
  runClock = -1;
  runStart = -1;
}

/** Milliseconds the commands of the current run have taken so far (0 before the first). */
export function commandRunMs(): number {
  return runClock - runStart;
}

/** Runs a handler with everything that follows a command: stats, slowlog, MONITOR, propagation. */
export function call(c: Client, cmd: Command, argv: string[]): void {
  const server = c.server;
  const dirtyBefore = server.dirty;
  const errorsBefore = server.stats.totalErrorReplies;
  const dbId = c.db.id;
  const offsetBefore = server.propagator.masterReplOffset;
  c.propagateArgv = null;
  // CLIENT LIST/INFO show the command being run, as Redis sets c->lastcmd first.
  c.lastCommand = cmd.fullName;
  const t0 = runClock >= 0 ? runClock : (runStart = performance.now());
  const active = server.active;
  if (active.isEnabled) active.commandStarted();
  try {
    cmd.handler!(c, argv);
  } catch (e) {
    // A handler bug must not take the server down: report it and answer this client only.
    log.error({ cmd: cmd.fullName, client: c.id, err: e instanceof Error ? e.stack : String(e) }, 'Internal error while running a command');
    addError(c, `ERR internal error while running '${cmd.fullName}'`);
  }
  const t1 = performance.now();
  runClock = t1;
  const durationUs = Math.round((t1 - t0) * 1000);
  cmd.calls++;
  cmd.usec += durationUs;
  if (server.stats.totalErrorReplies !== errorsBefore) cmd.failedCalls++;
  server.stats.totalCommandsProcessed++;
  const threshold = server.slowlog.thresholdUs;
  if (threshold >= 0 && durationUs >= threshold && (cmd.flags & F.skip_slowlog) === 0) {
    server.slowlog.record(argv, durationUs, c.addr, c.name);
  }
  const latencyMs = server.latency.thresholdMs;
  if (latencyMs !== 0 && durationUs >= latencyMs * 1000) server.latency.add((cmd.flags & F.fast) !== 0 ? 'fast-command' : 'command', Math.round(durationUs / 1000));
  // Monitors see the db the command left selected (SELECT 2 shows [2 ...]), as in Redis.
  if (server.monitors.size !== 0 && (cmd.flags & (F.skip_monitor | F.admin)) === 0) feedMonitors(c, c.db.id, argv);
  // A classic replica forwards its master's stream byte for byte instead; RREPLAY forwards its frame.
  if ((server.dirty !== dirtyBefore || c.propagateArgv !== null) && (cmd.flags & (F.write | F.may_replicate)) !== 0 && (c.flags & ClientFlag.NoPropagate) === 0) {
    server.propagator.propagate(dbId, c.propagateArgv ?? argv);
  }
  // WAIT waits for the stream this client's last write ended at (an EXEC's writes are sent as it ends).
  if (server.propagator.masterReplOffset !== offsetBefore) c.lastWriteOffset = server.propagator.masterReplOffset;
  if (active.isEnabled) active.commandEnded();
}

function feedMonitors(c: Client, dbId: number, argv: readonly string[]): void {
  const now = Date.now();
  let line = `+${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')} [${dbId} ${c.addr}]`;
  for (const a of argv) line += ' ' + quoteArg(a);
  line += '\r\n';
  for (const m of c.server.monitors) m.out.writeLatin1(line);
}

/** The first max bytes of an argument, for error texts. */
function head(arg: string, max: number): string {
  return arg.slice(0, max);
}

/** "'a' 'b' " as Redis lists the arguments of an unknown command (at most 128 chars). */
function argsPreview(argv: readonly string[]): string {
  let out = '';
  for (let i = 1; i < argv.length && out.length < 128; i++) {
    out += `'${head(argv[i], 128 - out.length)}' `;
  }
  return out;
}
