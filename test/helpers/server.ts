/**
 * Test harness: starts the real server process (bin/keydb-ts-server, the
 * compiled build) on a free loopback port and hands out real clients.
 * `--port 0` lets the OS pick the port; the server logs the one it bound.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis, { RedisOptions } from 'ioredis';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'keydb-ts-server');

export interface RunningServer {
  port: number;
  proc: ChildProcess;
  dir: string;
  /** Every log line printed so far (stdout and stderr). */
  output: () => string;
  client: (opts?: RedisOptions) => Redis;
  /** Runs redis-cli against the server; returns stdout. */
  cli: (...args: string[]) => string;
  stop: () => Promise<number | null>;
}

const clients: Redis[] = [];

export async function startServer(
  args: string[] = [],
  opts: { configFile?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const dir = opts.cwd ?? mkdtempSync(join(tmpdir(), 'kts-'));
  const argv: string[] = [];
  if (opts.configFile) argv.push(opts.configFile);
  // DEBUG (off by default, as in Redis 7) is allowed to these loopback clients.
  argv.push('--port', '0', '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'local', ...args);
  // Run the bin itself (its shebang carries the node flags users get).
  const proc = spawn(BIN, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 10000);
    const check = () => {
      const m = /"port":(\d+),"msg":"Ready to accept connections/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const server: RunningServer = {
    port,
    proc,
    dir,
    output: () => out,
    client: (o: RedisOptions = {}) => {
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 0, enableOfflineQueue: true, retryStrategy: () => null, ...o });
      r.on('error', () => undefined);
      clients.push(r);
      return r;
    },
    cli: (...a: string[]) => {
      const r = spawnSync('redis-cli', ['-p', String(port), ...a], { encoding: 'latin1', timeout: 10000 });
      return r.stdout;
    },
    stop: () => stopProcess(proc),
  };
  return server;
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      res(code);
    });
    proc.kill(signal);
  });
}

/** Closes every client handed out by the harness (call in afterAll). */
export async function closeClients(): Promise<void> {
  for (const c of clients.splice(0)) c.disconnect();
}

export function hasRedisCli(): boolean {
  return spawnSync('redis-cli', ['--version']).status === 0;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/**
 * One server for a describe block, started before its tests and stopped
 * after them (with every client handed out); the accessor is valid inside tests.
 */
export function withServer(args: string[] = []): () => RunningServer {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(args);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });
  return () => s;
}
