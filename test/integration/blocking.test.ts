/**
 * Blocking list commands. Multi-client scenarios run step by step against
 * our server and Redis 7.0 and every connection must receive the same
 * bytes: FIFO service, BLMOVE chains, wake-ups by RENAME and EXEC,
 * pipelines held behind a blocked command, pushes interleaved with another
 * client's pipeline. ioredis tests cover timing, disconnects, idle
 * timeouts and many waiters.
 */
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer, withServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { encodeCommand, replyLength, ReplyReader } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';

interface Step {
  conn: number;
  /** Sent in one write, as a pipeline. */
  cmds: string[][];
  /** 'reply': wait for this connection's replies; a number: wait until that many clients are blocked. */
  until: 'reply' | number;
}

const on = (conn: number, ...cmds: string[][]): Step => ({ conn, cmds, until: 'reply' });
const blocks = (conn: number, blocked: number, ...cmds: string[][]): Step => ({ conn, cmds, until: blocked });

function countReplies(text: string): number {
  let n = 0;
  for (let p = 0; p < text.length; n++) {
    const len = replyLength(text, p);
    if (len < 0) break;
    p += len;
  }
  return n;
}

async function blockedClients(control: ReplyReader): Promise<number> {
  const info = await control.command('INFO', 'clients');
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

/** Runs the steps on one server; returns what each connection received. */
async function runScenario(port: number, steps: Step[]): Promise<string[]> {
  const connCount = Math.max(...steps.map((s) => s.conn)) + 1;
  const conns = await Promise.all(Array.from({ length: connCount }, () => RawConnection.open(port)));
  const control = await ReplyReader.open(port);
  const sent = new Array<number>(connCount).fill(0);
  try {
    await control.command('FLUSHALL');
    for (const s of steps) {
      conns[s.conn].send(Buffer.concat(s.cmds.map((c) => encodeCommand(c))));
      sent[s.conn] += s.cmds.length;
      if (s.until === 'reply') {
        await conns[s.conn].waitFor((t) => countReplies(t) >= sent[s.conn]);
      } else {
        const deadline = Date.now() + 3000;
        while ((await blockedClients(control)) !== s.until && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      }
    }
    await Promise.all(conns.map((c, i) => c.waitFor((t) => countReplies(t) >= sent[i])));
    return conns.map((c) => c.text);
  } finally {
    for (const c of conns) c.end();
    control.close();
  }
}

describeWithRedis('blocking lists, side by side with Redis 7.0', () => {
  let ours: RunningServer;
  let ref: ReferenceServer;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(), startReference()]);
  });
  afterAll(async () => {
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });

  async function expectSame(steps: Step[]): Promise<string[]> {
    const mine = await runScenario(ours.port, steps);
    const theirs = await runScenario(ref.port, steps);
    expect(mine).toEqual(theirs);
    return mine;
  }

  test('waiters are served first come, first served', async () => {
    const got = await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0']),
      blocks(2, 2, ['BRPOP', 'k', '0']),
      blocks(3, 3, ['BLPOP', 'other', 'k', '0']),
      on(0, ['RPUSH', 'k', 'a', 'b', 'c', 'd'], ['LRANGE', 'k', '0', '-1']),
    ]);
    expect(got[1]).toBe('*2\r\n$1\r\nk\r\n$1\r\na\r\n');
  });

  test('one element serves only the first waiter; the next push the next one', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0']),
      blocks(2, 2, ['BLPOP', 'k', '0']),
      on(0, ['LPUSH', 'k', 'a'], ['EXISTS', 'k']),
      on(0, ['LPUSH', 'k', 'b', 'c'], ['LRANGE', 'k', '0', '-1']),
    ]);
  });

  test('waiters are served between the pushing client’s pipelined commands', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0']),
      blocks(2, 2, ['BRPOP', 'k', '0']),
      on(0, ['LPUSH', 'k', 'x'], ['LLEN', 'k'], ['RPUSH', 'k', 'y', 'z'], ['LRANGE', 'k', '0', '-1']),
    ]);
  });

  test('a chain of BLMOVE and BRPOPLPUSH moves one element through every list', async () => {
    await expectSame([
      blocks(1, 1, ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0']),
      blocks(2, 2, ['BLMOVE', 'b', 'c', 'RIGHT', 'LEFT', '0']),
      blocks(3, 3, ['BRPOPLPUSH', 'c', 'd', '0']),
      blocks(4, 4, ['BLPOP', 'd', '0']),
      on(0, ['RPUSH', 'a', 'v1', 'v2'], ['LRANGE', 'a', '0', '-1'], ['EXISTS', 'b', 'c', 'd']),
    ]);
  });

  test('BLMOVE onto its own list keeps the element for the next waiter', async () => {
    await expectSame([
      blocks(1, 1, ['BLMOVE', 'k', 'k', 'LEFT', 'RIGHT', '0']),
      blocks(2, 2, ['BLPOP', 'k', '0']),
      on(0, ['RPUSH', 'k', 'v'], ['EXISTS', 'k']),
    ]);
  });

  test('BLMPOP is served with up to COUNT elements', async () => {
    await expectSame([
      blocks(1, 1, ['BLMPOP', '0', '2', 'k1', 'k2', 'RIGHT', 'COUNT', '2']),
      blocks(2, 2, ['BLMPOP', '0', '1', 'k2', 'LEFT', 'COUNT', '5']),
      on(0, ['RPUSH', 'k2', 'a', 'b', 'c'], ['EXISTS', 'k2']),
    ]);
  });

  test('a served BLMOVE whose destination holds another type gets WRONGTYPE and moves nothing', async () => {
    await expectSame([
      blocks(1, 1, ['BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0']),
      on(0, ['SET', 'dst', 'str']),
      on(0, ['RPUSH', 'src', 'v'], ['LRANGE', 'src', '0', '-1']),
    ]);
  });

  test('commands pipelined behind a blocked one wait until it is served', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0'], ['PING'], ['SET', 'after', '1'], ['GET', 'after']),
      on(0, ['GET', 'after']),
      on(0, ['LPUSH', 'k', 'v']),
      on(1, ['GET', 'after']),
    ]);
  });

  test('commands pipelined behind a timed-out one run after the timeout', async () => {
    await expectSame([blocks(1, 1, ['BLPOP', 'k', '0.1'], ['PING']), on(1, ['BRPOPLPUSH', 'k', 'd', '0.05'], ['BLMPOP', '0.05', '1', 'k', 'LEFT'], ['ECHO', 'done'])]);
  });

  test('RENAME, MOVE and COPY onto a waited key wake its waiter', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0']),
      on(0, ['RPUSH', 'tmp', 'v'], ['RENAME', 'tmp', 'k'], ['EXISTS', 'k']),
      blocks(2, 1, ['SELECT', '1'], ['BLPOP', 'm', '0']),
      on(0, ['RPUSH', 'm', 'moved'], ['MOVE', 'm', '1']),
      blocks(3, 1, ['BLPOP', 'c', '0']),
      on(0, ['RPUSH', 'orig', 'copied'], ['COPY', 'orig', 'c'], ['LLEN', 'orig']),
    ]);
  });

  test('a push inside MULTI serves waiters after EXEC', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0']),
      on(0, ['MULTI'], ['RPUSH', 'k', 'a'], ['RPUSH', 'k', 'b'], ['LLEN', 'k'], ['EXEC'], ['LRANGE', 'k', '0', '-1']),
    ]);
  });

  test('waiters are per database; a key named twice waits once', async () => {
    await expectSame([
      blocks(1, 1, ['SELECT', '1'], ['BLPOP', 'k', 'k2', 'k', '0']),
      on(0, ['RPUSH', 'k', 'db0']),
      on(0, ['SELECT', '1'], ['RPUSH', 'k2', 'x', 'y'], ['RPUSH', 'k', 'z'], ['LRANGE', 'k2', '0', '-1'], ['SELECT', '0'], ['LLEN', 'k']),
    ]);
  });

  test('a key of another type does not serve a list waiter', async () => {
    await expectSame([
      blocks(1, 1, ['BLPOP', 'k', '0.2']),
      on(0, ['SET', 'k', 'str'], ['DEL', 'k'], ['HSET', 'k', 'f', 'v']),
    ]);
  });

  test('RESP3 waiters get RESP3 replies on service and timeout', async () => {
    // The HELLO replies differ (ids, versions), so compare what follows them.
    const hello: string[] = ['HELLO', '3'];
    const withHello = [on(1, hello), blocks(1, 1, ['BLPOP', 'k', '0']), on(0, ['RPUSH', 'k', 'v']), on(1, ['BLPOP', 'nokey', '0.05'])];
    const [m3, t3] = await Promise.all([runScenario(ours.port, withHello), runScenario(ref.port, withHello)]);
    const afterHello = (t: string): string => t.slice(replyLength(t, 0));
    expect(afterHello(m3[1])).toEqual(afterHello(t3[1]));
    expect(afterHello(m3[1])).toBe('*2\r\n$1\r\nk\r\n$1\r\nv\r\n_\r\n');
  });
});

describe('blocking lists: timing, disconnects and many waiters', () => {
  let server: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    server = await startServer();
    r = server.client();
  });
  afterAll(async () => {
    await closeClients();
    await server.stop();
  });

  async function waitBlocked(n: number): Promise<void> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const info = await r.info('clients');
      if (Number(/blocked_clients:(\d+)/.exec(info)![1]) === n) return;
      if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients:\n${info}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  test('a timeout answers null after about that long', async () => {
    const c = server.client();
    const t0 = Date.now();
    expect(await c.blpop('nothing', 0.2)).toBeNull();
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
  });

  test('another client’s push wakes a waiter, which then deletes the emptied key', async () => {
    const c = server.client();
    const waiting = c.brpop('wake', 0);
    await waitBlocked(1);
    expect(await r.lpush('wake', 'hello')).toBe(1);
    expect(await waiting).toEqual(['wake', 'hello']);
    expect(await r.exists('wake')).toBe(0);
  });

  test('a client that disconnects while blocked is forgotten', async () => {
    const gone = server.client();
    const stays = server.client();
    gone.blpop('dq', 0).catch(() => undefined);
    await waitBlocked(1);
    const served = stays.blpop('dq', 0);
    await waitBlocked(2);
    gone.disconnect();
    await waitBlocked(1);
    await r.rpush('dq', 'only');
    expect(await served).toEqual(['dq', 'only']);
    await waitBlocked(0);
    await r.rpush('dq', 'kept');
    expect(await r.lrange('dq', 0, -1)).toEqual(['kept']);
    await r.del('dq');
  });

  test('CLIENT LIST shows the b flag and the blocking command', async () => {
    const c = server.client();
    await c.client('SETNAME', 'waiter');
    const waiting = c.blpop('flagged', 0);
    await waitBlocked(1);
    const line = ((await r.client('LIST')) as string).split('\n').find((l) => l.includes('name=waiter'))!;
    expect(line).toMatch(/ flags=b /);
    expect(line).toMatch(/ cmd=blpop /);
    await r.rpush('flagged', 'x');
    expect(await waiting).toEqual(['flagged', 'x']);
  });

  test('two hundred waiters on one key are served in order by one push', async () => {
    const clients = Array.from({ length: 200 }, () => server.client());
    await Promise.all(clients.map((c) => c.ping()));
    const results: Promise<[string, string] | null>[] = [];
    for (let i = 0; i < clients.length; i++) {
      results.push(clients[i].blpop('crowd', 0));
      await waitBlocked(i + 1);
    }
    const values = Array.from({ length: 200 }, (_, i) => `v${i}`);
    expect(await r.rpush('crowd', ...values)).toBe(200);
    const got = await Promise.all(results);
    expect(got.map((g) => g![1])).toEqual(values);
    expect(await r.exists('crowd')).toBe(0);
    for (const c of clients) c.disconnect();
  });

  test('the idle timeout does not close blocked clients', async () => {
    await r.config('SET', 'timeout', '1');
    const c = server.client();
    const waiting = c.blpop('patient', 0);
    await waitBlocked(1);
    await new Promise((res) => setTimeout(res, 2300));
    // The idle timeout closed every other idle client meanwhile, `r` included.
    const fresh = server.client();
    await fresh.config('SET', 'timeout', '0');
    await fresh.rpush('patient', 'finally');
    expect(await waiting).toEqual(['patient', 'finally']);
    r = fresh;
  });

  test('a blocking command inside MULTI answers at once', async () => {
    const res = await r.multi().blpop('never', 0).brpoplpush('never', 'x', 0).exec();
    expect(res).toEqual([
      [null, null],
      [null, null],
    ]);
  });
});

describe('CLIENT UNBLOCK and SWAPDB wake-ups', () => {
  const server = withServer();

  test('CLIENT UNBLOCK ends a wait as a timeout or with -UNBLOCKED', async () => {
    const s = server();
    const admin = s.client();
    const waiter = s.client();
    const id = await waiter.client('ID');
    const pending = waiter.blpop('nothing-here', 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id))).toBe(1);
    expect(await pending).toBeNull();
    const failing = waiter.blpop('nothing-here', 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'ERROR')).toBe(1);
    await expect(failing).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id))).toBe(0);
    await expect(admin.call('CLIENT', 'UNBLOCK', String(id), 'LATER')).rejects.toThrow('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  });

  test('SWAPDB serves a client blocked on a key the swapped-in db holds', async () => {
    const s = server();
    const admin = s.client();
    const waiter = s.client({ db: 1 });
    const pending = waiter.blpop('jobs', 5);
    await new Promise((r) => setTimeout(r, 100));
    await admin.rpush('jobs', 'first');
    expect(await admin.swapdb(0, 1)).toBe('OK');
    expect(await pending).toEqual(['jobs', 'first']);
  });
});
