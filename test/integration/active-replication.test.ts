/**
 * KeyDB-style active replication between real server processes: a mesh of
 * nodes that each accept writes and replicate to each other (RREPLAY), with
 * loop prevention, last-writer-wins for concurrent overwrites, independent
 * expiry, read-only leaf replicas of two masters, and convergence after a
 * partition heals.
 */
import { connect, createServer, Server as NetServer } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { readDataset } from '../helpers/dataset';
import { infoField, waitUntil } from '../helpers/wait';
import { freePort } from '../helpers/reference';

jest.setTimeout(60000);

const running: RunningServer[] = [];
afterEach(async () => {
  await closeClients();
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const ACTIVE = ['--active-replica', 'yes', '--multi-master', 'yes', '--repl-diskless-sync-delay', '0'];

/** Starts n nodes on known ports, each replicating from every other one. */
async function mesh(n: number, extra: string[] = []): Promise<{ nodes: RunningServer[]; clients: Redis[] }> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort());
  const nodes = await Promise.all(
    ports.map((port) => {
      const peers = ports.filter((p) => p !== port).flatMap((p) => ['--replicaof', '127.0.0.1', String(p)]);
      return startServer(['--port', String(port), ...ACTIVE, ...peers, ...extra]);
    }),
  );
  running.push(...nodes);
  const clients = nodes.map((s) => s.client());
  for (const c of clients) await linksUp(c, n - 1);
  return { nodes, clients };
}

async function linksUp(c: Redis, count: number): Promise<void> {
  await waitUntil(async () => {
    const info = await c.info('replication');
    return infoField(info, 'master_global_link_status') === 'up' && Number(infoField(info, 'connected_masters')) === count;
  }, 20000, `${count} master links up`);
}

async function converged(clients: Redis[]): Promise<void> {
  let last = '';
  await waitUntil(async () => {
    const all = await Promise.all(clients.map((c) => readDataset(c, 1)));
    last = JSON.stringify(all);
    return all.every((d) => isDeepStrictEqual(d, all[0]));
  }, 15000, 'the nodes to converge').catch((e: Error) => {
    throw new Error(`${e.message}: ${last}`);
  });
}

test('a two-node mesh replicates writes both ways, each applied exactly once', async () => {
  const { clients: [a, b] } = await mesh(2);
  expect(infoField(await a.info('replication'), 'role')).toBe('active-replica');
  await a.set('from-a', '1');
  await b.set('from-b', '2');
  await a.incr('counter');
  await b.incr('counter');
  // List order depends on arrival order, so the second push waits for the first to arrive.
  await b.rpush('list', 'x');
  await waitUntil(async () => (await a.llen('list')) === 1, 5000, 'the first push on a');
  await a.rpush('list', 'y');
  await waitUntil(async () => (await a.get('counter')) === '2' && (await b.get('counter')) === '2', 5000, 'both increments everywhere');
  await converged([a, b]);
  // No echo: after a quiet moment the counter has not been applied again by a write coming back.
  await new Promise((r) => setTimeout(r, 500));
  expect(await a.get('counter')).toBe('2');
  expect(await b.get('counter')).toBe('2');
  expect(await a.llen('list')).toBe(2);
});

test('a three-node mesh converges and each write is applied once per node', async () => {
  const { clients } = await mesh(3);
  await Promise.all(clients.map((c, i) => c.incr('counter').then(() => c.sadd('members', `node${i}`))));
  await Promise.all(clients.map((c, i) => c.hset('h', `f${i}`, String(i))));
  await waitUntil(async () => (await Promise.all(clients.map((c) => c.get('counter')))).every((v) => v === '3'), 10000, 'counter 3 everywhere');
  await converged(clients);
  expect((await clients[0].smembers('members')).sort()).toEqual(['node0', 'node1', 'node2']);
});

test('concurrent overwrites of one key resolve to the newest write on every node', async () => {
  const { clients: [a, b] } = await mesh(2);
  // Partition: each node drops its link to the other.
  const [pa, pb] = await Promise.all([a.config('GET', 'port'), b.config('GET', 'port')]);
  await a.call('REPLICAOF', 'REMOVE', '127.0.0.1', pb[1]);
  await b.call('REPLICAOF', 'REMOVE', '127.0.0.1', pa[1]);
  await a.set('k', 'from-a');
  await new Promise((r) => setTimeout(r, 20));
  await b.set('k', 'from-b');
  await a.set('only-a', '1');
  await b.set('only-b', '1');
  // Heal.
  await a.replicaof('127.0.0.1', pb[1]);
  await b.replicaof('127.0.0.1', pa[1]);
  await linksUp(a, 1);
  await linksUp(b, 1);
  await converged([a, b]);
  expect(await a.get('k')).toBe('from-b');
  expect(await a.get('only-b')).toBe('1');
  expect(await b.get('only-a')).toBe('1');
});

test('a write after merging a peer’s data is stamped when it is made, not when the merge ran', async () => {
  const { clients: [a, b] } = await mesh(2);
  const [pa, pb] = await Promise.all([a.config('GET', 'port'), b.config('GET', 'port')]);
  const partition = async (): Promise<void> => {
    await a.call('REPLICAOF', 'REMOVE', '127.0.0.1', pb[1]);
    await b.call('REPLICAOF', 'REMOVE', '127.0.0.1', pa[1]);
  };
  const heal = async (): Promise<void> => {
    await a.replicaof('127.0.0.1', pb[1]);
    await b.replicaof('127.0.0.1', pa[1]);
    await linksUp(a, 1);
    await linksUp(b, 1);
    await converged([a, b]);
  };
  // Only b has data, so healing makes a merge b's keys into its own.
  await partition();
  await b.set('seed', '1');
  await heal();
  await partition();
  await b.set('k', 'from-b');
  await new Promise((r) => setTimeout(r, 50));
  await a.set('k', 'from-a'); // a's first write since the merge, and the newer one
  await heal();
  expect(await a.get('k')).toBe('from-a');
  expect(await b.get('k')).toBe('from-a');
});

test('a blocked BLPOP served on one node replicates its pop to the other', async () => {
  const { nodes, clients: [a, b] } = await mesh(2);
  const waiter = nodes[0].client();
  const popped = waiter.blpop('queue', 0);
  await waitUntil(async () => infoField((await a.info('clients')) as string, 'blocked_clients') === '1', 5000, 'the BLPOP to block');
  await a.rpush('queue', 'x', 'y');
  expect(await popped).toEqual(['queue', 'x']);
  await converged([a, b]);
  expect(await b.lrange('queue', 0, -1)).toEqual(['y']);
});

/** `*N $len arg ...` for a command. */
function resp(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * A stand-in active master: answers the replica's handshake, sends an empty
 * RDB (checksum disabled), then the given stream, and stays silent after
 * (a master never answers REPLCONF ACK).
 */
async function fakeActiveMaster(stream: Buffer): Promise<{ port: number; server: NetServer }> {
  const server = createServer((sock) => {
    let pending = '';
    let synced = false;
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      if (synced) return;
      pending += d.toString('latin1');
      // Requests are RESP arrays of bulks; answer each in order.
      for (let m = /^\*(\d+)\r\n/.exec(pending); m !== null; m = /^\*(\d+)\r\n/.exec(pending)) {
        let at = m[0].length;
        const argv: string[] = [];
        for (let i = 0; i < Number(m[1]); i++) {
          const len = /^\$(\d+)\r\n/.exec(pending.slice(at));
          if (len === null || pending.length < at + len[0].length + Number(len[1]) + 2) return;
          argv.push(pending.slice(at + len[0].length, at + len[0].length + Number(len[1])));
          at += len[0].length + Number(len[1]) + 2;
        }
        pending = pending.slice(at);
        const name = argv[0].toUpperCase();
        if (name === 'PING') sock.write('+PONG\r\n');
        else if (name !== 'PSYNC') sock.write('+OK\r\n');
        else {
          const rdb = Buffer.concat([Buffer.from('REDIS0009'), Buffer.from([0xff]), Buffer.alloc(8)]);
          sock.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$${rdb.length}\r\n`), rdb, stream]));
          synced = true;
          return;
        }
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
  return { port, server };
}

test('two peers’ writes with the same stamp leave every node with the same value, whatever their order', async () => {
  // Two nodes' first writes of one millisecond get the same stamp; each node then sees the pair in the other order.
  const stamp = String(Date.now() * 1024);
  const frame = (uuid: string, value: string) => resp(['RREPLAY', uuid, resp(['SET', 'k', value]), '0', stamp]);
  const fromA = frame('aaaaaaaa-0000-4000-8000-000000000001', 'value-a');
  const fromB = frame('bbbbbbbb-0000-4000-8000-000000000002', 'value-b');
  const masters = await Promise.all([fakeActiveMaster(Buffer.concat([fromA, fromB])), fakeActiveMaster(Buffer.concat([fromB, fromA]))]);
  try {
    const nodes = await Promise.all(masters.map((m) => startServer([...ACTIVE, '--replicaof', '127.0.0.1', String(m.port)])));
    running.push(...nodes);
    const streamBytes = fromA.length + fromB.length;
    for (const node of nodes) {
      const c = node.client();
      await waitUntil(async () => Number(infoField((await c.info('replication')) as string, 'slave_repl_offset')) >= streamBytes, 10000, 'both writes applied');
      expect(await c.get('k')).toBe('value-b');
    }
  } finally {
    for (const m of masters) m.server.close();
  }
});

/** Bulks of every `RREPLAY uuid payload db stamp` frame in a replication stream. */
function rreplayFrames(stream: Buffer): string[][] {
  const text = stream.toString('latin1');
  const frames: string[][] = [];
  for (let at = text.indexOf('*5\r\n$7\r\nRREPLAY\r\n'); at >= 0; at = text.indexOf('*5\r\n$7\r\nRREPLAY\r\n', at + 1)) {
    let p = at + 4;
    const bulks: string[] = [];
    for (let i = 0; i < 5; i++) {
      const eol = text.indexOf('\r\n', p);
      const len = Number(text.slice(p + 1, eol));
      bulks.push(text.slice(eol + 2, eol + 2 + len));
      p = eol + 2 + len + 2;
    }
    frames.push(bulks);
  }
  return frames;
}

test('a transaction travels as one frame stamped like its keys, on the origin and on peers', async () => {
  const node = await startServer(ACTIVE);
  running.push(node);
  const c = node.client();
  // Listen to the node's replication stream as a replica would.
  const tap = connect(node.port, '127.0.0.1');
  let received = Buffer.alloc(0);
  tap.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  tap.write(resp(['PSYNC', '?', '-1']));
  await waitUntil(async () => Number(infoField(await c.info('replication'), 'connected_slaves')) === 1, 10000, 'the tap to attach');
  const writes = () => rreplayFrames(received).filter((f) => !/ping/i.test(f[2]));
  expect(await c.multi().set('x', '1').set('w', '1').select(1).set('y', '2').select(0).exec()).toEqual(Array(5).fill([null, 'OK']));
  await waitUntil(async () => writes().length > 0, 5000, 'the transaction on the stream');
  await new Promise((r) => setTimeout(r, 200));
  const frames = writes();
  tap.destroy();
  expect(frames).toHaveLength(1);
  const [, uuid, payload, db, stamp] = frames[0];
  expect(db).toBe('0');
  const inside = [['MULTI'], ['set', 'x', '1'], ['set', 'w', '1'], ['SELECT', '1'], ['set', 'y', '2'], ['EXEC']]; // writes as the client sent them
  expect(payload).toBe(Buffer.concat(inside.map((argv) => resp(argv))).toString('latin1'));

  // Another origin's writes just older (x) and just newer (w) than the frame's stamp: a node
  // whose keys carry exactly that stamp drops the first and applies the second.
  const S = Number(stamp);
  const other = 'cccccccc-0000-4000-8000-000000000003';
  const later = Buffer.concat([
    resp(['RREPLAY', other, resp(['SET', 'x', '9']), '0', String(S - 1)]),
    resp(['RREPLAY', other, resp(['SET', 'w', '0']), '0', String(S + 1)]),
  ]);
  // The peer first holds a newer y in db 1, so the transaction's SET y (after its SELECT 1) is dropped there.
  const newestY = resp(['RREPLAY', 'dddddddd-0000-4000-8000-000000000004', resp(['SET', 'y', 'newest']), '1', String(S + 5)]);
  const txFrame = resp(['RREPLAY', uuid, payload, db, stamp]);
  const masters = await Promise.all([fakeActiveMaster(later), fakeActiveMaster(Buffer.concat([newestY, txFrame, later]))]);
  try {
    await c.replicaof('127.0.0.1', masters[0].port);
    const peer = await startServer([...ACTIVE, '--replicaof', '127.0.0.1', String(masters[1].port)]);
    running.push(peer);
    const p = peer.client();
    for (const [client, bytes] of [[c, later.length], [p, newestY.length + txFrame.length + later.length]] as const) {
      await waitUntil(async () => Number(infoField(await client.info('replication'), 'slave_repl_offset')) >= bytes, 10000, 'the stream applied');
      expect([await client.get('x'), await client.get('w')]).toEqual(['1', '0']);
    }
    await p.select(1);
    expect(await p.get('y')).toBe('newest');
  } finally {
    for (const m of masters) m.server.close();
  }
});

test('a node that joins with its own data merges with the mesh instead of losing it', async () => {
  const portA = await freePort();
  const portB = await freePort();
  const a = await startServer(['--port', String(portA), ...ACTIVE]);
  const b = await startServer(['--port', String(portB), ...ACTIVE]);
  running.push(a, b);
  const ca = a.client();
  const cb = b.client();
  await ca.set('on-a', 'a');
  await cb.set('on-b', 'b');
  await ca.replicaof('127.0.0.1', String(portB));
  await cb.replicaof('127.0.0.1', String(portA));
  await linksUp(ca, 1);
  await linksUp(cb, 1);
  await converged([ca, cb]);
  expect(await ca.mget('on-a', 'on-b')).toEqual(['a', 'b']);
});

test('an active node expires keys itself while the origin is stopped', async () => {
  const { nodes: [na], clients: [a, b] } = await mesh(2, ['--hz', '50']);
  await a.set('short', 'v', 'PX', 300);
  await waitUntil(async () => (await b.exists('short')) === 1, 5000, 'the key to reach b');
  na.proc.kill('SIGSTOP');
  try {
    await waitUntil(async () => (await b.dbsize()) === 0, 5000, 'b to expire the key on its own');
  } finally {
    na.proc.kill('SIGCONT');
  }
});

test('a read-only leaf replica of two masters gets writes from both and refuses its own', async () => {
  const { nodes: [na, nb], clients: [a, b] } = await mesh(2);
  const leaf = await startServer([...ACTIVE, '--replica-read-only', 'yes', '--replicaof', '127.0.0.1', String(na.port), '--replicaof', '127.0.0.1', String(nb.port)]);
  running.push(leaf);
  const l = leaf.client();
  await linksUp(l, 2);
  await a.set('x', '1');
  await b.set('y', '2');
  await waitUntil(async () => (await l.exists('x', 'y')) === 2, 5000, 'both writes on the leaf');
  await expect(l.set('z', '3')).rejects.toThrow("READONLY You can't write against a read only replica.");
  const info = await l.info('replication');
  expect(infoField(info, 'master_1_link_status')).toBe('up');
});

test('RREPLAY is refused from a normal client', async () => {
  const s = await startServer(ACTIVE);
  running.push(s);
  await expect(s.client().call('RREPLAY', '00000000-0000-0000-0000-000000000000', '*1\r\n$4\r\nPING\r\n')).rejects.toThrow('Command must be sent from a master');
});
