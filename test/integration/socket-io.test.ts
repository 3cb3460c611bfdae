/**
 * The connection layer under both of its implementations: accepted sockets
 * driven on their libuv handles (the default) and through net streams (the
 * fallback, forced by KEYDB_TS_SOCKET_IO=stream). What must hold for either:
 * bytes split anywhere arrive intact, a request held across reads (CLIENT
 * PAUSE WRITE) is not overwritten by later reads, a reader that stalls gets
 * every byte once it reads again, and each way a connection ends frees the
 * client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { AddressInfo, connect, createServer, Socket } from 'node:net';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { RawConnection } from '../helpers/raw';
import { infoField, waitUntil } from '../helpers/wait';

/** iproute2's ss shows a socket's keepalive timer. */
const hasSs = spawnSync('ss', ['-V']).status === 0;
if (!hasSs) console.log('SKIP: keepalive check needs ss (iproute2).');

const modes: [string, Record<string, string>][] = [
  ['libuv handles', {}],
  ['net streams', { KEYDB_TS_SOCKET_IO: 'stream' }],
];

const bulk = (b: Buffer) => Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]);
const command = (...args: (string | Buffer)[]) =>
  Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.map((a) => bulk(Buffer.isBuffer(a) ? a : Buffer.from(a)))]);

/** Deterministic bytes covering all 256 values. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    b[i] = x >>> 24;
  }
  return b;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: '127.0.0.1' }, () => res(s));
    s.once('error', rej);
  });
}

/** Collects everything a socket receives until `bytes` have arrived. */
function receive(s: Socket, bytes: number): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= bytes) {
        s.off('data', onData);
        res(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.once('close', () => rej(new Error(`closed after ${got} of ${bytes} bytes`)));
  });
}

describe.each(modes)('client sockets over %s', (_name, env) => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer([], { env });
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  if (env.KEYDB_TS_SOCKET_IO === undefined) {
    it('runs accepted sockets on their handles (a failed adoption logs its fallback)', async () => {
      await s.client().ping();
      expect(s.output()).not.toContain('client sockets use net streams');
    });
  }

  it('round-trips binary values of many sizes sent in odd-sized pieces', async () => {
    const sock = await openSocket(s.port);
    const sizes = [0, 1, 2, 15, 16, 17, 100, 4095, 4096, 4097, 65535, 65536, 65537, 200_000, 1_000_000];
    const values = sizes.map((n, i) => pattern(n, i + 1));
    const request = Buffer.concat([
      ...values.map((v, i) => command('SET', `k:${i}`, v)),
      ...values.map((_v, i) => command('GET', `k:${i}`)),
    ]);
    const expected = Buffer.concat([...values.map(() => Buffer.from('+OK\r\n')), ...values.map(bulk)]);
    const replies = receive(sock, expected.length);
    // Pieces of 1..9,999 bytes, each written on its own turn, so requests straddle reads.
    for (let at = 0, i = 0; at < request.length; i++) {
      const n = 1 + ((i * 7919) % 9999);
      sock.write(request.subarray(at, at + n));
      at += n;
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    const got = await replies;
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    sock.destroy();
  });

  it('serves other clients between slices of one client’s long pipelined run', async () => {
    // 100 commands of 5 ms each in one write: about 500 ms of work that arrives at once.
    const heavy = await openSocket(s.port);
    const request = Buffer.concat([...Array.from({ length: 100 }, () => command('DEBUG', 'SLEEP', '0.005')), command('ECHO', 'done')]);
    const expected = '+OK\r\n'.repeat(100) + '$4\r\ndone\r\n';
    let heavyDoneAt = 0;
    const replies = receive(heavy, expected.length).then((b) => {
      heavyDoneAt = performance.now();
      return b;
    });
    const r = s.client();
    await r.ping();
    heavy.write(request);
    await new Promise((res) => setTimeout(res, 30));
    expect(await r.ping()).toBe('PONG');
    const pingAt = performance.now();
    // Its input is run in slices with no more bytes arriving: all of it is answered, in order.
    expect((await replies).toString()).toBe(expected);
    expect(pingAt).toBeLessThan(heavyDoneAt);
    heavy.destroy();
  });

  it('keeps a request held by CLIENT PAUSE intact while other reads arrive', async () => {
    const r = s.client();
    const writer = await openSocket(s.port);
    const value = pattern(5000, 42);
    await r.client('PAUSE', '400', 'WRITE');
    const reply = receive(writer, 5);
    writer.write(command('SET', 'held', value)); // parsed, then held until the pause ends
    // Other connections' reads go through the server's read path meanwhile.
    const others = await Promise.all(Array.from({ length: 4 }, () => openSocket(s.port)));
    for (let i = 0; i < 20; i++) {
      for (const o of others) o.write(command('ECHO', pattern(5000, i)));
      await new Promise((res) => setTimeout(res, 5));
    }
    expect((await reply).toString()).toBe('+OK\r\n');
    expect((await r.getBuffer('held'))!.equals(value)).toBe(true);
    for (const o of [writer, ...others]) o.destroy();
  });

  it('sends every byte to a client that stops reading for a while', async () => {
    const r = s.client();
    const value = pattern(1 << 20, 7);
    await r.set('big', value);
    const sock = await openSocket(s.port);
    sock.pause();
    const gets = 40; // 40 MB of replies, past the 16 MB at which an unlimited client stops being read
    sock.write(Buffer.concat(Array.from({ length: gets }, () => command('GET', 'big'))));
    // The server holds what the kernel would not take and counts it as the client's output memory.
    await waitUntil(async () => /omem=[1-9]/.test((await r.client('LIST')) as string), 5000, 'queued output in CLIENT LIST');
    const all = receive(sock, gets * bulk(value).length);
    sock.resume();
    const got = await all;
    for (let i = 0; i < gets; i++) {
      const at = i * bulk(value).length;
      expect(got.subarray(at, at + bulk(value).length).equals(bulk(value))).toBe(true);
    }
    await waitUntil(async () => !/omem=[1-9]/.test((await r.client('LIST')) as string), 5000, 'output drained');
    sock.destroy();
  });

  // Through net streams (allowHalfOpen off) replies made after the peer's FIN are refused, as Redis
  // drops a closed client's output; on the handle a half-closed peer gets them all.
  (env.KEYDB_TS_SOCKET_IO === undefined ? it : it.skip)('sends every byte to a client that closed its side and reads later', async () => {
    const r = s.client();
    const value = pattern(1 << 20, 9);
    await r.set('big-half', value);
    const sock = await openSocket(s.port);
    sock.pause();
    const gets = 30;
    sock.end(Buffer.concat(Array.from({ length: gets }, () => command('GET', 'big-half')))); // the requests, then FIN
    await waitUntil(async () => /omem=[1-9]/.test((await r.client('LIST')) as string), 5000, 'queued output in CLIENT LIST');
    await new Promise((res) => setTimeout(res, 200)); // the server reads the FIN meanwhile
    const all = receive(sock, gets * bulk(value).length);
    sock.resume();
    const got = await all;
    expect(got.equals(Buffer.concat(Array.from({ length: gets }, () => bulk(value))))).toBe(true);
  });

  it('answers a request whose sender closed its side right after it', async () => {
    const sock = await openSocket(s.port);
    const reply = receive(sock, 7);
    sock.end('PING\r\n');
    expect((await reply).toString()).toBe('+PONG\r\n');
  });

  it('replies, then closes, on QUIT and on a protocol error', async () => {
    const quit = await RawConnection.open(s.port);
    expect(await quit.roundtrip('QUIT\r\n', '\r\n')).toBe('+OK\r\n');
    expect(await quit.waitClosed()).toBe(true);
    const bad = await RawConnection.open(s.port);
    expect(await bad.roundtrip('*1\r\n+x\r\n', '\r\n')).toBe("-ERR Protocol error: expected '$', got '+'\r\n");
    expect(await bad.waitClosed()).toBe(true);
  });

  it('frees the client whichever side ends the connection', async () => {
    const r = s.client();
    const connected = async () => Number(infoField((await r.info('clients')) as string, 'connected_clients'));
    const base = await connected();
    const peers = await Promise.all(Array.from({ length: 6 }, () => RawConnection.open(s.port)));
    for (const p of peers) await p.roundtrip('PING\r\n', '\r\n');
    expect(await connected()).toBe(base + 6);
    peers[0].end(); // reset by the peer
    peers[1].send('CLIENT SETNAME victim\r\n');
    await peers[1].waitFor((t) => t.includes('+OK'));
    await r.client('KILL', 'ID', String(await idOf(r, 'victim')));
    expect(await peers[1].waitClosed()).toBe(true);
    peers[2].send(`DEBUG SLEEP 0\r\n${'GET x\r\n'.repeat(1000)}`);
    peers[2].end(); // reset while the server is writing to it
    await waitUntil(async () => (await connected()) === base + 3, 5000, 'three clients freed');
    const fds = ((await r.client('LIST')) as string).match(/ fd=(\d+)/g)!;
    expect(fds.every((f) => Number(f.slice(4)) > 2)).toBe(true);
    for (const p of peers.slice(3)) p.end();
    await waitUntil(async () => (await connected()) === base, 5000, 'all peers freed');
  });

  (hasSs ? it : it.skip)('turns on TCP keepalive at tcp-keepalive seconds (300 by default) for accepted sockets', async () => {
    const sock = await openSocket(s.port);
    await new Promise((res) => setTimeout(res, 50));
    const out = execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${s.port} and dport = :${sock.localPort} )`], { encoding: 'utf8' });
    expect(out).toMatch(/timer:\(keepalive,(4min|5min)/);
    sock.destroy();
  });

  it('serves short-lived connections, each with its own replies only', async () => {
    // Closed clients' output blocks go to the next ones: ten open at once, with replies queued, must not share one.
    const r = s.client();
    const connected = async () => Number(infoField((await r.info('clients')) as string, 'connected_clients'));
    const base = await connected();
    for (let round = 0; round < 8; round++) {
      const socks = await Promise.all(Array.from({ length: 10 }, () => openSocket(s.port)));
      const checks = socks.map((sock, j) => {
        const i = round * 10 + j;
        const value = pattern(1000 + i, i);
        // 400 replies of ~1 KB to a client that reads none yet: more than the kernel takes at once.
        const expected = Buffer.concat([Buffer.from('+OK\r\n'), ...Array.from({ length: 400 }, () => bulk(value))]);
        sock.pause();
        const got = receive(sock, expected.length);
        sock.write(Buffer.concat([command('SET', `churn:${i}`, value), ...Array.from({ length: 400 }, () => command('GET', `churn:${i}`))]));
        return got.then((b) => b.equals(expected));
      });
      await new Promise((res) => setTimeout(res, 50));
      for (const sock of socks) sock.resume();
      expect(await Promise.all(checks)).toEqual(socks.map(() => true));
      socks.forEach((sock, j) => (j % 2 === 0 ? sock.destroy() : sock.end()));
    }
    await waitUntil(async () => (await connected()) === base, 5000, 'every client freed');
  });

  it('gives a new client clean replies after one left with replies unsent', async () => {
    const r = s.client();
    await r.set('big-left', pattern(4 << 20, 3));
    for (let i = 0; i < 10; i++) {
      const leaver = await openSocket(s.port);
      leaver.pause(); // reads nothing: the big replies stay queued in the server
      leaver.write(Buffer.concat([command('GET', 'big-left'), command('ECHO', `left:${i}`), command('GET', 'big-left')]));
      await waitUntil(async () => /omem=[1-9]/.test((await r.client('LIST')) as string), 5000, 'queued output');
      leaver.destroy();
      const next = await openSocket(s.port);
      const expected = Buffer.concat([bulk(Buffer.from(`next:${i}`)), Buffer.from('+PONG\r\n')]);
      const got = receive(next, expected.length);
      next.write(Buffer.concat([command('ECHO', `next:${i}`), command('PING')]));
      expect((await got).equals(expected)).toBe(true);
      next.destroy();
    }
  });
});

describe.each(modes)('listening over %s', (_name, env) => {
  it('fails to start on a port in use, naming the address and the error', async () => {
    const holder = createServer();
    await new Promise<void>((res) => holder.listen(0, '127.0.0.1', res));
    const port = (holder.address() as AddressInfo).port;
    try {
      await expect(startServer(['--port', String(port)], { env })).rejects.toThrow(
        `Failed listening on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      );
    } finally {
      holder.close();
    }
  });

  it('binds a host name, and skips an optional address it cannot bind', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here.
    const s = await startServer(['--bind', 'localhost', '-192.0.2.1'], { env });
    try {
      // Where the server's lookup of the name leads, as ours does.
      const { address } = await lookup('localhost');
      expect(await s.client({ host: address }).ping()).toBe('PONG');
      expect(await s.client({ host: address }).config('GET', 'bind')).toEqual(['bind', 'localhost -192.0.2.1']);
    } finally {
      await closeClients();
      await s.stop();
    }
  });
});

async function idOf(r: ReturnType<RunningServer['client']>, name: string): Promise<number> {
  const line = ((await r.client('LIST')) as string).split('\n').find((l) => l.includes(`name=${name}`))!;
  return Number(/id=(\d+)/.exec(line)![1]);
}
