#!/usr/bin/env node
// Issue 7 measurements (after npm run build; needs Debian's redis-server):
//  1. full-sync time for N keys: ours → a Redis replica vs Redis → a Redis replica
//     (same data, same replica program, so the master side is what differs);
//  2. master RSS during a full sync to 1 vs 5 concurrent replicas;
//  3. worst PING latency seen by a client of the master during a full sync.
// usage: node scripts/bench/fullsync-bench.js [keys=1000000]
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');
const Redis = require('ioredis');

const KEYS = Number(process.argv[2] || 1000000);
const BIN = join(__dirname, '..', '..', 'bin', 'keydb-ts-server');
const procs = [];

function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

async function startOurs(extra = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fsb-'));
  const p = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--loglevel', 'warning', ...extra], { stdio: 'ignore' });
  procs.push(p);
  await waitPing(port);
  return { port, pid: p.pid, proc: p };
}
async function startRedis(extra = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fsb-'));
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: 'ignore' });
  procs.push(p);
  await waitPing(port);
  return { port, pid: p.pid, proc: p };
}
async function waitPing(port) {
  for (let i = 0; i < 200; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'PING'], { stdio: 'pipe' });
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nothing on ${port}`);
}

/** Loads exactly KEYS keys (16-byte keys, 32-byte values) through redis-cli --pipe. */
function load(port) {
  let proto = '';
  const chunks = [];
  for (let i = 0; i < KEYS; i++) {
    const k = `key:${String(i).padStart(12, '0')}`;
    proto += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$32\r\n${'v'.repeat(20)}${String(i).padStart(12, '0')}\r\n`;
    if (proto.length > 1 << 20) {
      chunks.push(proto);
      proto = '';
    }
  }
  chunks.push(proto);
  execFileSync('redis-cli', ['-p', String(port), '--pipe'], { input: chunks.join(''), stdio: ['pipe', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
}

async function linkUp(port) {
  const r = new Redis({ port });
  for (;;) {
    const info = await r.info('replication');
    if (/master_link_status:up/.test(info)) break;
    await sleep(20);
  }
  r.disconnect();
}

/** Times a replica's full sync from master; samples master RSS and PING latency meanwhile. */
async function measureSync(master, replicaCount) {
  const pinger = new Redis({ port: master.port });
  await pinger.ping();
  let worstPingMs = 0;
  let peakRss = rssMb(master.pid);
  const rssBefore = peakRss;
  let running = true;
  const pingLoop = (async () => {
    while (running) {
      const t0 = performance.now();
      await pinger.ping();
      worstPingMs = Math.max(worstPingMs, performance.now() - t0);
      await sleep(1);
    }
  })();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(master.pid))), 20);
  const t0 = performance.now();
  const replicas = await Promise.all(Array.from({ length: replicaCount }, () => startRedis(['--replicaof', '127.0.0.1', String(master.port)])));
  await Promise.all(replicas.map((r) => linkUp(r.port)));
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await pingLoop;
  clearInterval(sampler);
  pinger.disconnect();
  for (const r of replicas) r.proc.kill('SIGKILL');
  return { seconds: +seconds.toFixed(2), rssBeforeMb: +rssBefore.toFixed(1), rssPeakMb: +peakRss.toFixed(1), rssGrowthMb: +(peakRss - rssBefore).toFixed(1), worstPingMs: +worstPingMs.toFixed(1) };
}

async function main() {
  const ours = await startOurs(['--repl-diskless-sync-delay', '0']);
  const redis = await startRedis(['--repl-diskless-sync-delay', '0']);
  load(ours.port);
  load(redis.port);
  await sleep(1000);
  const result = { keys: KEYS };
  result.redis_master_1_replica = await measureSync(redis, 1);
  result.ours_master_1_replica = await measureSync(ours, 1);
  result.sync_time_ratio = +(result.ours_master_1_replica.seconds / result.redis_master_1_replica.seconds).toFixed(2);
  result.ours_master_5_replicas = await measureSync(ours, 5);
  console.log(JSON.stringify(result, null, 2));
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const p of procs) p.kill('SIGKILL');
  });
