#!/usr/bin/env node
'use strict';
/**
 * Container health check (installed as `keydb-ts-healthcheck`): PING the
 * server in this container and exit 0 only on +PONG, so the image needs no
 * redis-cli. Any error reply (-NOAUTH, -LOADING ...), a refused connection or
 * no answer within TIMEOUT_MS exits 1 with the reason on stderr, which
 * `docker inspect` shows under State.Health.
 *
 * Where to connect, so `docker run IMAGE --port 7000 --requirepass pw` stays
 * healthy with no extra settings: the port is argument 1, else the server's
 * own command line (read from /proc), else its config file, else 6379. The
 * password is REDISCLI_AUTH (what redis-cli reads, and what compose files set),
 * else the server's `requirepass`. The host is loopback unless `bind` names
 * only other addresses. The config file is read line by line without
 * following `include`: pass the port or set REDISCLI_AUTH for such setups.
 */
const { readdirSync, readFileSync } = require('node:fs');
const net = require('node:net');

const TIMEOUT_MS = 2000;
const DEFAULT_PORT = 6379;

/** argv after `keydb-ts-server` of the server process in this container, or []. */
function serverArgs() {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended while we looked
    }
    // node [node flags] /usr/local/bin/keydb-ts-server [config] [--directive value ...]
    const script = argv.findIndex((a, i) => i > 0 && /(^|\/)keydb-ts-server$/.test(a));
    if (script > 0) return argv.slice(script + 1, argv.length - 1);
  }
  return [];
}

const TOKEN = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;

/** Directive name → its arguments, from the config file and then the flags (the last one wins, as in the server). */
function serverDirectives(args) {
  const directives = new Map();
  const set = (words) => {
    if (words.length > 0) directives.set(words[0].toLowerCase(), words.slice(1));
  };
  let flags = args;
  if (args.length > 0 && !args[0].startsWith('--')) {
    flags = args.slice(1);
    let text = '';
    try {
      text = readFileSync(args[0], 'utf8');
    } catch {
      // unreadable here (a different user): the flags and defaults still apply
    }
    for (const line of text.split('\n')) {
      if (/^\s*#/.test(line)) continue;
      set(Array.from(line.matchAll(TOKEN), (m) => m[1] ?? m[2] ?? m[3]));
    }
  }
  let words = [];
  for (const arg of flags) {
    if (arg.startsWith('--')) {
      set(words);
      words = [arg.slice(2)];
    } else {
      words.push(arg);
    }
  }
  set(words);
  return directives;
}

/** Loopback when the server listens on it or everywhere; else the first address it binds. */
function hostFor(bind) {
  const addresses = (bind ?? []).join(' ').split(/\s+/).filter(Boolean).map((a) => a.replace(/^-/, ''));
  if (addresses.length === 0 || addresses.some((a) => ['*', '0.0.0.0', '127.0.0.1', 'localhost'].includes(a))) return '127.0.0.1';
  if (addresses.some((a) => ['::*', '::', '::1'].includes(a))) return '::1';
  return addresses[0];
}

function bulk(word) {
  return `$${Buffer.byteLength(word)}\r\n${word}\r\n`;
}

function fail(reason) {
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}

const directives = serverDirectives(serverArgs());
const port = Number(process.argv[2] ?? directives.get('port')?.[0] ?? DEFAULT_PORT);
const host = hostFor(directives.get('bind'));
const password = process.env.REDISCLI_AUTH || directives.get('requirepass')?.[0] || '';

let request = `*1\r\n${bulk('PING')}`;
let expected = ['+PONG'];
if (password !== '') {
  request = `*2\r\n${bulk('AUTH')}${bulk(password)}${request}`;
  expected = ['+OK', '+PONG'];
}

const socket = net.connect({ host, port });
socket.setTimeout(TIMEOUT_MS, () => fail(`no reply from ${host}:${port} within ${TIMEOUT_MS} ms`));
socket.on('error', (err) => fail(`${host}:${port}: ${err.message}`));
socket.on('connect', () => socket.write(request));
let received = '';
socket.on('data', (chunk) => {
  received += chunk.toString('latin1');
  const lines = received.split('\r\n');
  for (let i = 0; i < lines.length - 1 && i < expected.length; i++) {
    if (lines[i] !== expected[i]) fail(`${host}:${port} replied ${lines[i]}`);
  }
  if (lines.length > expected.length) {
    process.stdout.write('PONG\n');
    process.exit(0);
  }
});
