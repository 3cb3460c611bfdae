/**
 * Installs RDB persistence into a Server: the RdbPersistence state (one per
 * server, found by commands through `persistenceOf`), the INFO persistence
 * section, the save-point cron, replication's snapshot provider (full sync),
 * and the two command gates Redis applies in processCommand:
 *   - while loading, commands without the `loading` flag get -LOADING;
 *   - after a failed background save, with stop-writes-on-bgsave-error and
 *     save points configured, write commands (and PING) get -MISCONF,
 *     except from the master link.
 */
import { D } from '../config/directives';
import { F, type Command } from '../commands/command';
import { addCommandGate } from '../commands/dispatch';
import { lookupCommand } from '../commands/table';
import { err } from '../protocol/shared';
import { type Client, ClientFlag } from '../server/client';
import type { SectionProvider } from '../server/info';
import type { Server } from '../server/server';
import { createSnapshotProvider } from './replication-source';
import { RdbPersistence } from './save';

/** writeCommandsGetDiskErrorMessage, RDB case. */
const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report errors during writes ' +
  'if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';

/** How often the cron checks save points (serverCron runs at hz 10). */
const SAVE_CHECK_PERIOD_MS = 100;

const installed = new WeakMap<Server, RdbPersistence>();

export function persistenceOf(server: Server): RdbPersistence {
  const p = installed.get(server);
  if (p === undefined) throw new Error('RDB persistence is not installed on this server');
  return p;
}

export function installPersistence(server: Server): RdbPersistence {
  const persistence = new RdbPersistence(server);
  installed.set(server, persistence);
  server.info.section('persistence', persistenceSection(server, persistence));
  server.cron.every(SAVE_CHECK_PERIOD_MS, () => persistence.cron());
  server.replication.setSnapshotProvider(createSnapshotProvider(server, persistence));
  addCommandGate({
    check(c: Client, cmd: Command): string | null {
      if (persistence.loading !== null && deniedWhileLoading(c, cmd)) return err.loading;
      if (!persistence.isLastBgsaveOk && deniedOnDiskError(c, cmd)) return MISCONF_ERROR;
      return null;
    },
  });
  return persistence;
}

/** The commands EXEC would run: Redis judges EXEC by their flags (mstate.cmd_flags). */
function queuedCommands(c: Client): Command[] {
  const out: Command[] = [];
  if (c.multiQueue === null) return out;
  for (const q of c.multiQueue) {
    const cmd = lookupCommand(q.argv[0]);
    if (cmd !== undefined) out.push(cmd);
  }
  return out;
}

function deniedWhileLoading(c: Client, cmd: Command): boolean {
  if ((cmd.flags & F.loading) === 0) return true;
  return cmd.name === 'exec' && queuedCommands(c).some((q) => (q.flags & F.loading) === 0);
}

function deniedOnDiskError(c: Client, cmd: Command): boolean {
  const config = c.server.config;
  if (!config.get(D.stopWritesOnBgsaveError) || config.get(D.save).length === 0) return false;
  if ((c.flags & ClientFlag.Master) !== 0) return false;
  if (cmd.name === 'ping' || (cmd.flags & F.write) !== 0) return true;
  return cmd.name === 'exec' && queuedCommands(c).some((q) => (q.flags & F.write) !== 0);
}

/** Redis 7.0's INFO persistence fields, in its order; loading_* only while loading. */
function persistenceSection(server: Server, p: RdbPersistence): SectionProvider {
  return () => {
    const snapshot = p.currentSnapshot;
    const nowMs = Date.now();
    const fields: [string, string | number][] = [
      ['loading', p.loading !== null ? 1 : 0],
      ['async_loading', 0],
      ['current_cow_peak', snapshot !== null ? snapshot.cowBytes : 0],
      ['current_cow_size', snapshot !== null ? snapshot.cowBytes : 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', snapshot !== null && snapshot.keysTotal > 0 ? ((snapshot.keysWritten * 100) / snapshot.keysTotal).toFixed(2) : '0.00'],
      ['current_save_keys_processed', snapshot !== null ? snapshot.keysWritten : 0],
      ['current_save_keys_total', snapshot !== null ? snapshot.keysTotal : 0],
      ['rdb_changes_since_last_save', server.dirty],
      ['rdb_bgsave_in_progress', snapshot !== null ? 1 : 0],
      ['rdb_last_save_time', p.lastSaveSec],
      ['rdb_last_bgsave_status', p.isLastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', p.lastBgsaveDurationSec],
      ['rdb_current_bgsave_time_sec', snapshot !== null ? Math.floor((nowMs - p.currentBgsaveStartedAtMs) / 1000) : -1],
      ['rdb_saves', p.saves],
      ['rdb_last_cow_size', p.lastCowBytes],
      ['rdb_last_load_keys_expired', p.lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', p.lastLoadKeysLoaded],
      ['aof_enabled', 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_rewrite_time_sec', -1],
      ['aof_current_rewrite_time_sec', -1],
      ['aof_last_bgrewrite_status', 'ok'],
      ['aof_rewrites', 0],
      ['aof_rewrites_consecutive_failures', 0],
      ['aof_last_write_status', 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    const loading = p.loading;
    if (loading !== null) {
      const elapsedSec = Math.floor(nowMs / 1000) - loading.startedAtSec;
      const perc = loading.totalBytes === 0 ? 100 : (loading.loadedBytes * 100) / loading.totalBytes;
      const rate = elapsedSec > 0 ? loading.loadedBytes / elapsedSec : 0;
      const eta = rate > 0 ? Math.floor((loading.totalBytes - loading.loadedBytes) / rate) : 1;
      fields.push(
        ['loading_start_time', loading.startedAtSec],
        ['loading_total_bytes', loading.totalBytes],
        ['loading_rdb_used_mem', loading.rdbUsedMem],
        ['loading_loaded_bytes', loading.loadedBytes],
        ['loading_loaded_perc', perc.toFixed(2)],
        ['loading_eta_seconds', eta],
      );
    }
    return fields;
  };
}
