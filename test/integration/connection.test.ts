/**
 * Connection commands and per-connection limits: PING ECHO QUIT RESET HELLO
 * AUTH SELECT, the CLIENT family (ID SETNAME GETNAME LIST INFO KILL PAUSE
 * UNPAUSE NO-EVICT), requirepass, maxclients, timeout and protected-mode.
 * Exact replies are compared with Redis 7.0; behaviour is driven through
 * ioredis and raw sockets against the real server process.
 */
import { networkInterfaces } from 'node:os';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** HELLO carries the connection id, which differs between the two servers. */
const maskHelloId = (reply: string) => reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '');

describeWithRedis('connection commands, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const cases: string[][] = [
    ['PING'],
    ['PING', 'hello'],
    ['PING', 'a', 'b'],
    ['ECHO'],
    ['ECHO', 'a', 'b'],
    ['ECHO', ''],
    ['SELECT', '-1'],
    ['SELECT', '16'],
    ['SELECT', 'x'],
    ['SELECT', '99999999999'],
    ['SELECT', '9223372036854775807'],
    ['SELECT', '99999999999999999999'],
    ['HELLO', '9223372036854775807'],
    ['CLIENT', 'KILL', 'ID', '9223372036854775807'],
    ['CLIENT', 'LIST', 'ID', '9223372036854775807'],
    ['SELECT', '15'],
    ['SELECT', '0'],
    ['AUTH'],
    ['AUTH', 'x'],
    ['AUTH', 'a', 'b', 'c'],
    ['AUTH', 'nouser', 'x'],
    ['AUTH', 'default', 'any-password'],
    ['HELLO', '2', 'AUTH', 'default', 'any-password'],
    ['HELLO', '4'],
    ['HELLO', '1'],
    ['HELLO', 'x'],
    ['HELLO', '3', 'foo'],
    ['HELLO', '2', 'AUTH'],
    ['HELLO', '2', 'AUTH', 'default'],
    ['HELLO', '2', 'AUTH', 'nouser', 'x'],
    ['HELLO', '2', 'SETNAME'],
    ['HELLO', '2', 'SETNAME', 'a b'],
    ['CLIENT'],
    ['CLIENT', 'FOO'],
    ['CLIENT', 'ID', 'x'],
    ['CLIENT', 'SETNAME'],
    ['CLIENT', 'SETNAME', 'a b'],
    ['CLIENT', 'SETNAME', 'a\nb'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', 'conn-1'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', ''],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'ID', '999999'],
    ['CLIENT', 'KILL', 'ID', 'x'],
    ['CLIENT', 'KILL', 'ID', '-1'],
    ['CLIENT', 'KILL', 'ID', '0'],
    ['CLIENT', 'KILL', 'TYPE', 'foo'],
    ['CLIENT', 'KILL', 'TYPE', 'master'],
    ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'maybe'],
    ['CLIENT', 'KILL', 'FOO', 'bar'],
    ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'ADDR'],
    ['CLIENT', 'KILL', 'a', 'b', 'c'],
    ['CLIENT', 'LIST', 'TYPE', 'foo'],
    ['CLIENT', 'LIST', 'TYPE', 'master'],
    ['CLIENT', 'LIST', 'ID', 'x'],
    ['CLIENT', 'LIST', 'ID', '99999'],
    ['CLIENT', 'LIST', 'foo'],
    ['CLIENT', 'LIST', 'ID'],
    ['CLIENT', 'PAUSE'],
    ['CLIENT', 'PAUSE', 'x'],
    ['CLIENT', 'PAUSE', '-1'],
    ['CLIENT', 'PAUSE', '10', 'FOO'],
    ['CLIENT', 'PAUSE', '10', 'WRITE', 'x'],
    ['client', 'pause', '10', 'all', 'x'],
    ['CLIENT', 'PAUSE', 'x', 'WRITE', 'x'],
    ['CLIENT', 'UNPAUSE', 'x'],
    ['CLIENT', 'UNPAUSE'],
    ['CLIENT', 'NO-EVICT', 'maybe'],
    ['CLIENT', 'NO-EVICT', 'on'],
    ['CLIENT', 'NO-EVICT', 'OFF'],
    ['RESET', 'x'],
    ['RESET'],
  ];
  test.each(cases.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const [mine, theirs] = await Promise.all([a.command(...(args as string[])), b.command(...(args as string[]))]);
    expect(maskHelloId(mine)).toEqual(maskHelloId(theirs));
  });

  test('CLIENT KILL of the calling connection answers first, then closes it', async () => {
    const killSelf = async (port: number, form: 'id' | 'addr'): Promise<[string, boolean]> => {
      const r = await ReplyReader.open(port);
      const info = await r.command('CLIENT', 'INFO');
      const id = /id=(\d+)/.exec(info)![1];
      const addr = /addr=(\S+)/.exec(info)![1];
      const reply = form === 'id' ? await r.command('CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no') : await r.command('CLIENT', 'KILL', addr);
      const closed = await r.conn.waitClosed();
      r.close();
      return [reply, closed];
    };
    for (const form of ['id', 'addr'] as const) {
      const [mine, theirs] = await Promise.all([killSelf(servers.ours().port, form), killSelf(servers.ref().port, form)]);
      expect(mine).toEqual(theirs);
      expect(mine[1]).toBe(true);
    }
  });

  test('CLIENT LIST and CLIENT INFO carry the same field names, in the same order', async () => {
    const fields = (line: string) => line.trim().split(' ').map((kv) => kv.split('=')[0]);
    const [mine, theirs] = await Promise.all([a.command('CLIENT', 'INFO'), b.command('CLIENT', 'INFO')]);
    const body = (reply: string) => reply.slice(reply.indexOf('\r\n') + 2, -2);
    expect(fields(body(mine))).toEqual(fields(body(theirs)));
    const [listMine, listTheirs] = await Promise.all([a.command('CLIENT', 'LIST', 'TYPE', 'normal'), b.command('CLIENT', 'LIST', 'TYPE', 'normal')]);
    expect(fields(body(listMine).split('\n')[0])).toEqual(fields(body(listTheirs).split('\n')[0]));
  });
});

describe('connection behaviour', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('QUIT answers OK and closes the connection', async () => {
    const conn = await RawConnection.open(s.port);
    conn.send('QUIT\r\nPING\r\n');
    expect(await conn.waitClosed()).toBe(true);
    expect(conn.text).toBe('+OK\r\n');
  });

  test('SELECT changes the db of this connection only', async () => {
    const r1 = s.client();
    const r2 = s.client();
    await r1.select(3);
    await r1.set('sel', 'in3');
    expect(await r2.get('sel')).toBeNull();
    await r2.select(3);
    expect(await r2.get('sel')).toBe('in3');
  });

  test('RESET drops MULTI, subscriptions, the db and the name, and goes back to RESP2', async () => {
    const conn = await ReplyReader.open(s.port);
    await conn.command('HELLO', '3');
    await conn.command('SELECT', '5');
    await conn.command('CLIENT', 'SETNAME', 'before-reset');
    await conn.command('MULTI');
    expect(await conn.command('RESET')).toBe('+RESET\r\n');
    expect(await conn.command('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    const info = await conn.command('CLIENT', 'INFO');
    expect(info).toMatch(/ db=0 /);
    expect(info).toMatch(/ multi=-1 /);
    expect(info).toMatch(/ resp=2/);
    await conn.command('SUBSCRIBE', 'x');
    expect(await conn.command('RESET')).toBe('+RESET\r\n');
    expect(await conn.command('GET', 'nothing')).toBe('$-1\r\n');
    conn.close();
  });

  test('CLIENT ID is unique per connection and matches CLIENT LIST', async () => {
    const r1 = s.client();
    const r2 = s.client();
    const id1 = (await r1.client('ID')) as number;
    const id2 = (await r2.client('ID')) as number;
    expect(id2).not.toBe(id1);
    const list = (await r1.client('LIST')) as string;
    expect(list).toContain(`id=${id1} `);
    expect(list).toContain(`id=${id2} `);
  });

  test('CLIENT LIST shows names, db, flags, subscriptions and the last command', async () => {
    const r = s.client();
    await r.client('SETNAME', 'lister');
    await r.select(2);
    const id = await r.client('ID');
    const sub = s.client();
    await sub.client('SETNAME', 'subscriber');
    await sub.subscribe('c1', 'c2');
    await sub.psubscribe('p*');
    const lines = ((await r.client('LIST')) as string).trim().split('\n');
    const mine = lines.find((l) => l.startsWith(`id=${id} `))!;
    expect(mine).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=lister age=\d+ idle=\d+ flags=N db=2 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=\S+ user=default redir=-1 resp=[23]$/);
    const subLine = lines.find((l) => l.includes('name=subscriber'))!;
    expect(subLine).toMatch(/ flags=P /);
    expect(subLine).toMatch(/ sub=2 psub=1 /);
    expect(subLine).toMatch(/ cmd=psubscribe /);
    const pubsubOnly = (await r.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    expect(pubsubOnly.trim().split('\n')).toHaveLength(1);
    expect(pubsubOnly).toContain('name=subscriber');
    const byId = (await r.client('LIST', 'ID', String(id))) as string;
    expect(byId.trim().split('\n')).toHaveLength(1);
    const info = (await r.client('INFO')) as string;
    expect(info).toContain(`id=${id} `);
    expect(info.endsWith('\n')).toBe(true);
  });

  test('a client inside MULTI shows flags=x and its queue length', async () => {
    const r = s.client();
    const id = await r.client('ID');
    const conn = await ReplyReader.open(s.port);
    await conn.command('CLIENT', 'SETNAME', 'in-multi');
    await conn.command('MULTI');
    await conn.command('SET', 'a', 'b');
    await conn.command('GET', 'a');
    const list = (await r.client('LIST')) as string;
    const line = list.split('\n').find((l) => l.includes('name=in-multi'))!;
    expect(line).toMatch(/ flags=x /);
    expect(line).toMatch(/ multi=2 /);
    expect(id).toBeGreaterThan(0);
    conn.close();
  });

  test('CLIENT KILL ip:port (old form) closes that connection', async () => {
    const victim = await RawConnection.open(s.port);
    victim.send('CLIENT SETNAME victim\r\n');
    await victim.waitFor((t) => t.includes('+OK'));
    const r = s.client();
    const line = ((await r.client('LIST')) as string).split('\n').find((l) => l.includes('name=victim'))!;
    const addr = /addr=(\S+)/.exec(line)![1];
    expect(await r.client('KILL', addr)).toBe('OK');
    expect(await victim.waitClosed()).toBe(true);
    await expect(r.client('KILL', addr)).rejects.toThrow('ERR No such client');
  });

  test('CLIENT KILL with filters (ID, ADDR, TYPE, SKIPME) returns how many it closed', async () => {
    const r = s.client();
    const v1 = await RawConnection.open(s.port);
    const v2 = await RawConnection.open(s.port);
    v1.send('CLIENT ID\r\n');
    v2.send('SUBSCRIBE killme\r\n');
    const id1 = Number(/:(\d+)/.exec(await v1.waitFor((t) => t.includes('\r\n')))![1]);
    await v2.waitFor((t) => t.includes('killme'));
    expect(await r.client('KILL', 'ID', String(id1))).toBe(1);
    expect(await v1.waitClosed()).toBe(true);
    // Other tests' subscribers may still be connected: at least v2 goes.
    expect(await r.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
    expect(await v2.waitClosed()).toBe(true);
    // SKIPME yes (the default) spares the caller.
    const myId = await r.client('ID');
    expect(await r.client('KILL', 'ID', String(myId))).toBe(0);
    const v3 = await RawConnection.open(s.port);
    v3.send('CLIENT INFO\r\n');
    const v3addr = /addr=(\S+)/.exec(await v3.waitFor((t) => t.includes('addr=')))![1];
    expect(await r.call('CLIENT', 'KILL', 'ADDR', v3addr, 'SKIPME', 'yes')).toBe(1);
    expect(await v3.waitClosed()).toBe(true);
  });

  test('CLIENT PAUSE WRITE holds writes but serves reads; UNPAUSE releases them', async () => {
    const admin = s.client();
    const worker = s.client();
    await worker.set('paused', 'before');
    expect(await admin.client('PAUSE', '5000', 'WRITE')).toBe('OK');
    const t0 = Date.now();
    expect(await worker.get('paused')).toBe('before');
    expect(Date.now() - t0).toBeLessThan(1000);
    let isWriteDone = false;
    const write = worker.set('paused', 'after').then(() => (isWriteDone = true));
    await sleep(300);
    expect(isWriteDone).toBe(false);
    expect(await admin.client('UNPAUSE')).toBe('OK');
    await write;
    expect(await worker.get('paused')).toBe('after');
  });

  test('CLIENT PAUSE ALL holds every command until the timeout passes', async () => {
    const admin = s.client();
    const worker = s.client();
    await worker.ping();
    await admin.client('PAUSE', '400', 'ALL');
    const t0 = Date.now();
    expect(await worker.get('nothing')).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  test('CLIENT NO-EVICT ON shows the e flag', async () => {
    const r = s.client();
    await r.client('NO-EVICT', 'ON');
    expect(await r.client('INFO')).toMatch(/ flags=e /);
    await r.client('NO-EVICT', 'OFF');
    expect(await r.client('INFO')).toMatch(/ flags=N /);
  });

  test('HELLO SETNAME names the connection and HELLO answers the connection id', async () => {
    const conn = await ReplyReader.open(s.port);
    const id = (await conn.command('CLIENT', 'ID')).slice(1, -2);
    const hello = await conn.command('HELLO', '3', 'SETNAME', 'hello-name');
    expect(hello).toContain(`$2\r\nid\r\n:${id}\r\n`);
    expect(hello).toContain('$5\r\nproto\r\n:3\r\n');
    expect(await conn.command('CLIENT', 'GETNAME')).toBe('$10\r\nhello-name\r\n');
    conn.close();
  });
});

describeWithRedis('requirepass, side by side with Redis 7.0', () => {
  let ours: RunningServer;
  let ref: ReferenceServer;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(['--requirepass', 's3cret']), startReference(['--requirepass', 's3cret'])]);
  });
  afterAll(async () => {
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });

  const sessions: [string, string[][]][] = [
    ['NOAUTH before AUTH, then AUTH <password>', [['GET', 'k'], ['PING'], ['AUTH', 's3cret'], ['PING'], ['GET', 'k']]],
    ['WRONGPASS for a bad password or user', [['AUTH', 'nope'], ['AUTH', 'default', 'nope'], ['AUTH', 'other', 's3cret'], ['GET', 'k']]],
    ['AUTH default <password>', [['AUTH', 'default', 's3cret'], ['SET', 'k', 'v'], ['GET', 'k']]],
    ['HELLO before AUTH is refused', [['HELLO', '3'], ['HELLO'], ['PING']]],
    ['HELLO SETNAME before AUTH', [['HELLO', '2', 'SETNAME', 'x'], ['CLIENT', 'GETNAME']]],
    ['HELLO 3 AUTH default <password> logs in', [['HELLO', '3', 'AUTH', 'default', 'nope'], ['PING'], ['HELLO', '3', 'AUTH', 'default', 's3cret'], ['GET', 'missing']]],
    ['RESET logs the connection out', [['AUTH', 's3cret'], ['RESET'], ['PING']]],
    ['QUIT works before AUTH', [['QUIT']]],
  ];
  test.each(sessions)('%s', async (_name, commands) => {
    const [x, y] = await Promise.all([ReplyReader.open(ours.port), ReplyReader.open(ref.port)]);
    for (const args of commands) {
      const [mine, theirs] = await Promise.all([x.command(...args), y.command(...args)]);
      expect([args.join(' '), maskHelloId(mine)]).toEqual([args.join(' '), maskHelloId(theirs)]);
    }
    x.close();
    y.close();
  });

  test('ioredis with the password works; without it every command is refused', async () => {
    const good = ours.client({ password: 's3cret' });
    expect(await good.set('pw', 'ok')).toBe('OK');
    // ioredis opens with HELLO 3, which is refused before AUTH, as in Redis.
    const bad = ours.client();
    await expect(bad.get('pw')).rejects.toThrow(/^NOAUTH /);
  });

  test('redis-cli -a logs in', () => {
    expect(ours.cli('-a', 's3cret', '--no-auth-warning', 'PING').trim()).toBe('PONG');
    expect(ours.cli('PING').trim()).toBe('NOAUTH Authentication required.');
  });
});

describe('maxclients', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(['--maxclients', '3']);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('the client past maxclients gets -ERR max number of clients reached and is closed', async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawConnection.open(s.port);
      c.send('PING\r\n');
      await c.waitFor((t) => t.includes('PONG'));
      held.push(c);
    }
    const extra = await RawConnection.open(s.port);
    expect(await extra.waitClosed()).toBe(true);
    expect(extra.text).toBe('-ERR max number of clients reached\r\n');
    held[0].end();
    await sleep(100);
    const again = await RawConnection.open(s.port);
    again.send('PING\r\n');
    expect(await again.waitFor((t) => t.includes('PONG'))).toBe('+PONG\r\n');
    const info = await again.waitFor(() => true);
    expect(info).toBeDefined();
    for (const c of [...held, again]) c.end();
  });

  test('INFO counts the refused connection', async () => {
    await sleep(100);
    const r = s.client();
    const stats = (await r.info('stats')) as string;
    expect(Number(/rejected_connections:(\d+)/.exec(stats)![1])).toBeGreaterThanOrEqual(1);
    expect(await r.config('GET', 'maxclients')).toEqual(['maxclients', '3']);
  });
});

describe('timeout', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer(['--timeout', '1', '--hz', '50']);
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  test('an idle client is closed after `timeout` seconds; a busy one and a subscriber are not', async () => {
    const idle = await RawConnection.open(s.port);
    const busy = await RawConnection.open(s.port);
    const subscriber = await RawConnection.open(s.port);
    subscriber.send('SUBSCRIBE keepalive\r\n');
    const timer = setInterval(() => busy.send('PING\r\n'), 200);
    expect(await idle.waitClosed(4000)).toBe(true);
    clearInterval(timer);
    expect(busy.closed).toBe(false);
    expect(subscriber.closed).toBe(false);
    busy.end();
    subscriber.end();
  });
});

describeWithRedis('protected-mode', () => {
  /** A local address that is not loopback, so a connection from it counts as external. */
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

  test('CONFIG GET protected-mode is yes by default and loopback clients are served', async () => {
    const s = await startServer();
    const r = s.client();
    expect(await r.config('GET', 'protected-mode')).toEqual(['protected-mode', 'yes']);
    expect(await r.ping()).toBe('PONG');
    await closeClients();
    await s.stop();
  });

  /** Connects from the external address and collects what arrives until close (or 2 s). */
  const fromOutside = async (port: number, send: string): Promise<{ text: string; closed: boolean }> => {
    const { connect } = await import('node:net');
    return new Promise((resolve) => {
      let text = '';
      const sock = connect({ port, host: external!, localAddress: external! }, () => sock.write(send));
      const timer = setTimeout(() => {
        sock.destroy();
        resolve({ text, closed: false });
      }, 2000);
      sock.on('data', (d) => (text += d.toString('latin1')));
      sock.on('error', () => undefined);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve({ text, closed: true });
      });
    });
  };

  (external ? test : test.skip)('a non-loopback client without a password gets -DENIED and a close; protected-mode no lets it in', async () => {
    const ours = await startServer(['--bind', '0.0.0.0']);
    const refused = await fromOutside(ours.port, 'PING\r\n');
    expect(refused.closed).toBe(true);
    expect(refused.text).toMatch(/^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. /);
    await ours.client().config('SET', 'protected-mode', 'no');
    const served = await fromOutside(ours.port, 'PING\r\nQUIT\r\n');
    expect(served.text).toBe('+PONG\r\n+OK\r\n');
    // A password also opens the door, as in Redis.
    await ours.client().config('SET', 'protected-mode', 'yes', 'requirepass', 'pw');
    const withPassword = await fromOutside(ours.port, 'AUTH pw\r\nPING\r\nQUIT\r\n');
    expect(withPassword.text).toBe('+OK\r\n+PONG\r\n+OK\r\n');
    await closeClients();
    await ours.stop();
  });

  // Redis 7.0's text has a typo ("4) Setup a an authentication password"); we copy it.
  (external ? test : test.skip)('the DENIED text is byte for byte the one Redis 7.0 sends', async () => {
    const [ours, ref] = await Promise.all([startServer(['--bind', '0.0.0.0']), startReference(['--bind', '0.0.0.0'])]);
    const [mine, theirs] = await Promise.all([fromOutside(ours.port, 'PING\r\n'), fromOutside(ref.port, 'PING\r\n')]);
    await Promise.all([ours.stop(), ref.stop()]);
    expect(mine).toEqual(theirs);
  });
});
