/**
 * The reference implementation: Debian's redis-server 7.0, started beside our
 * server so a test can send both the same commands and compare the replies.
 * Where redis-server is not installed, `describeWithRedis` skips with a
 * clear message (CI installs it).
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, stopProcess } from './server';

export interface ReferenceServer {
  port: number;
  proc: ChildProcess;
  dir: string;
  stop: () => Promise<number | null>;
}

export function freePort(): Promise<number> {
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

export async function startReference(args: string[] = []): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-ref-'));
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis-server did not start:\n${out}`)), 10000);
    proc.stdout!.on('data', () => {
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        res();
      }
    });
    proc.on('exit', (code) => rej(new Error(`redis-server exited ${code}:\n${out}`)));
  });
  return { port, proc, dir, stop: () => stopProcess(proc) };
}

const HAS_REDIS = hasRedisServer();
if (!HAS_REDIS) {
  process.stderr.write('SKIP: redis-server is not installed; side-by-side tests against Redis 7.0 are skipped (apt-get install redis-server).\n');
}

/** describe() when redis-server is installed, describe.skip() otherwise. */
export const describeWithRedis: jest.Describe = HAS_REDIS ? describe : describe.skip;
