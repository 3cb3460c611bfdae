/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH and pub/sub (SUBSCRIBE PSUBSCRIBE
 * PUBLISH PUBSUB, the RESP2 subscribed context, keyspace notifications):
 * multi-connection sessions replayed against our server and Redis 7.0 with
 * every reply compared, plus timing-dependent cases (WATCH and expiry,
 * expired events) driven through ioredis.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { ReplyReader } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';
import { waitUntil } from '../helpers/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One step of a session: which connection sends, what, and how many frames come back. */
type Step = [conn: number, args: string[], frames?: number];

describeWithRedis('transactions and pub/sub, side by side with Redis 7.0', () => {
  let ours: RunningServer;
  let ref: ReferenceServer;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(), startReference()]);
  });
  afterAll(async () => {
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });

  /** Replays the steps on fresh connections to one server; returns every reply. */
  const replay = async (port: number, steps: Step[]): Promise<string[]> => {
    const count = Math.max(...steps.map(([i]) => i)) + 1;
    const conns = await Promise.all(Array.from({ length: count }, () => ReplyReader.open(port)));
    const out: string[] = [];
    for (const [i, args, frames = 1] of steps) {
      let text = args.length > 0 ? await conns[i].command(...args) : await conns[i].next();
      for (let f = 1; f < frames; f++) text += await conns[i].next();
      out.push(`${i}> ${args.join(' ')}\n${text}`);
    }
    for (const c of conns) c.close();
    return out;
  };

  const sessions: [string, Step[]][] = [
    [
      'MULTI/EXEC runs the queue and answers every reply, runtime errors included',
      [[0, ['FLUSHALL']], [0, ['SET', 's', 'text']], [0, ['MULTI']], [0, ['SET', 'a', '1']], [0, ['INCR', 'a']], [0, ['INCR', 's']], [0, ['GET', 'a']], [0, ['EXEC']], [0, ['GET', 'a']]],
    ],
    ['an empty transaction', [[0, ['MULTI']], [0, ['EXEC']]]],
    [
      'a queued unknown command or wrong arity aborts with EXECABORT',
      [[0, ['MULTI']], [0, ['SET', 'x', '1']], [0, ['NOSUCHCOMMAND']], [0, ['GET']], [0, ['EXEC']], [0, ['GET', 'x']]],
    ],
    ['EXEC and DISCARD without MULTI, nested MULTI', [[0, ['EXEC']], [0, ['DISCARD']], [0, ['MULTI']], [0, ['MULTI']], [0, ['DISCARD']], [0, ['DISCARD']]]],
    ['DISCARD drops the queue', [[0, ['DEL', 'd']], [0, ['MULTI']], [0, ['SET', 'd', '1']], [0, ['DISCARD']], [0, ['GET', 'd']]]],
    ['WATCH inside MULTI is refused; UNWATCH inside MULTI is queued', [[0, ['MULTI']], [0, ['WATCH', 'k']], [0, ['UNWATCH']], [0, ['EXEC']]]],
    [
      "WATCH: another client's write makes EXEC answer a null array",
      [[0, ['SET', 'w', '1']], [0, ['WATCH', 'w']], [1, ['SET', 'w', '2']], [0, ['MULTI']], [0, ['SET', 'w', '3']], [0, ['EXEC']], [0, ['GET', 'w']]],
    ],
    [
      'WATCH: a write to another key, or the same value rewritten by nobody, leaves EXEC alone',
      [[0, ['SET', 'w2', '1']], [0, ['WATCH', 'w2']], [1, ['SET', 'other', '2']], [0, ['MULTI']], [0, ['INCR', 'w2']], [0, ['EXEC']]],
    ],
    [
      'WATCH: the watching client writing the key itself also aborts',
      [[0, ['WATCH', 'own']], [0, ['SET', 'own', '1']], [0, ['MULTI']], [0, ['GET', 'own']], [0, ['EXEC']]],
    ],
    ['WATCH: FLUSHALL aborts', [[0, ['SET', 'fw', '1']], [0, ['WATCH', 'fw']], [1, ['FLUSHALL']], [0, ['MULTI']], [0, ['PING']], [0, ['EXEC']]]],
    ['WATCH: FLUSHDB of an empty watched key does not abort', [[0, ['WATCH', 'nothing-here']], [1, ['FLUSHDB']], [0, ['MULTI']], [0, ['PING']], [0, ['EXEC']]]],
    [
      'WATCH: SWAPDB aborts',
      [[0, ['SET', 'sw', '1']], [0, ['WATCH', 'sw']], [1, ['SWAPDB', '0', '1']], [0, ['MULTI']], [0, ['PING']], [0, ['EXEC']], [1, ['SWAPDB', '0', '1']]],
    ],
    ['WATCH: DEL and EXPIRE abort', [[0, ['SET', 'de', '1']], [0, ['WATCH', 'de']], [1, ['EXPIRE', 'de', '100']], [0, ['MULTI']], [0, ['PING']], [0, ['EXEC']]]],
    ['UNWATCH forgets the watched keys', [[0, ['SET', 'u', '1']], [0, ['WATCH', 'u']], [1, ['SET', 'u', '2']], [0, ['UNWATCH']], [0, ['MULTI']], [0, ['GET', 'u']], [0, ['EXEC']]]],
    [
      'SUBSCRIBE, PSUBSCRIBE, PUBLISH and PUBSUB introspection',
      [
        [0, ['SUBSCRIBE', 'news', 'sport'], 2],
        [1, ['PSUBSCRIBE', 'n*', 's?ort'], 2],
        // Unfiltered CHANNELS lists in hash order: patterns that match one channel keep it comparable.
        [2, ['PUBSUB', 'CHANNELS', 's*']],
        [2, ['PUBSUB', 'CHANNELS', 'n*']],
        [2, ['PUBSUB', 'CHANNELS', 'x*']],
        [2, ['PUBSUB', 'NUMSUB', 'news', 'sport', 'nothing']],
        [2, ['PUBSUB', 'NUMSUB']],
        [2, ['PUBSUB', 'NUMPAT']],
        [2, ['PUBLISH', 'news', 'hello']],
        [0, []],
        [1, []],
        [2, ['PUBLISH', 'sport', 'goal']],
        [0, []],
        [1, []],
        [2, ['PUBLISH', 'nobody', 'x']],
        [0, ['UNSUBSCRIBE', 'news']],
        [1, ['PUNSUBSCRIBE'], 2],
        [2, ['PUBSUB', 'NUMPAT']],
        [0, ['UNSUBSCRIBE']],
        [0, ['UNSUBSCRIBE']],
        [0, ['PUNSUBSCRIBE']],
      ],
    ],
    [
      'a RESP2 subscriber may only (un)subscribe, PING, QUIT or RESET',
      [[0, ['SUBSCRIBE', 'c']], [0, ['GET', 'k']], [0, ['SET', 'k', 'v']], [0, ['PING']], [0, ['PING', 'hi']], [0, ['CLIENT', 'ID']], [0, ['PSUBSCRIBE', 'x*']], [0, ['RESET']], [0, ['GET', 'nothing']]],
    ],
    ['SUBSCRIBE without channels and PUBLISH arity', [[0, ['SUBSCRIBE']], [0, ['PUBLISH', 'a']], [0, ['PUBSUB', 'NUMPAT', 'x']], [0, ['PUBSUB', 'FOO']]]],
    [
      'a subscribed client receives its own PUBLISH after subscribing twice to a pattern',
      [[0, ['PSUBSCRIBE', 'self*']], [0, ['PSUBSCRIBE', 'self*']], [1, ['PUBLISH', 'selfish', 'm']], [0, []], [0, ['PUNSUBSCRIBE', 'self*', 'never*'], 2]],
    ],
    [
      'keyspace notifications: set, expire, del, rename, incrby, keymiss',
      [
        [2, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']],
        [0, ['PSUBSCRIBE', '__key*@0__:*']],
        [1, ['SET', 'nk', '1']],
        [0, [], 2],
        [1, ['EXPIRE', 'nk', '100']],
        [0, [], 2],
        [1, ['INCRBY', 'nk', '5']],
        [0, [], 2],
        [1, ['RENAME', 'nk', 'nk2']],
        [0, [], 4],
        [1, ['DEL', 'nk2']],
        [0, [], 2],
        [1, ['DEL', 'nk2']],
        [1, ['PING']],
        [2, ['CONFIG', 'SET', 'notify-keyspace-events', 'Em']],
        [1, ['GET', 'nk2']],
        [0, []],
        [1, ['TYPE', 'nk2']],
        [0, []],
        [2, ['CONFIG', 'SET', 'notify-keyspace-events', '']],
      ],
    ],
  ];
  test.each(sessions)('%s', async (_name, steps) => {
    const [mine, theirs] = await Promise.all([replay(ours.port, steps), replay(ref.port, steps)]);
    expect(mine).toEqual(theirs);
  });

  test('keyspace notifications: new-key events (n)', async () => {
    const steps: Step[] = [
      [2, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEn']],
      [0, ['PSUBSCRIBE', '__key*@0__:*']],
      [1, ['DEL', 'brand-new']],
      [1, ['SET', 'brand-new', '1']],
      [0, [], 2],
      [2, ['CONFIG', 'SET', 'notify-keyspace-events', '']],
    ];
    const [mine, theirs] = await Promise.all([replay(ours.port, steps), replay(ref.port, steps)]);
    expect(mine).toEqual(theirs);
  });
});

describe('transactions and notifications in time', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(['--hz', '100']);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('WATCH on a key that expires before EXEC makes EXEC fail (Redis 7 rule)', async () => {
    const r = s.client();
    await r.set('wexp', 'v', 'PX', 100);
    await r.watch('wexp');
    await sleep(250);
    const result = await r.multi().set('wexp', 'new').exec();
    expect(result).toBeNull();
  });

  test('WATCH then a write from a second client: the first client retries and succeeds', async () => {
    const r1 = s.client();
    const r2 = s.client();
    await r1.set('counter', '0');
    await r1.watch('counter');
    await r2.incr('counter');
    expect(await r1.multi().incr('counter').exec()).toBeNull();
    await r1.watch('counter');
    expect(await r1.multi().incr('counter').exec()).toEqual([[null, 2]]);
  });

  test('expired events arrive for keys removed by the active cycle', async () => {
    const admin = s.client();
    await admin.config('SET', 'notify-keyspace-events', 'Ex');
    const sub = s.client();
    const events: string[] = [];
    sub.on('message', (_ch: string, key: string) => events.push(key));
    await sub.subscribe('__keyevent@0__:expired');
    for (let i = 0; i < 10; i++) await admin.set(`ev:${i}`, 'v', 'PX', 50);
    const deadline = Date.now() + 3000;
    while (events.length < 10 && Date.now() < deadline) await sleep(50);
    expect(events.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `ev:${i}`).sort());
    await admin.config('SET', 'notify-keyspace-events', '');
  });

  test('a RESP3 client gets messages as push frames and may run commands while subscribed', async () => {
    const conn = await ReplyReader.open(s.port);
    await conn.command('HELLO', '3');
    expect(await conn.command('SUBSCRIBE', 'r3')).toBe('>3\r\n$9\r\nsubscribe\r\n$2\r\nr3\r\n:1\r\n');
    expect(await conn.command('SET', 'while-subscribed', '1')).toBe('+OK\r\n');
    await s.client().publish('r3', 'pushed');
    expect(await conn.next()).toBe('>3\r\n$7\r\nmessage\r\n$2\r\nr3\r\n$6\r\npushed\r\n');
    conn.close();
  });
});

describe('WAIT after a transaction', () => {
  test('WAIT after EXEC waits for the transaction’s writes to be acknowledged', async () => {
    const s = await startServer(['--repl-diskless-sync-delay', '0']);
    try {
      // A replica that acknowledges the offset it attached at, and nothing after.
      const replica = await RawConnection.open(s.port);
      const handshake = await replica.roundtrip('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n', '\r\n');
      const offset = /^\+FULLRESYNC \S+ (\d+)\r\n/.exec(handshake)![1];
      replica.send(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${offset.length}\r\n${offset}\r\n`);
      const r = s.client();
      await waitUntil(async () => (await r.wait(1, 1)) === 1, 5000, 'the replica’s first acknowledgement');
      expect(await r.multi().set('k', 'v').exec()).toEqual([[null, 'OK']]);
      expect(await r.wait(1, 300)).toBe(0);
      replica.end();
    } finally {
      await s.stop();
    }
  });
});
