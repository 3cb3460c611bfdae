#!/usr/bin/env node
// Measures what issue 5 asks: server RSS while 10 stalled clients each request
// ~100 MB of replies under `client-output-buffer-limit normal 4mb 2mb 10`, and
// the throughput a well-behaved client sees meanwhile.
// usage: node scripts/bench/stalled-clients.js   (after npm run build)
'use strict';
const { spawn } = require('node:child_process');
const { connect } = require('node:net');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const Redis = require('ioredis');

const STALLED = 10;
const VALUE_BYTES = 1024 * 1024;
const GETS_PER_CLIENT = 100;

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

async function main() {
  const bin = join(__dirname, '..', '..', 'bin', 'keydb-ts-server');
  const proc = spawn(bin, ['--port', '0', '--bind', '127.0.0.1', '--save', '', '--client-output-buffer-limit', 'normal 4mb 2mb 10'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((res) => proc.stdout.on('data', (d) => {
    out += d;
    const m = /"port":(\d+),"msg":"Ready/.exec(out);
    if (m) res(Number(m[1]));
  }));
  const r = new Redis({ port });
  await r.set('big', Buffer.alloc(VALUE_BYTES, 120));
  await new Promise((res) => setTimeout(res, 500));
  const before = rssMb(proc.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(proc.pid))), 20);
  const req = Buffer.from(`*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n`.repeat(GETS_PER_CLIENT));
  const sockets = [];
  for (let i = 0; i < STALLED; i++) {
    const sock = connect({ port, host: '127.0.0.1' }, () => {
      sock.pause();
      sock.write(req);
    });
    sock.on('error', () => {});
    sockets.push(sock);
  }
  // A well-behaved client meanwhile: GET/SET round trips for 3 seconds.
  const good = new Redis({ port });
  let ops = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < 3000) {
    await good.set('k', 'v');
    await good.get('k');
    ops += 2;
  }
  const opsPerSec = Math.round(ops / ((Date.now() - t0) / 1000));
  await new Promise((res) => setTimeout(res, 500));
  clearInterval(sampler);
  const info = await r.info('stats');
  const closed = /client_output_buffer_limit_disconnections:(\d+)/.exec(info)[1];
  console.log(JSON.stringify({ stalled_clients: STALLED, requested_mb_per_client: (VALUE_BYTES * GETS_PER_CLIENT) / 1048576, rss_before_mb: +before.toFixed(1), rss_peak_mb: +peak.toFixed(1), rss_growth_mb: +(peak - before).toFixed(1), closed_by_limit: Number(closed), well_behaved_roundtrip_ops_per_sec: opsPerSec }));
  for (const s of sockets) s.destroy();
  r.disconnect();
  good.disconnect();
  proc.kill('SIGTERM');
}
main();
