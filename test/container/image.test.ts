/**
 * The container image, built from the project's Dockerfile and run for real
 * with docker or podman (test/helpers/container.ts picks the engine, or skips
 * with the reason): what a user relies on from `docker run` and compose —
 * the published port, the /data volume across restarts, the non-root user,
 * the healthcheck, flags on top of the image's config, and an active-replica
 * mesh of containers. Containers talk to each other over the host network on
 * distinct ports, which works on every engine (CONTAINERS.md).
 */
import {
  buildImage,
  cleanup,
  client,
  containerLogs,
  containerName,
  describeWithContainers,
  engine,
  inspect,
  publishedPort,
  runServer,
  volumeName,
  waitForHealthy,
  waitForReady,
} from '../helpers/container';
import { freePort } from '../helpers/reference';
import { waitUntil } from '../helpers/wait';

const BUILD_TIMEOUT_MS = 20 * 60 * 1000;
const TEST_TIMEOUT_MS = 120000;
/** `docker stop` sends SIGTERM, then SIGKILL after this long (its default). */
const STOP_TIMEOUT_MS = 10000;

describeWithContainers('container image', () => {
  beforeAll(() => buildImage(), BUILD_TIMEOUT_MS);
  afterAll(() => cleanup(), TEST_TIMEOUT_MS);

  test(
    'serves PING on a published port as uid 999, configured by /etc/keydb/keydb.conf, logging JSON',
    async () => {
      const name = containerName('ping');
      await runServer(name, ['-p', '127.0.0.1::6379']);
      const r = client(await publishedPort(name, 6379));
      expect(await r.ping()).toBe('PONG');
      expect(await r.config('GET', 'dir')).toEqual(['dir', '/data']);
      expect(await r.config('GET', 'bind')).toEqual(['bind', '0.0.0.0']);
      expect(await r.config('GET', 'protected-mode')).toEqual(['protected-mode', 'no']);

      // The server is PID 1 (so `docker stop` signals it) and runs as keydb.
      const status = (await engine(['exec', name, 'cat', '/proc/1/status'])).stdout;
      expect(status).toMatch(/^Uid:\s+999\s+999\s+999\s+999$/m);
      expect(status).toMatch(/^Gid:\s+999\s+999\s+999\s+999$/m);
      expect((await engine(['exec', name, 'cat', '/proc/1/cmdline'])).stdout.split('\0')).toEqual([
        'node',
        '--max-semi-space-size=2',
        '/usr/local/bin/keydb-ts-server',
        '/etc/keydb/keydb.conf',
        '',
      ]);
      expect((await engine(['exec', name, 'stat', '-c', '%U', '/data'])).stdout.trim()).toBe('keydb');

      const lines = (await engine(['logs', name])).stdout.trim().split('\n');
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain('Ready to accept connections tcp');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'ships production dependencies and compiled code only',
    async () => {
      const name = containerName('contents');
      await runServer(name, []);
      const modules = (await engine(['exec', name, 'ls', '/opt/keydb-ts-server/node_modules'])).stdout.split('\n');
      expect(modules).toEqual(expect.arrayContaining(['commander', 'lru-cache', 'pino', 'redis-parser']));
      for (const dev of ['typescript', 'jest', 'ts-jest', 'ts-node', 'ioredis', '@types']) expect(modules).not.toContain(dev);
      const app = (await engine(['exec', name, 'ls', '/opt/keydb-ts-server'])).stdout.split('\n').filter(Boolean);
      expect(app.sort()).toEqual(['bin', 'dist', 'docker', 'node_modules', 'package.json']);
      // Our part of the image (the rest is node:20-bookworm-slim).
      const bytes = Number((await engine(['exec', name, 'du', '-sb', '/opt/keydb-ts-server'])).stdout.split('\t')[0]);
      expect(bytes).toBeLessThan(15 * 1024 * 1024);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the healthcheck turns healthy with no redis-cli, reads requirepass, and fails on a wrong password or port',
    async () => {
      const name = containerName('health');
      await runServer(name, ['-p', '127.0.0.1::6379'], ['--requirepass', 's3cret']);
      await waitForHealthy(name);

      const wrongPassword = await engine(['exec', '-e', 'REDISCLI_AUTH=wrong', name, 'keydb-ts-healthcheck'], { allowFailure: true });
      expect(wrongPassword.code).toBe(1);
      expect(wrongPassword.stderr).toContain('WRONGPASS');
      const rightPassword = await engine(['exec', '-e', 'REDISCLI_AUTH=s3cret', name, 'keydb-ts-healthcheck']);
      expect(rightPassword.stdout).toBe('PONG\n');
      const wrongPort = await engine(['exec', name, 'keydb-ts-healthcheck', '6390'], { allowFailure: true });
      expect(wrongPort.code).toBe(1);
      expect(wrongPort.stderr).toContain('ECONNREFUSED');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'SIGTERM saves into the /data volume, which outlives a restart and the container',
    async () => {
      const volume = volumeName('data');
      const first = containerName('persist');
      await runServer(first, ['-p', '127.0.0.1::6379', '-v', `${volume}:/data`]);
      let r = client(await publishedPort(first, 6379));
      await r.set('greeting', 'hello');
      await r.rpush('queue', 'a', 'b', 'c');

      const stopStart = Date.now();
      await engine(['stop', first]);
      expect(Date.now() - stopStart).toBeLessThan(STOP_TIMEOUT_MS);
      expect(await inspect(first, '{{.State.ExitCode}}')).toBe('0');
      expect(await containerLogs(first)).toContain('"msg":"DB saved on disk"');

      await engine(['start', first]);
      await waitForReady(first, 2);
      r = client(await publishedPort(first, 6379));
      expect(await r.get('greeting')).toBe('hello');
      expect(await r.lrange('queue', 0, -1)).toEqual(['a', 'b', 'c']);
      await engine(['rm', '-f', first]);

      const second = containerName('persist-again');
      await runServer(second, ['-p', '127.0.0.1::6379', '-v', `${volume}:/data`]);
      r = client(await publishedPort(second, 6379));
      expect(await r.get('greeting')).toBe('hello');
      // umask 0077 from the entrypoint: snapshots are private to keydb.
      expect((await engine(['exec', second, 'stat', '-c', '%U %a', '/data/dump.rdb'])).stdout.trim()).toBe('keydb 600');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'flags alone apply on top of the image config: `run IMAGE --port 7000`',
    async () => {
      const name = containerName('flags');
      await runServer(name, ['-p', '127.0.0.1::7000'], ['--port', '7000']);
      const r = client(await publishedPort(name, 7000));
      expect(await r.ping()).toBe('PONG');
      expect(await r.config('GET', 'port')).toEqual(['port', '7000']);
      expect(await r.config('GET', 'dir')).toEqual(['dir', '/data']);
      expect(await r.config('GET', 'protected-mode')).toEqual(['protected-mode', 'no']);
      await waitForHealthy(name);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'two containers as an active-replica mesh replicate writes both ways',
    async () => {
      const portA = await freePort();
      const portB = await freePort();
      const node = (port: number, peer: number): string[] => [
        '--bind', '127.0.0.1', '--port', String(port),
        '--active-replica', 'yes', '--multi-master', 'yes', '--replicaof', '127.0.0.1', String(peer),
      ];
      await runServer(containerName('mesh-a'), ['--network', 'host'], node(portA, portB));
      await runServer(containerName('mesh-b'), ['--network', 'host'], node(portB, portA));
      const a = client(portA);
      const b = client(portB);

      expect(await a.set('written-on-a', 'from-a')).toBe('OK');
      await waitUntil(async () => (await b.get('written-on-a')) === 'from-a', 20000, 'A → B');
      expect(await b.set('written-on-b', 'from-b')).toBe('OK');
      await waitUntil(async () => (await a.get('written-on-b')) === 'from-b', 20000, 'B → A');
    },
    TEST_TIMEOUT_MS,
  );
});
