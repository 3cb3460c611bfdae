/**
 * INFO: sections in Redis's order with Redis's field names. Core sections
 * live here; other rooms (replication, persistence) add or replace theirs
 * with `section`, so each field is produced by the room that owns it.
 */
import { cpuUsage, memoryUsage } from 'node:process';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { D } from '../config/directives';
import { COMMANDS } from '../commands/table';
import type { Command } from '../commands/command';
import { clientMemory } from './client-info';
import type { Server } from './server';
import { ClientFlag } from './client';
import type { ShardedMap } from '../store/sharded-map';

export type SectionProvider = () => [string, string | number][];

/** Every section in the order Redis 7.0 prints them (genRedisInfoString), whatever the request order. */
const SECTION_ORDER = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];
/** Sections INFO prints without arguments ("default"). */
const DEFAULT_SECTIONS = SECTION_ORDER.filter((n) => n !== 'commandstats' && n !== 'latencystats');
/** Titles that are not the name with a capital first letter. */
const TITLES: Record<string, string> = { cpu: 'CPU' };

export function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

/** Bytes the dataset and server hold (Redis's used_memory): V8 heap plus off-heap buffers. */
export function usedMemory(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

export class InfoRegistry {
  private readonly sections = new Map<string, SectionProvider>();
  peakMemory = 0;

  constructor(private readonly server: Server) {
    this.section('server', () => this.serverSection());
    this.section('clients', () => this.clientsSection());
    this.section('memory', () => this.memorySection());
    this.section('persistence', () => [
      ['loading', 0],
      ['async_loading', 0],
      ['rdb_changes_since_last_save', server.dirty],
      ['rdb_bgsave_in_progress', 0],
      ['aof_enabled', 0],
      ['aof_rewrite_in_progress', 0],
    ]);
    this.section('stats', () => this.statsSection());
    this.section('cpu', () => {
      const u = cpuUsage();
      return [
        ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
        ['used_cpu_user', (u.user / 1e6).toFixed(6)],
        ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'],
        ['used_cpu_sys_main_thread', (u.system / 1e6).toFixed(6)],
        ['used_cpu_user_main_thread', (u.user / 1e6).toFixed(6)],
      ];
    });
    this.section('modules', () => []);
    this.section('errorstats', () => [...server.stats.errorCounts].map(([code, n]) => [`errorstat_${code}`, `count=${n}`]));
    this.section('cluster', () => [['cluster_enabled', 0]]);
    this.section('keyspace', () => this.keyspaceSection());
    this.section('commandstats', () => this.commandStats());
    this.section('latencystats', () => []);
  }

  /** Adds or replaces a section. */
  section(name: string, provider: SectionProvider): void {
    this.sections.set(name, provider);
  }

  /** INFO [section ...]: "default", "all", "everything" or section names. */
  render(requested: readonly string[]): string {
    const wanted = new Set<string>(requested.length === 0 ? DEFAULT_SECTIONS : []);
    for (const r of requested) {
      if (r === 'all' || r === 'everything') for (const n of SECTION_ORDER) wanted.add(n);
      else if (r === 'default') for (const n of DEFAULT_SECTIONS) wanted.add(n);
      else wanted.add(r);
    }
    // Redis's order first, then sections other rooms added, in the order they were added.
    const names = SECTION_ORDER.filter((n) => wanted.has(n));
    for (const n of this.sections.keys()) if (wanted.has(n) && !names.includes(n)) names.push(n);
    const parts: string[] = [];
    for (const name of names) {
      const provider = this.sections.get(name);
      if (provider === undefined) continue;
      let text = `# ${TITLES[name] ?? name[0].toUpperCase() + name.slice(1)}\r\n`;
      for (const [k, v] of provider()) text += `${k}:${v}\r\n`;
      parts.push(text);
    }
    return parts.join('\r\n');
  }

  private serverSection(): [string, string | number][] {
    const s = this.server;
    const uptime = Math.floor((Date.now() - s.startedAtMs) / 1000);
    return [
      ['redis_version', '7.0.15'],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', 'standalone'],
      ['os', `${process.platform} ${process.arch}`],
      ['arch_bits', 64],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', 'epoll'],
      ['atomicvar_api', 'node'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', s.runId],
      ['tcp_port', s.boundPort],
      ['server_time_usec', Date.now() * 1000],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', s.config.get(D.hz)],
      ['configured_hz', s.config.get(D.hz)],
      ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
      ['executable', process.argv[1] ?? ''],
      ['config_file', s.config.configFile ?? ''],
      ['io_threads_active', 0],
      ['server_name', 'keydb-ts-server'],
      ['node_version', process.version],
    ];
  }

  private clientsSection(): [string, string | number][] {
    const s = this.server;
    let blocked = 0;
    let maxIn = 0;
    let maxOut = 0;
    for (const c of s.clients.values()) {
      if (c.hasFlag(ClientFlag.Blocked)) blocked++;
      if (c.parser.bufferedBytes > maxIn) maxIn = c.parser.bufferedBytes;
      if (c.outputBytes > maxOut) maxOut = c.outputBytes;
    }
    return [
      ['connected_clients', s.clients.size],
      ['cluster_connections', 0],
      ['maxclients', s.limits.maxclients],
      ['client_recent_max_input_buffer', maxIn],
      ['client_recent_max_output_buffer', maxOut],
      ['blocked_clients', blocked],
      ['tracking_clients', 0],
      ['clients_in_timeout_table', 0],
    ];
  }

  private memorySection(): [string, string | number][] {
    const used = usedMemory();
    if (used > this.peakMemory) this.peakMemory = used;
    const rss = memoryUsage.rss();
    const maxmemory = this.server.config.get(D.maxmemory);
    let normal = 0;
    let replicas = 0;
    for (const c of this.server.clients.values()) {
      const m = clientMemory(c).total;
      if (c.clientClass === 'replica') replicas += m;
      else normal += m;
    }
    const total = totalmem();
    return [
      ['used_memory', used],
      ['used_memory_human', humanBytes(used)],
      ['used_memory_rss', rss],
      ['used_memory_rss_human', humanBytes(rss)],
      ['used_memory_peak', this.peakMemory],
      ['used_memory_peak_human', humanBytes(this.peakMemory)],
      ['used_memory_peak_perc', `${((used * 100) / this.peakMemory).toFixed(2)}%`],
      ['total_system_memory', total],
      ['total_system_memory_human', humanBytes(total)],
      ['maxmemory', maxmemory],
      ['maxmemory_human', humanBytes(maxmemory)],
      ['maxmemory_policy', this.server.config.get(D.maxmemoryPolicy)],
      ['mem_fragmentation_ratio', (rss / used).toFixed(2)],
      ['mem_allocator', 'v8'],
      ['lazyfree_pending_objects', 0],
      ['mem_clients_slaves', replicas],
      ['mem_clients_normal', normal],
    ];
  }

  private statsSection(): [string, string | number][] {
    const s = this.server;
    const st = s.stats;
    return [
      ['total_connections_received', st.totalConnectionsReceived],
      ['total_commands_processed', st.totalCommandsProcessed],
      ['instantaneous_ops_per_sec', s.cron.instantaneousOpsPerSec],
      ['total_net_input_bytes', st.totalNetInputBytes],
      ['total_net_output_bytes', st.totalNetOutputBytes],
      ['instantaneous_input_kbps', s.cron.instantaneousInputKbps],
      ['instantaneous_output_kbps', s.cron.instantaneousOutputKbps],
      ['rejected_connections', st.rejectedConnections],
      ['sync_full', s.replication.primary.syncFull],
      ['sync_partial_ok', s.replication.primary.syncPartialOk],
      ['sync_partial_err', s.replication.primary.syncPartialErr],
      ['expired_keys', s.keyspace.expiredKeys],
      ['evicted_keys', st.evictedKeys],
      ['keyspace_hits', st.keyspaceHits],
      ['keyspace_misses', st.keyspaceMisses],
      ['pubsub_channels', s.pubsub.channels.size],
      ['pubsub_patterns', s.pubsub.patterns.size],
      ['latest_fork_usec', 0],
      ['total_forks', 0],
      ['total_error_replies', st.totalErrorReplies],
      ['eventloop_max_delay_ms', s.latency.maxLoopDelayMs],
      ['client_query_buffer_limit_disconnections', st.clientQueryBufferLimitDisconnections],
      ['client_output_buffer_limit_disconnections', st.clientOutputBufferLimitDisconnections],
    ];
  }

  private keyspaceSection(): [string, string | number][] {
    const out: [string, string | number][] = [];
    for (const db of this.server.keyspace.dbs) {
      if (db.size === 0) continue;
      out.push([`db${db.id}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${averageTtl(db.expires)}`]);
    }
    return out;
  }

  private commandStats(): [string, string | number][] {
    const out: [string, string | number][] = [];
    const visit = (cmd: Command): void => {
      if (cmd.calls > 0 || cmd.rejectedCalls > 0) {
        const name = cmd.fullName;
        const perCall = cmd.calls > 0 ? (cmd.usec / cmd.calls).toFixed(2) : '0.00';
        out.push([`cmdstat_${name}`, `calls=${cmd.calls},usec=${cmd.usec},usec_per_call=${perCall},rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`]);
      }
      if (cmd.subcommands) for (const sub of cmd.subcommands.values()) visit(sub);
    };
    for (const cmd of COMMANDS) visit(cmd);
    return out;
  }
}

/** Average TTL over a sample of the db's volatile keys (Redis estimates it too). */
function averageTtl(expires: ShardedMap<number>): number {
  if (expires.size === 0) return 0;
  const now = Date.now();
  let sum = 0;
  let n = 0;
  for (const when of expires.values()) {
    sum += Math.max(0, when - now);
    if (++n >= 64) break;
  }
  return Math.round(sum / n);
}

/** CONFIG RESETSTAT: the counters INFO reports. */
export function resetCommandStats(): void {
  const visit = (cmd: Command): void => {
    cmd.calls = 0;
    cmd.usec = 0;
    cmd.rejectedCalls = 0;
    cmd.failedCalls = 0;
    if (cmd.subcommands) for (const sub of cmd.subcommands.values()) visit(sub);
  };
  for (const cmd of COMMANDS) visit(cmd);
}
