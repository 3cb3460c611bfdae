/**
 * Container engine for the image tests: `docker` where a Docker engine
 * answers, else podman as scripts/container/podman-env.sh sets it up (runc,
 * cgroupfs, and a local stand-in for node:20-bookworm-slim where no image
 * registry answers). Where neither works, `describeWithContainers` skips with
 * the reason. KTS_CONTAINER_ENGINE=docker|podman picks one; KTS_CONTAINER_TESTS=0
 * turns the tests off.
 *
 * Owns: finding the engine, building the image once, running containers with
 * names this process made up, and removing them (with their anonymous
 * volumes) afterwards. Does not own what a test checks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ROOT } from './server';
import { waitUntil } from './wait';

export type EngineName = 'docker' | 'podman';

const PODMAN_ENV = join(ROOT, 'scripts', 'container', 'podman-env.sh');
export const TEST_IMAGE = 'localhost/keydb-ts-server:test';

/** argv that runs the engine with `args`: podman goes through pm() from podman-env.sh. */
function engineArgv(engine: EngineName, args: string[]): string[] {
  if (engine === 'docker') return ['docker', ...args];
  return ['bash', '-c', 'source "$0" && pm "$@"', PODMAN_ENV, ...args];
}

function engineWorks(engine: EngineName): boolean {
  const [cmd, ...args] = engineArgv(engine, ['info']);
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 30000 }).status === 0;
}

/** The engine to use, or the reason there is none. */
function detectEngine(): EngineName | string {
  if (process.env.KTS_CONTAINER_TESTS === '0') return 'KTS_CONTAINER_TESTS=0';
  const wanted = process.env.KTS_CONTAINER_ENGINE;
  const candidates: EngineName[] = wanted === 'docker' || wanted === 'podman' ? [wanted] : ['docker', 'podman'];
  for (const engine of candidates) if (engineWorks(engine)) return engine;
  return `no working container engine (tried ${candidates.join(', ')}: \`docker info\` needs a running Docker engine; podman needs \`apt-get install podman runc debootstrap uidmap\`)`;
}

const DETECTED = detectEngine();
export const ENGINE: EngineName | null = DETECTED === 'docker' || DETECTED === 'podman' ? DETECTED : null;
if (ENGINE === null) process.stderr.write(`SKIP: container image tests: ${DETECTED}.\n`);

/** describe() when a container engine works, describe.skip() otherwise. */
export const describeWithContainers: jest.Describe = ENGINE !== null ? describe : describe.skip;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv; rejects on a non-zero exit unless `allowFailure`. */
function execute(argv: string[], opts: { allowFailure?: boolean; timeoutMs?: number }): Promise<RunResult> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 || opts.allowFailure) resolve({ code, stdout, stderr });
      else reject(new Error(`${argv.join(' ')} exited ${code}:\n${stdout}${stderr}`));
    });
  });
}

/** Runs the container engine with `args`. */
export function engine(args: string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  if (ENGINE === null) throw new Error('no container engine');
  return execute(engineArgv(ENGINE, args), opts);
}

/**
 * Builds the image from the project's Dockerfile. Podman keeps HEALTHCHECK
 * only in the docker format, and reaches the npm registry over the host
 * network (CONTAINERS.md); where no registry serves the base image,
 * ensure_node_base makes the local stand-in first.
 */
export async function buildImage(): Promise<void> {
  const BUILD_MS = 900000;
  if (ENGINE === 'podman') {
    await execute(['bash', '-c', 'source "$0" && ensure_node_base', PODMAN_ENV], { timeoutMs: BUILD_MS });
    await engine(['build', '--format', 'docker', '--network', 'host', '-t', TEST_IMAGE, ROOT], { timeoutMs: BUILD_MS });
  } else {
    await engine(['build', '-t', TEST_IMAGE, ROOT], { timeoutMs: BUILD_MS });
  }
}

const containers: string[] = [];
const volumes: string[] = [];
let nameCount = 0;

/** A name no other test run uses, removed by cleanup(). */
export function containerName(what: string): string {
  const name = `kts-test-${process.pid}-${++nameCount}-${what}`;
  containers.push(name);
  return name;
}

export function volumeName(what: string): string {
  const name = `kts-test-${process.pid}-${++nameCount}-${what}`;
  volumes.push(name);
  return name;
}

/** `run -d --name NAME <runArgs> IMAGE <cmd>`, then waits for the server's ready line. */
export async function runServer(name: string, runArgs: string[], cmd: string[] = []): Promise<void> {
  await engine(['run', '-d', '--name', name, ...runArgs, TEST_IMAGE, ...cmd]);
  await waitForReady(name);
}

/** Waits until the container's log has the server's ready line (a restart adds a new one). */
export async function waitForReady(name: string, readyLines = 1): Promise<void> {
  let logs = '';
  await waitUntil(
    async () => {
      logs = await containerLogs(name);
      return logs.split('Ready to accept connections tcp').length > readyLines;
    },
    30000,
    `${name} to accept connections`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; its log:\n${logs}`);
  });
}

export async function containerLogs(name: string): Promise<string> {
  const r = await engine(['logs', name], { allowFailure: true });
  return r.stdout + r.stderr;
}

/** The host port published for the container's `containerPort` (`-p 127.0.0.1::PORT`). */
export async function publishedPort(name: string, containerPort: number): Promise<number> {
  const r = await engine(['port', name, `${containerPort}/tcp`]);
  const m = /:(\d+)\s*$/m.exec(r.stdout);
  if (!m) throw new Error(`no published port for ${name} ${containerPort}: ${r.stdout}`);
  return Number(m[1]);
}

export async function inspect(name: string, format: string): Promise<string> {
  return (await engine(['inspect', '--format', format, name])).stdout.trim();
}

/**
 * Waits for State.Health.Status to read `healthy`. Docker runs the image's
 * HEALTHCHECK on its own schedule; podman schedules it through systemd
 * timers, which machines without systemd lack, so there each poll runs it
 * once with `podman healthcheck run` (the same command, same bookkeeping).
 */
export async function waitForHealthy(name: string, timeoutMs = 45000): Promise<void> {
  let status = '';
  await waitUntil(
    async () => {
      if (ENGINE === 'podman') await engine(['healthcheck', 'run', name], { allowFailure: true });
      status = await inspect(name, '{{.State.Health.Status}}');
      if (status !== 'healthy') await new Promise((r) => setTimeout(r, 1000));
      return status === 'healthy';
    },
    timeoutMs,
    `${name} to turn healthy`,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message} (last status ${status}): ${await inspect(name, '{{json .State.Health}}')}`);
  });
}

const clients: Redis[] = [];

export function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  clients.push(r);
  return r;
}

/** Closes the clients, removes every container (and its anonymous volumes) and named volume this run made. */
export async function cleanup(): Promise<void> {
  for (const r of clients.splice(0)) r.disconnect();
  for (const name of containers.splice(0)) await engine(['rm', '-f', '-v', name], { allowFailure: true });
  for (const name of volumes.splice(0)) await engine(['volume', 'rm', '-f', name], { allowFailure: true });
}
