/**
 * client-output-buffer-limit and client-query-buffer-limit with real sockets:
 * a peer that never reads (its socket paused, so the kernel buffers fill and
 * the server's queue grows) against the real server process.
 */
import { connect, Socket } from 'node:net';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { encodeCommand } from '../helpers/compare';

let s: RunningServer;
beforeAll(async () => {
  s = await startServer(['--hz', '50']);
});
afterAll(async () => {
  await closeClients();
  await s.stop();
});

interface Peer {
  socket: Socket;
  /** Resolves with the time the server dropped the connection (seen in CLIENT LIST). */
  closed: Promise<number>;
}

/**
 * A connection that sends but never reads. A paused socket does not notice
 * the server closing it, so closure is observed from the server's side: the
 * peer's address leaves CLIENT LIST.
 */
function stalledPeer(port: number): Promise<Peer> {
  return new Promise((res) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.pause();
      const addr = `addr=127.0.0.1:${socket.localPort} `;
      const watcher = s.client();
      const closed = (async () => {
        for (;;) {
          const list = (await watcher.client('LIST').catch(() => '')) as string;
          if (!list.includes(addr)) return Date.now();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      res({ socket, closed });
    });
    socket.on('error', () => undefined);
  });
}

function isClosedWithin(p: Promise<number>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function disconnections(): Promise<number> {
  const info = await s.client().info('stats');
  return Number(/client_output_buffer_limit_disconnections:(\d+)/.exec(info)![1]);
}

test('CONFIG GET prints the Redis form and CONFIG SET changes a class at runtime', async () => {
  const r = s.client();
  expect(await r.config('GET', 'client-output-buffer-limit')).toEqual([
    'client-output-buffer-limit',
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  ]);
  await r.config('SET', 'client-output-buffer-limit', 'normal 4mb 2mb 10 replica 128mb 32mb 30');
  expect((await r.config('GET', 'client-output-buffer-limit'))[1]).toBe('normal 4194304 2097152 10 slave 134217728 33554432 30 pubsub 33554432 8388608 60');
  await expect(r.config('SET', 'client-output-buffer-limit', 'bogus 1 2 3')).rejects.toThrow(/Invalid client class/);
  await r.config('SET', 'client-output-buffer-limit', 'normal 0 0 0');
});

test('a client that pipelines large replies and never reads is closed at its hard limit', async () => {
  const r = s.client();
  await r.config('SET', 'client-output-buffer-limit', 'normal 2mb 0 0');
  await r.set('big', 'x'.repeat(512 * 1024));
  const before = await disconnections();
  const peer = await stalledPeer(s.port);
  const gets: Buffer[] = [];
  for (let i = 0; i < 120; i++) gets.push(encodeCommand(['GET', 'big']));
  peer.socket.write(Buffer.concat(gets));
  expect(await isClosedWithin(peer.closed, 5000)).toBe(true);
  expect(await disconnections()).toBe(before + 1);
  expect(s.output()).toMatch(/scheduled to be closed ASAP for overcoming of output buffer limits/);
  // A well-behaved client is unaffected.
  expect((await r.get('big'))!.length).toBe(512 * 1024);
  await r.config('SET', 'client-output-buffer-limit', 'normal 0 0 0');
});

test('a soft-limit breach closes after the configured seconds and not before', async () => {
  const r = s.client();
  await r.config('SET', 'client-output-buffer-limit', 'normal 0 1mb 2');
  await r.set('big', 'y'.repeat(1024 * 1024));
  const peer = await stalledPeer(s.port);
  const gets: Buffer[] = [];
  for (let i = 0; i < 20; i++) gets.push(encodeCommand(['GET', 'big']));
  const start = Date.now();
  peer.socket.write(Buffer.concat(gets));
  expect(await isClosedWithin(peer.closed, 1500)).toBe(false);
  const list = (await r.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(`addr=127.0.0.1:${peer.socket.localPort} `));
  expect(line).toMatch(/omem=[1-9]/);
  expect(line).toBeDefined();
  expect(await isClosedWithin(peer.closed, 4000)).toBe(true);
  const closedAt = await peer.closed;
  expect(closedAt - start).toBeGreaterThanOrEqual(2000);
  await r.config('SET', 'client-output-buffer-limit', 'normal 0 0 0');
});

test('normal 0 0 0 means no limit: a stalled client is kept, then gets every reply', async () => {
  const r = s.client();
  await r.set('mid', 'z'.repeat(256 * 1024));
  const before = await disconnections();
  const peer = await stalledPeer(s.port);
  const n = 120; // 30 MB of replies
  const gets: Buffer[] = [];
  for (let i = 0; i < n; i++) gets.push(encodeCommand(['GET', 'mid']));
  peer.socket.write(Buffer.concat(gets));
  expect(await isClosedWithin(peer.closed, 1500)).toBe(false);
  expect(await disconnections()).toBe(before);
  // Now read everything: all replies arrive intact.
  const expected = n * (`$${256 * 1024}\r\n`.length + 256 * 1024 + 2);
  let got = 0;
  await new Promise<void>((done) => {
    peer.socket.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= expected) done();
    });
    peer.socket.resume();
  });
  expect(got).toBe(expected);
  peer.socket.destroy();
});

test('a slow pub/sub subscriber is closed at the pubsub limit while a fast one gets every message', async () => {
  const r = s.client();
  await r.config('SET', 'client-output-buffer-limit', 'pubsub 2mb 1mb 60');
  const slow = await stalledPeer(s.port);
  slow.socket.write(encodeCommand(['SUBSCRIBE', 'news']));
  const fast = s.client();
  let received = 0;
  fast.on('message', () => received++);
  await fast.subscribe('news');
  await new Promise((res) => setTimeout(res, 100));
  const payload = 'm'.repeat(100 * 1024);
  const total = 100; // 10 MB through the channel
  for (let i = 0; i < total; i++) await r.publish('news', payload);
  expect(await isClosedWithin(slow.closed, 3000)).toBe(true);
  const deadline = Date.now() + 5000;
  while (received < total && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  expect(received).toBe(total);
  await r.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
});

test('the query buffer limit closes a client that sends an endless argument', async () => {
  const r = s.client();
  await r.config('SET', 'client-query-buffer-limit', '1mb');
  const peer = await stalledPeer(s.port);
  peer.socket.write('*2\r\n$3\r\nSET\r\n$10000000\r\n');
  peer.socket.write(Buffer.alloc(2 * 1024 * 1024, 97));
  expect(await isClosedWithin(peer.closed, 3000)).toBe(true);
  const info = await r.info('stats');
  expect(Number(/client_query_buffer_limit_disconnections:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(1);
  await r.config('SET', 'client-query-buffer-limit', '1gb');
});
