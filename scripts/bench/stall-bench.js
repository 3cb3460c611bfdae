#!/usr/bin/env node
// Worst event-loop stall (issue 4): the worst PING round trip a client sees,
// and the server's own eventloop_max_delay_ms, while the server
//   - runs FLUSHALL ASYNC over N keys,
//   - expires N keys that all reach their TTL at once,
//   - grows one set to N members by SADDs of 1000, then deletes it,
//   - takes a BGSAVE of N keys.
// usage: node scripts/bench/stall-bench.js [N=1000000]   (after npm run build)
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');
const Redis = require('ioredis');

const N = Number(process.argv[2] || 1000000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

function pipe(port, lines) {
  execFileSync('redis-cli', ['-p', String(port), '--pipe'], { input: lines, stdio: ['pipe', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
}

/** As pipe, without blocking this process (the pinger keeps running meanwhile). */
function pipeAsync(port, lines) {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', resolve);
    p.stdin.end(lines);
  });
}

function proto(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

async function worstPingDuring(r, pinger, action, settleMs = 300) {
  await r.config('RESETSTAT');
  let worst = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await pinger.ping();
      worst = Math.max(worst, performance.now() - t0);
      await sleep(1);
    }
  })();
  await sleep(50);
  await action();
  await sleep(settleMs);
  running = false;
  await loop;
  const info = await r.info('stats');
  const loopDelay = Number(/eventloop_max_delay_ms:(\d+)/.exec(info)?.[1] ?? -1);
  return { worstPingMs: +worst.toFixed(1), eventloopMaxDelayMs: loopDelay };
}

async function main() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'stall-'));
  const proc = spawn(join(__dirname, '..', '..', 'bin', 'keydb-ts-server'), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--loglevel', 'warning', '--latency-monitor-threshold', '1'], { stdio: 'ignore' });
  await sleep(1000);
  const r = new Redis({ port });
  const pinger = new Redis({ port });
  const out = { keys: N };
  const fill = (prefix, extra = []) => {
    let s = '';
    const chunks = [];
    for (let i = 0; i < N; i++) {
      s += proto(['SET', `${prefix}:${i}`, 'value-value-value', ...extra]);
      if (s.length > 1 << 20) {
        chunks.push(s);
        s = '';
      }
    }
    chunks.push(s);
    pipe(port, chunks.join(''));
  };

  fill('k');
  out.flushall_async = await worstPingDuring(r, pinger, () => r.flushall('ASYNC'), 1000);

  // Every key expires at the same moment, 2 s from now.
  const at = String(Date.now() + 2000);
  fill('e', ['PXAT', at]);
  out.mass_expiry = await worstPingDuring(r, pinger, async () => {
    for (;;) {
      await sleep(200);
      if ((await r.dbsize()) === 0) break;
    }
  });

  let s = '';
  const chunks = [];
  for (let i = 0; i < N; i += 1000) {
    const members = [];
    for (let j = i; j < i + 1000 && j < N; j++) members.push(`m${j}`);
    s += proto(['SADD', 'bigset', ...members]);
    if (s.length > 1 << 20) {
      chunks.push(s);
      s = '';
    }
  }
  chunks.push(s);
  // Growing one set to N members (its member index rehashes as it grows). The
  // bytes are ready beforehand: building them would stall this process's pinger.
  const saddBytes = Buffer.from(chunks.join(''));
  out.grow_big_set = await worstPingDuring(r, pinger, () => pipeAsync(port, saddBytes));
  out.del_big_set = await worstPingDuring(r, pinger, () => r.del('bigset'), 1000);

  fill('b');
  out.bgsave = await worstPingDuring(r, pinger, async () => {
    await r.bgsave();
    for (;;) {
      await sleep(100);
      if (/rdb_bgsave_in_progress:0/.test(await r.info('persistence'))) break;
    }
  });
  console.log(JSON.stringify(out, null, 2));
  r.disconnect();
  pinger.disconnect();
  proc.kill('SIGKILL');
}
main();
