/**
 * maxmemory (Redis's evict.c): per-key access tracking for the LRU/LFU
 * policies, the memory estimate checked before each command, and eviction
 * by sampling into a pool of best candidates.
 *
 * Access tracking. A Db carries an AccessTracker only while the policy is
 * *-lru or *-lfu (OBJECT IDLETIME/FREQ read it too); otherwise `db.access`
 * is null and the default noeviction costs one null check per lookup and no
 * memory per key. The tracker keeps key → small integer: under LRU the
 * clock in LRU_UNIT_MS units since start, under LFU Redis's packed
 * minutes|counter (lfu.ts). Both stay Smis, so an access allocates nothing.
 * A key without an entry (loaded from RDB, or older than the policy) counts
 * as last touched when tracking began. The clock is refreshed by the cron,
 * as Redis's server.lruclock is.
 *
 * Memory estimate. v8.getHeapStatistics (what INFO used_memory reports)
 * costs about 1 µs, too much per write, so it is measured at most every
 * MEASURE_EVERY_WRITES denyoom commands and every cron tick; in between each
 * denyoom command adds its request size plus ENTRY_OVERHEAD_BYTES. Memory of
 * evicted keys stays in V8's heap until a major GC reclaims it, so their
 * estimated bytes are subtracted until then. A major GC reclaims only what
 * was unreachable when its marking began (V8 marks concurrently, up to
 * MARKING_WINDOW_MS before the GC is reported), so a GC report drops only
 * the bytes evicted before that window: dropping everything made the
 * estimate jump and, under load, eviction emptied whole dbs.
 *
 * Eviction (performEvictions). Runs in the command gate before any command
 * while over maxmemory, and stops after the eviction-tenacity time budget;
 * if still over it continues in setImmediate slices (Redis's
 * evictionTimeProc) so the loop never stalls. Commands flagged denyoom are
 * refused with Redis's OOM error only when nothing could be evicted.
 * Every evicted key goes through the write funnel: DEL propagated, dirty
 * bumped, `evicted` notification, evicted_keys counted.
 */
import { constants as perfConstants, PerformanceObserver, performance } from 'node:perf_hooks';
import { D } from '../config/directives';
import { F, type Command } from '../commands/command';
import { addCommandGate, type CommandGate } from '../commands/dispatch';
import { lookupCommand } from '../commands/table';
import { NotifyClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { err } from '../protocol/shared';
import { ClientFlag, type Client } from '../server/client';
import { usedMemory } from '../server/info';
import type { Server } from '../server/server';
import type { Db } from './db';
import { LFU_INIT_VAL, lfuDecrAndReturn, lfuLogIncr, lfuMinutesNow, lfuPack } from './lfu';
import type { RedisValue } from './value';
import { ShardedMap } from './sharded-map';

/** LRU clock resolution: finer than Redis's 1 s, coarse enough to stay a Smi for years. */
const LRU_UNIT_MS = 100;
/** Redis's EVPOOL_SIZE. */
const EVPOOL_SIZE = 16;
/** How long before a major GC is reported its marking may have begun. */
const MARKING_WINDOW_MS = 250;
/** Evicted bytes are grouped by this much eviction time. */
const FREED_BUCKET_MS = 100;
/** Re-measure the heap after this many denyoom commands at most. */
const MEASURE_EVERY_WRITES = 64;
/** Map entry, key string header and value header a new key costs beyond its bytes (estimate). */
const ENTRY_OVERHEAD_BYTES = 96;
/** Rough bytes per collection element, for the freed-memory estimate of an evicted key. */
const ELEMENT_BYTES = 64;
/** Keys evicted between clock reads (Redis checks its time limit every 16 keys). */
const KEYS_PER_TIME_CHECK = 16;
/** Up to this many extra round-robin hops per sample, to spread samples over the dict. */
const SAMPLE_JUMPS = 16;
/** Sampling rounds after which a pool that keeps finding only ghosts gives up. */
const MAX_POOL_ROUNDS = 64;

const DEL = 'DEL';

const enum Policy {
  NoEviction,
  AllkeysLru,
  VolatileLru,
  AllkeysLfu,
  VolatileLfu,
  AllkeysRandom,
  VolatileRandom,
  VolatileTtl,
}

const POLICIES: Record<string, Policy> = {
  noeviction: Policy.NoEviction,
  'allkeys-lru': Policy.AllkeysLru,
  'volatile-lru': Policy.VolatileLru,
  'allkeys-lfu': Policy.AllkeysLfu,
  'volatile-lfu': Policy.VolatileLfu,
  'allkeys-random': Policy.AllkeysRandom,
  'volatile-random': Policy.VolatileRandom,
  'volatile-ttl': Policy.VolatileTtl,
};

const enum EvictResult {
  /** Under the limit (or not allowed to evict here). */
  Ok,
  /** Time budget spent while still over; the rest continues in the background. */
  Running,
  /** Over the limit and nothing more can be evicted. */
  Fail,
}

/** Commands that run on OOM inside MULTI (Redis rejects every other one there). */
const MULTI_OOM_EXEMPT = new Set(['exec', 'discard', 'quit', 'reset']);

/** The clocks every tracker reads; refreshed by the cron (Redis's server.lruclock). */
class AccessClock {
  isLfu = false;
  lruNow = lruUnitsNow(Date.now());
  lfuMinutes = lfuMinutesNow(Date.now());
  lfuLogFactor = 10;
  lfuDecayMinutes = 1;

  refresh(nowMs: number): void {
    this.lruNow = lruUnitsNow(nowMs);
    this.lfuMinutes = lfuMinutesNow(nowMs);
  }
}

const CLOCK_EPOCH_MS = Date.now();

function lruUnitsNow(nowMs: number): number {
  return Math.floor((nowMs - CLOCK_EPOCH_MS) / LRU_UNIT_MS);
}

/** One db's per-key LRU time or LFU counter (see the header). */
export class AccessTracker {
  meta = new ShardedMap<number>();
  /** What a key without an entry counts as: its access when tracking began. */
  readonly defaultValue: number;

  constructor(private readonly clock: AccessClock) {
    this.defaultValue = clock.isLfu ? lfuPack(clock.lfuMinutes, LFU_INIT_VAL) : clock.lruNow;
  }

  /** A read or write of the key (Redis's updateLFU / LRU_CLOCK in lookupKey). */
  touch(key: string): void {
    const clock = this.clock;
    if (!clock.isLfu) {
      this.meta.set(key, clock.lruNow);
      return;
    }
    const counter = lfuDecrAndReturn(this.meta.get(key) ?? this.defaultValue, clock.lfuMinutes, clock.lfuDecayMinutes);
    this.meta.set(key, lfuPack(clock.lfuMinutes, lfuLogIncr(counter, clock.lfuLogFactor)));
  }

  /** A value stored: a new key starts at LFU_INIT_VAL; an overwrite keeps its counter (dbSetValue). */
  stored(key: string): void {
    const clock = this.clock;
    if (!clock.isLfu) this.meta.set(key, clock.lruNow);
    else if (!this.meta.has(key)) this.meta.set(key, lfuPack(clock.lfuMinutes, LFU_INIT_VAL));
  }

  /** FLUSHDB: fresh map, O(1) (the old one goes to the collector). */
  reset(): void {
    this.meta = new ShardedMap();
  }

  /** Seconds since the last access (OBJECT IDLETIME), read without touching. */
  idleSeconds(key: string): number {
    const units = lruUnitsNow(Date.now()) - (this.meta.get(key) ?? this.defaultValue);
    return units <= 0 ? 0 : Math.floor((units * LRU_UNIT_MS) / 1000);
  }

  /** The decayed LFU counter (OBJECT FREQ), read without touching. */
  frequency(key: string): number {
    const clock = this.clock;
    return lfuDecrAndReturn(this.meta.get(key) ?? this.defaultValue, lfuMinutesNow(Date.now()), clock.lfuDecayMinutes);
  }

  /** Redis's eviction score: higher is a better candidate. */
  idleScore(key: string): number {
    const clock = this.clock;
    const v = this.meta.get(key) ?? this.defaultValue;
    if (clock.isLfu) return 255 - lfuDecrAndReturn(v, clock.lfuMinutes, clock.lfuDecayMinutes);
    return clock.lruNow - v;
  }
}

/** The key's tracker entry before a lookup, for OBJECT, which must not count as an access. */
export function peekAccess(db: Db, key: string): number | undefined {
  return db.access === null ? undefined : db.access.meta.get(key);
}

/** Undoes the touch of a lookup (Redis's LOOKUP_NOTOUCH) given what peekAccess returned. */
export function restoreAccess(db: Db, key: string, before: number | undefined): void {
  const t = db.access;
  if (t === null) return;
  if (before === undefined) t.meta.delete(key);
  else t.meta.set(key, before);
}

/** Bytes an evicted key is assumed to give back (the heap only shows it after a major GC). */
function estimateEntryBytes(key: string, v: RedisValue): number {
  const valueBytes = typeof v === 'string' ? v.length : v.size * ELEMENT_BYTES;
  return key.length + valueBytes + ENTRY_OVERHEAD_BYTES;
}

/** Redis's evictionTimeLimitUs: 500 µs at the default tenacity 10, unlimited at 100. */
function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * Math.pow(1.15, tenacity - 10)) / 1000;
  return Infinity;
}

export class Eviction implements CommandGate {
  private maxmemoryBytes: number;
  private policy = Policy.NoEviction;
  private samples: number;
  private timeLimitMs: number;
  private isReplicaIgnoring: boolean;
  private readonly clock = new AccessClock();

  private measuredBytes = 0;
  private growthSinceMeasureBytes = 0;
  private writesSinceMeasure = 0;
  /** Estimated bytes of evicted keys the heap still holds: the sum of freedByTime's [ms, bytes, ms, bytes...] buckets. */
  private freedUnreclaimedBytes = 0;
  private freedByTime: number[] = [];
  private gcObserver: PerformanceObserver | null = null;
  private isProcScheduled = false;

  /** The pool, best candidate last: parallel arrays, so populating allocates nothing. */
  private readonly poolKeys: (string | null)[] = new Array<string | null>(EVPOOL_SIZE).fill(null);
  private readonly poolScores: number[] = new Array<number>(EVPOOL_SIZE).fill(0);
  private readonly poolDbs: number[] = new Array<number>(EVPOOL_SIZE).fill(0);
  /** Where the random policies look next (Redis's static next_db). */
  private nextDb = 0;
  /** Result slot of findBestKey. */
  private bestDb: Db | null = null;

  constructor(private readonly server: Server) {
    const config = server.config;
    this.maxmemoryBytes = config.get(D.maxmemory);
    this.samples = config.get(D.maxmemorySamples);
    this.timeLimitMs = evictionTimeLimitMs(config.get(D.maxmemoryEvictionTenacity));
    this.isReplicaIgnoring = config.get(D.replicaIgnoreMaxmemory);
    this.clock.lfuLogFactor = config.get(D.lfuLogFactor);
    this.clock.lfuDecayMinutes = config.get(D.lfuDecayTime);
    this.applyPolicy(config.get(D.maxmemoryPolicy));
    config.onChange(D.maxmemory, (v) => {
      this.maxmemoryBytes = v;
      this.updateGcObserver();
      // Redis evicts right away when the limit is lowered (CONFIG SET maxmemory).
      this.scheduleProc();
    });
    config.onChange(D.maxmemoryPolicy, (v) => this.applyPolicy(v));
    config.onChange(D.maxmemorySamples, (v) => (this.samples = v));
    config.onChange(D.maxmemoryEvictionTenacity, (v) => (this.timeLimitMs = evictionTimeLimitMs(v)));
    config.onChange(D.replicaIgnoreMaxmemory, (v) => (this.isReplicaIgnoring = v));
    config.onChange(D.lfuLogFactor, (v) => (this.clock.lfuLogFactor = v));
    config.onChange(D.lfuDecayTime, (v) => (this.clock.lfuDecayMinutes = v));
    this.updateGcObserver();
    server.cron.every(0, () => this.cronTick());
    addCommandGate(this);
  }

  /** processCommand's maxmemory block: evict first, refuse denyoom commands only when that failed. */
  check(c: Client, cmd: Command): string | null {
    if (this.maxmemoryBytes === 0 || (c.flags & ClientFlag.Master) !== 0) return null;
    if ((cmd.flags & F.denyoom) !== 0) {
      this.growthSinceMeasureBytes += c.parser.lastFrameBytes + ENTRY_OVERHEAD_BYTES;
      if (++this.writesSinceMeasure >= MEASURE_EVERY_WRITES) this.measure();
    }
    if (this.estimatedUsedBytes() <= this.maxmemoryBytes) return null;
    if (this.performEvictions() !== EvictResult.Fail) return null;
    return this.isRejectedOnOom(c, cmd) ? err.oom : null;
  }

  private isRejectedOnOom(c: Client, cmd: Command): boolean {
    if ((cmd.flags & F.denyoom) !== 0) return true;
    if ((c.flags & ClientFlag.Multi) === 0) return false;
    // Queuing may grow memory without bound: inside MULTI only EXEC/DISCARD pass,
    // and EXEC only when no queued command is denyoom (Redis's mstate.cmd_flags).
    if (!MULTI_OOM_EXEMPT.has(cmd.name)) return true;
    if (cmd.name !== 'exec' || c.multiQueue === null) return false;
    for (const q of c.multiQueue) {
      const queued = lookupCommand(q.argv[0]);
      if (queued !== undefined && (queued.flags & F.denyoom) !== 0) return true;
    }
    return false;
  }

  private estimatedUsedBytes(): number {
    return this.measuredBytes + this.growthSinceMeasureBytes - this.freedUnreclaimedBytes;
  }

  private measure(): void {
    this.measuredBytes = usedMemory();
    this.growthSinceMeasureBytes = 0;
    this.writesSinceMeasure = 0;
  }

  private cronTick(): void {
    this.clock.refresh(Date.now());
    if (this.maxmemoryBytes === 0) return;
    this.measure();
    if (this.estimatedUsedBytes() > this.maxmemoryBytes) this.scheduleProc();
  }

  /** Redis's isSafeToPerformEvictions: a replica leaves eviction to its master by default. */
  private isSafeToEvict(): boolean {
    return !(this.server.keyspace.isReplica && this.isReplicaIgnoring);
  }

  /** Redis's performEvictions: evict until under the limit, within the time budget. */
  private performEvictions(): EvictResult {
    if (!this.isSafeToEvict()) return EvictResult.Ok;
    this.measure();
    const toFreeBytes = this.estimatedUsedBytes() - this.maxmemoryBytes;
    if (toFreeBytes <= 0) return EvictResult.Ok;
    if (this.policy === Policy.NoEviction) return EvictResult.Fail;
    const startMs = performance.now();
    let freedBytes = 0;
    let keysFreed = 0;
    while (freedBytes < toFreeBytes) {
      const key = this.findBestKey();
      const db = this.bestDb;
      if (key === null || db === null) return EvictResult.Fail;
      freedBytes += this.evictKey(db, key);
      keysFreed++;
      if (keysFreed % KEYS_PER_TIME_CHECK === 0 && performance.now() - startMs > this.timeLimitMs) {
        this.scheduleProc();
        return EvictResult.Running;
      }
    }
    return this.isProcScheduled ? EvictResult.Running : EvictResult.Ok;
  }

  /** Redis's evictionTimeProc: keep evicting in slices, one per loop turn, while over. */
  private scheduleProc(): void {
    if (this.isProcScheduled || this.maxmemoryBytes === 0) return;
    this.isProcScheduled = true;
    setImmediate(this.evictionProc);
  }

  private readonly evictionProc = (): void => {
    this.isProcScheduled = false;
    if (this.maxmemoryBytes === 0) return;
    this.performEvictions();
  };

  /** Deletes one key through the write funnel; returns the bytes it is estimated to free. */
  private evictKey(db: Db, key: string): number {
    const v = db.dict.get(key);
    if (v === undefined) return 0;
    const bytes = estimateEntryBytes(key, v);
    const server = this.server;
    db.deleteKey(key);
    server.dirty++;
    server.stats.evictedKeys++;
    server.propagator.propagate(db.id, [DEL, key]);
    notifyKeyspaceEvent(server, NotifyClass.Evicted, 'evicted', key, db.id);
    this.noteFreed(bytes);
    return bytes;
  }

  /** The next key to evict (its db in bestDb), or null when nothing is evictable. */
  private findBestKey(): string | null {
    const policy = this.policy;
    const dbs = this.server.keyspace.dbs;
    const isAllKeys = policy === Policy.AllkeysLru || policy === Policy.AllkeysLfu || policy === Policy.AllkeysRandom;
    if (policy === Policy.AllkeysRandom || policy === Policy.VolatileRandom) {
      for (let i = 0; i < dbs.length; i++) {
        const db = dbs[this.nextDb];
        this.nextDb = (this.nextDb + 1) % dbs.length;
        const key = this.server.keyspace.sampleKey(isAllKeys ? db.dict : db.expires);
        if (key !== undefined) {
          this.bestDb = db;
          return key;
        }
      }
      return null;
    }
    for (let round = 0; round < MAX_POOL_ROUNDS; round++) {
      let total = 0;
      for (let i = 0; i < dbs.length; i++) {
        const db = dbs[i];
        const map = isAllKeys ? db.dict : db.expires;
        if (map.size === 0) continue;
        this.populatePool(db, map);
        total += map.size;
      }
      if (total === 0) return null;
      for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
        const key = this.poolKeys[k];
        if (key === null) continue;
        const db = dbs[this.poolDbs[k]];
        this.poolKeys[k] = null;
        this.poolScores[k] = 0;
        // The pool outlives commands: the key may be gone or, for volatile, persisted.
        if (isAllKeys ? db.dict.has(key) : db.expires.has(key)) {
          this.bestDb = db;
          return key;
        }
      }
    }
    return null;
  }

  /** Redis's evictionPoolPopulate: sample keys, keep the best EVPOOL_SIZE, sorted by score. */
  private populatePool(db: Db, map: ShardedMap<unknown>): void {
    const keys = this.poolKeys;
    const scores = this.poolScores;
    const dbIds = this.poolDbs;
    const tracker = db.access;
    const keyspace = this.server.keyspace;
    for (let s = 0; s < this.samples && s < map.size; s++) {
      // Jump further than sampleKey's own skip: the walk follows insertion order, and
      // neighbours in it have similar ages, which would make the pool local.
      let key = keyspace.sampleKey(map);
      for (let jump = Math.floor(Math.random() * SAMPLE_JUMPS); jump > 0; jump--) key = keyspace.sampleKey(map);
      if (key === undefined) return;
      let score: number;
      if (this.policy === Policy.VolatileTtl) score = Number.MAX_SAFE_INTEGER - (db.expires.get(key) ?? 0);
      else score = tracker === null ? 0 : tracker.idleScore(key);
      if (isInPool(keys, dbIds, key, db.id)) continue;
      let k = 0;
      while (k < EVPOOL_SIZE && keys[k] !== null && scores[k] < score) k++;
      if (k === 0 && keys[EVPOOL_SIZE - 1] !== null) continue; // worse than every candidate of a full pool
      if (k < EVPOOL_SIZE && keys[k] === null) {
        // Free slot at k: insert there.
      } else if (keys[EVPOOL_SIZE - 1] === null) {
        for (let j = EVPOOL_SIZE - 1; j > k; j--) {
          keys[j] = keys[j - 1];
          scores[j] = scores[j - 1];
          dbIds[j] = dbIds[j - 1];
        }
      } else {
        // Full: drop the worst (leftmost) and insert just before position k.
        k--;
        for (let j = 0; j < k; j++) {
          keys[j] = keys[j + 1];
          scores[j] = scores[j + 1];
          dbIds[j] = dbIds[j + 1];
        }
      }
      keys[k] = key;
      scores[k] = score;
      dbIds[k] = db.id;
    }
  }

  /** Trackers exist only under *-lru / *-lfu; a switch between the two starts them afresh. */
  private applyPolicy(name: string): void {
    const policy = POLICIES[name] ?? Policy.NoEviction;
    const wasTracking = this.server.keyspace.dbs[0].access !== null;
    const wasLfu = this.clock.isLfu;
    this.policy = policy;
    const isLfu = policy === Policy.AllkeysLfu || policy === Policy.VolatileLfu;
    const isTracking = isLfu || policy === Policy.AllkeysLru || policy === Policy.VolatileLru;
    this.poolKeys.fill(null);
    if (isTracking === wasTracking && isLfu === wasLfu) return;
    this.clock.isLfu = isLfu;
    this.clock.refresh(Date.now());
    for (const db of this.server.keyspace.dbs) db.access = isTracking ? new AccessTracker(this.clock) : null;
  }

  /** Evicted bytes, grouped by when they were evicted. */
  private noteFreed(bytes: number): void {
    this.freedUnreclaimedBytes += bytes;
    const now = Date.now();
    const list = this.freedByTime;
    const n = list.length;
    if (n > 0 && now - list[n - 2] < FREED_BUCKET_MS) list[n - 1] += bytes;
    else list.push(now, bytes);
  }

  /** A major GC reclaimed what was evicted before its marking could have begun. */
  private majorGcReported(): void {
    const cutoff = Date.now() - MARKING_WINDOW_MS;
    const list = this.freedByTime;
    let i = 0;
    while (i < list.length && list[i] < cutoff) {
      this.freedUnreclaimedBytes -= list[i + 1];
      i += 2;
    }
    if (i > 0) this.freedByTime = list.slice(i);
    if (this.freedByTime.length === 0) this.freedUnreclaimedBytes = 0;
  }

  /** Major GCs return evicted keys' memory; only then stop subtracting it from the measurement. */
  private updateGcObserver(): void {
    if (this.maxmemoryBytes !== 0 && this.gcObserver === null) {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const detail = (e as unknown as { detail?: { kind?: number } | null }).detail;
          if (detail != null && detail.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.majorGcReported();
        }
      });
      this.gcObserver.observe({ entryTypes: ['gc'] });
    } else if (this.maxmemoryBytes === 0 && this.gcObserver !== null) {
      this.gcObserver.disconnect();
      this.gcObserver = null;
      this.freedUnreclaimedBytes = 0;
      this.freedByTime = [];
    }
  }
}

function isInPool(keys: (string | null)[], dbIds: number[], key: string, dbId: number): boolean {
  for (let i = 0; i < EVPOOL_SIZE; i++) if (keys[i] === key && dbIds[i] === dbId) return true;
  return false;
}

/** Called once from the Server constructor. */
export function installEviction(server: Server): Eviction {
  return new Eviction(server);
}
