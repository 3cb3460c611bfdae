/**
 * rdb-bench: RDB persistence measured against Debian's redis-server on the
 * same data.
 *
 *   npm run build && npx ts-node --transpile-only scripts/bench/rdb-bench.ts
 *
 * For each dataset (1M keys by default):
 *   1. a reference redis-server builds it (DEBUG POPULATE for "strings";
 *      a Lua loop for "mixed": 60% strings, 10% each lists, hashes, sets,
 *      sorted sets of 5 elements, 10% of keys with a TTL) and SAVEs it;
 *   2. SAVE time: the SAVE command's round trip, on Redis and on ours,
 *      both holding that dataset (ours loaded it from Redis's dump);
 *   3. load time: "DB loaded from disk: X seconds" from each server's log,
 *      both starting on the same dump.rdb;
 *   4. worst PING latency during BGSAVE: a second client sends PING after
 *      PING (one in flight) for the whole BGSAVE and records each round
 *      trip, on ours (incremental snapshot) and on Redis (fork), for
 *      reference.
 * Medians over ROUNDS for times; the worst over all rounds for latency.
 * Prints a table and writes bench-results/rdb-<date>.json.
 *
 * Knobs: RDB_BENCH_KEYS=1000000  RDB_BENCH_ROUNDS=3
 *        RDB_BENCH_DATASETS="strings mixed"  RDB_BENCH_REDIS=redis-server
 *        RDB_BENCH_NICE=-10   run both servers and the PING client at this
 *                             scheduling priority (root only), so other
 *                             tenants of a shared machine disturb the
 *                             latency figures less; same for both servers.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, setPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';

const ROOT = resolve(__dirname, '..', '..');
const KEYS = Number(process.env.RDB_BENCH_KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.RDB_BENCH_ROUNDS ?? 3);
const DATASETS = (process.env.RDB_BENCH_DATASETS ?? 'strings mixed').split(/\s+/).filter((d) => d !== '');
const REDIS = process.env.RDB_BENCH_REDIS ?? 'redis-server';
const NICE = process.env.RDB_BENCH_NICE === undefined ? null : Number(process.env.RDB_BENCH_NICE);
if (NICE !== null) setPriority(NICE);

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
    s.once('error', rej);
  });
}

interface Proc {
  port: number;
  proc: ChildProcess;
  log: () => string;
  client: () => Redis;
  stop: () => Promise<void>;
}

/** Starts a server and resolves once `ready` appears in its output. */
async function launch(kind: 'redis' | 'ours', dir: string, extra: string[] = []): Promise<Proc> {
  const port = await freePort();
  const args =
    kind === 'redis'
      ? [REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes', ...extra]]
      : [process.execPath, [join(ROOT, 'bin', 'keydb-ts-server'), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...extra]];
  const proc = spawn(args[0] as string, args[1] as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  if (NICE !== null && proc.pid !== undefined) setPriority(proc.pid, NICE);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((res, rej) => {
    const timer = setInterval(() => {
      if (out.includes('Ready to accept connections')) {
        clearInterval(timer);
        res();
      }
    }, 10);
    proc.once('exit', (code) => {
      clearInterval(timer);
      rej(new Error(`${kind} exited with ${code}:\n${out}`));
    });
  });
  const clients: Redis[] = [];
  return {
    port,
    proc,
    log: () => out,
    client: () => {
      const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, enableReadyCheck: false });
      clients.push(r);
      return r;
    },
    stop: async () => {
      for (const c of clients) c.disconnect();
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      children.delete(proc);
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function loadSeconds(log: string): number {
  const m = /DB loaded from disk: ([\d.]+) seconds/.exec(log);
  if (m === null) throw new Error(`no load time in log:\n${log.slice(-2000)}`);
  return Number(m[1]);
}

/** Builds the dataset in Redis with server-side loops (fast, no client round trips). */
async function populate(r: Redis, dataset: string): Promise<void> {
  if (dataset === 'strings') {
    await r.call('DEBUG', 'POPULATE', String(KEYS), 'key', '32');
    return;
  }
  const script = `
    local n = tonumber(ARGV[1])
    for i = 0, n - 1 do
      local k = 'key:' .. i
      local kind = i % 10
      if kind < 6 then
        redis.call('SET', k, 'value:' .. i .. ':' .. string.rep(string.char(97 + i % 26), 24))
      elseif kind == 6 then
        redis.call('RPUSH', k, 'a' .. i, 'b', 'c', i, 'e')
      elseif kind == 7 then
        redis.call('HSET', k, 'f1', i, 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5')
      elseif kind == 8 then
        redis.call('SADD', k, i, i + 1, i + 2, 'x', 'y')
      else
        redis.call('ZADD', k, 1, 'a', 2, 'b', 3.5, 'c', i, 'd', -1, 'e')
      end
      if i % 10 == 3 then redis.call('PEXPIREAT', k, 4102444800000 + i) end
    end
    return n`;
  await r.eval(script, 0, String(KEYS));
}

async function timeSave(r: Redis): Promise<number> {
  const t0 = performance.now();
  const reply = await r.call('SAVE');
  if (reply !== 'OK') throw new Error(`SAVE replied ${String(reply)}`);
  return (performance.now() - t0) / 1000;
}

interface PingStats {
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  pings: number;
  bgsaveSec: number;
}

/** PINGs back to back from one client during a BGSAVE; another client polls INFO for the end. */
async function pingDuringBgsave(p: Proc): Promise<PingStats> {
  const control = p.client();
  const pinger = p.client();
  for (let i = 0; i < 50; i++) await pinger.ping(); // warm up the connection
  const samples: number[] = [];
  let isDone = false;
  const t0 = performance.now();
  const reply = await control.call('BGSAVE');
  if (reply !== 'Background saving started') throw new Error(`BGSAVE replied ${String(reply)}`);
  const pinging = (async () => {
    while (!isDone) {
      const s = performance.now();
      await pinger.ping();
      samples.push(performance.now() - s);
    }
  })();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const info = await control.info('persistence');
    if (info.includes('rdb_bgsave_in_progress:0')) break;
  }
  const bgsaveSec = (performance.now() - t0) / 1000;
  isDone = true;
  await pinging;
  const info = await control.info('persistence');
  if (!info.includes('rdb_last_bgsave_status:ok')) throw new Error('BGSAVE failed');
  const sorted = samples.sort((a, b) => a - b);
  return {
    maxMs: sorted[sorted.length - 1],
    p99Ms: sorted[Math.floor(sorted.length * 0.99)],
    p50Ms: sorted[Math.floor(sorted.length * 0.5)],
    pings: sorted.length,
    bgsaveSec,
  };
}

function worst(stats: PingStats[]): PingStats {
  return stats.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
}

const fmt = (x: number, digits = 3): string => x.toFixed(digits);

async function benchDataset(dataset: string): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), `rdb-bench-${dataset}-`));
  const redisDir = join(work, 'redis');
  const oursDir = join(work, 'ours');
  mkdirSync(redisDir);
  mkdirSync(oursDir);
  process.stderr.write(`[${dataset}] building ${KEYS} keys in redis-server...\n`);
  let redis = await launch('redis', redisDir);
  await populate(redis.client(), dataset);
  const redisSave: number[] = [];
  for (let i = 0; i < ROUNDS; i++) redisSave.push(await timeSave(redis.client()));
  const redisPing: PingStats[] = [];
  for (let i = 0; i < ROUNDS; i++) redisPing.push(await pingDuringBgsave(redis));
  await redis.stop();
  const dump = join(redisDir, 'dump.rdb');
  copyFileSync(dump, join(oursDir, 'dump.rdb'));
  const redisFileBytes = statSync(dump).size;

  process.stderr.write(`[${dataset}] load times...\n`);
  const redisLoad: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    redis = await launch('redis', redisDir);
    redisLoad.push(loadSeconds(redis.log()));
    await redis.stop();
  }
  const oursLoad: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ours = await launch('ours', oursDir);
    oursLoad.push(loadSeconds(ours.log()));
    await ours.stop();
  }

  process.stderr.write(`[${dataset}] SAVE and BGSAVE on ours...\n`);
  const ours = await launch('ours', oursDir);
  const dbsize = await ours.client().dbsize();
  if (dbsize !== KEYS) throw new Error(`ours holds ${dbsize} keys, expected ${KEYS}`);
  const oursSave: number[] = [];
  for (let i = 0; i < ROUNDS; i++) oursSave.push(await timeSave(ours.client()));
  const oursFileBytes = statSync(join(oursDir, 'dump.rdb')).size;
  const oursPing: PingStats[] = [];
  for (let i = 0; i < ROUNDS; i++) oursPing.push(await pingDuringBgsave(ours));
  await ours.stop();
  rmSync(work, { recursive: true, force: true });

  const result = {
    dataset,
    keys: KEYS,
    rounds: ROUNDS,
    save_sec: { redis: median(redisSave), ours: median(oursSave), ratio: median(oursSave) / median(redisSave) },
    load_sec: { redis: median(redisLoad), ours: median(oursLoad), ratio: median(oursLoad) / median(redisLoad) },
    file_bytes: { redis: redisFileBytes, ours: oursFileBytes },
    bgsave_ping_ms: { ours: worst(oursPing), redis: worst(redisPing), ours_worst_per_round: oursPing.map((p) => p.maxMs), redis_worst_per_round: redisPing.map((p) => p.maxMs) },
    raw: { redisSave, oursSave, redisLoad, oursLoad },
  };
  const o = result.bgsave_ping_ms.ours;
  const r = result.bgsave_ping_ms.redis;
  console.log(`\n## ${dataset}: ${KEYS} keys, median of ${ROUNDS} (load average ${loadavg()[0].toFixed(1)} at the end)`);
  console.log(`                       redis      ours     ratio`);
  console.log(`SAVE (s)           ${fmt(result.save_sec.redis).padStart(8)}  ${fmt(result.save_sec.ours).padStart(8)}  ${fmt(result.save_sec.ratio, 2).padStart(8)}`);
  console.log(`load at start (s)  ${fmt(result.load_sec.redis).padStart(8)}  ${fmt(result.load_sec.ours).padStart(8)}  ${fmt(result.load_sec.ratio, 2).padStart(8)}`);
  console.log(`dump size (MB)     ${fmt(redisFileBytes / 1e6, 1).padStart(8)}  ${fmt(oursFileBytes / 1e6, 1).padStart(8)}`);
  console.log(`BGSAVE (s)         ${fmt(r.bgsaveSec).padStart(8)}  ${fmt(o.bgsaveSec).padStart(8)}`);
  console.log(`PING during BGSAVE (ms): ours worst ${fmt(o.maxMs, 2)} p99 ${fmt(o.p99Ms, 2)} p50 ${fmt(o.p50Ms, 2)} (${o.pings} pings); redis worst ${fmt(r.maxMs, 2)} p99 ${fmt(r.p99Ms, 2)} p50 ${fmt(r.p50Ms, 2)} (${r.pings} pings)`);
  console.log(`  worst per round: ours ${oursPing.map((p) => fmt(p.maxMs, 1)).join(' ')}; redis ${redisPing.map((p) => fmt(p.maxMs, 1)).join(' ')}`);
  return result;
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const d of DATASETS) results.push(await benchDataset(d));
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = join(ROOT, 'bench-results', `rdb-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, nice: NICE, results }, null, 2));
  console.log(`\nwritten ${file}`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
