/**
 * Classic replication with real processes: real Redis 7.0 replicating from
 * us, us replicating from real Redis, chains of ours, partial and full
 * resync, expiry as DEL, WAIT, READONLY/MASTERDOWN, and redis-cli's
 * --rdb / --replica against us.
 */
import { spawnSync, spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { readDataset, writeMixedDataset } from '../helpers/dataset';
import { infoField, waitUntil } from '../helpers/wait';

jest.setTimeout(60000);

const running: { stop: () => Promise<number | null> }[] = [];
async function ours(args: string[] = []): Promise<RunningServer> {
  const s = await startServer(['--repl-diskless-sync-delay', '0', ...args]);
  running.push(s);
  return s;
}
async function theirs(args: string[] = []): Promise<ReferenceServer> {
  const r = await startReference(['--repl-diskless-sync-delay', '0', ...args]);
  running.push(r);
  return r;
}
function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  clients.push(r);
  return r;
}
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await closeClients();
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function linkUp(replica: Redis): Promise<void> {
  await waitUntil(async () => infoField(await replica.info('replication'), 'master_link_status') === 'up', 15000, 'master_link_status:up');
}

/** Waits until the replica processed everything the master produced. */
async function caughtUp(master: Redis, replica: Redis): Promise<void> {
  await waitUntil(async () => {
    const m = infoField(await master.info('replication'), 'master_repl_offset');
    const r = infoField(await replica.info('replication'), 'slave_repl_offset');
    return m !== '' && m === r;
  }, 15000, 'replica offset to reach the master offset');
}

async function moreWrites(r: Redis, tag: string): Promise<void> {
  await r.set(`${tag}:after`, 'x');
  await r.append(`${tag}:str`, '-more');
  await r.incrbyfloat(`${tag}:float`, '1.5');
  await r.lpush(`${tag}:list`, 'head');
  await r.rpop(`${tag}:list`);
  await r.hset(`${tag}:hash`, 'f3', 'v3');
  await r.hincrbyfloat(`${tag}:hash`, 'f2', '0.25');
  await r.srem(`${tag}:set`, 'x');
  await r.spop(`${tag}:intset`);
  await r.zincrby(`${tag}:zset`, 10, 'one');
  await r.expire(`${tag}:str`, 500);
  await r.set(`${tag}:px`, 'v', 'PX', 100000);
  await r.del(`${tag}:int`);
  await r.multi().set(`${tag}:m1`, '1').set(`${tag}:m2`, '2').exec();
  await r.select(5);
  await r.set(`${tag}:db5`, 'five');
  await r.select(0);
}

describeWithRedis('replication interop with Redis 7.0', () => {
  const kinds = { ours, theirs } as const;
  test.each([
    ['a real Redis replica of ours', 'ours', 'theirs'],
    ['ours as a replica of a real Redis', 'theirs', 'ours'],
  ] as const)('%s ends with an identical dataset, after full sync and continued writes', async (_name, masterKind, replicaKind) => {
    const master = await kinds[masterKind]();
    const m = client(master.port);
    await writeMixedDataset(m, 'pre');
    const replica = await kinds[replicaKind](['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(replica.port);
    await linkUp(r);
    await caughtUp(m, r);
    expect(await readDataset(r)).toEqual(await readDataset(m));
    await moreWrites(m, 'pre');
    await writeMixedDataset(m, 'post');
    await caughtUp(m, r);
    expect(await readDataset(r)).toEqual(await readDataset(m));
    await expect(r.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
  });

  test('killing the link leads to a partial resync (real Redis replica)', async () => {
    const master = await ours();
    const m = client(master.port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(ref.port);
    await linkUp(r);
    await m.set('k', 'v1');
    await caughtUp(m, r);
    const before = Number(infoField(await m.info('stats'), 'sync_partial_ok'));
    expect(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1);
    await m.set('k', 'v2');
    await waitUntil(async () => Number(infoField(await m.info('stats'), 'sync_partial_ok')) === before + 1, 15000, 'sync_partial_ok to grow');
    await caughtUp(m, r);
    expect(await r.get('k')).toBe('v2');
  });

  test('ours reconnects to a real Redis master with PSYNC and continues', async () => {
    const ref = await theirs();
    const m = client(ref.port);
    const replica = await ours(['--replicaof', '127.0.0.1', String(ref.port)]);
    const r = client(replica.port);
    await linkUp(r);
    await m.set('k', 'v1');
    await caughtUp(m, r);
    await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await m.set('k', 'v2');
    await waitUntil(async () => Number(infoField(await m.info('stats'), 'sync_partial_ok')) === 1, 15000, 'real Redis to accept our PSYNC');
    await caughtUp(m, r);
    expect(await r.get('k')).toBe('v2');
    expect(Number(infoField(await m.info('stats'), 'sync_full'))).toBe(1);
  });

  test('overrunning the backlog leads to a full resync', async () => {
    const master = await ours(['--repl-backlog-size', '16kb']);
    const m = client(master.port);
    const replica = await ours(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(replica.port);
    await linkUp(r);
    expect(Number(infoField(await m.info('stats'), 'sync_full'))).toBe(1);
    replica.proc.kill('SIGSTOP');
    try {
      await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
      for (let i = 0; i < 50; i++) await m.set(`big${i}`, 'x'.repeat(1024));
    } finally {
      replica.proc.kill('SIGCONT');
    }
    await waitUntil(async () => Number(infoField(await m.info('stats'), 'sync_full')) === 2, 15000, 'a second full sync');
    expect(Number(infoField(await m.info('stats'), 'sync_partial_err'))).toBeGreaterThanOrEqual(1);
    await caughtUp(m, r);
    expect(await readDataset(r)).toEqual(await readDataset(m));
    // CONFIG SET resizes the live backlog, keeping its newest bytes.
    const before = await m.info('replication');
    await m.config('SET', 'repl-backlog-size', '1mb');
    const after = await m.info('replication');
    expect(infoField(after, 'repl_backlog_size')).toBe('1048576');
    expect(infoField(after, 'repl_backlog_histlen')).toBe(infoField(before, 'repl_backlog_histlen'));
    expect(infoField(after, 'master_repl_offset')).toBe(infoField(before, 'master_repl_offset'));
  });

  test('a chain ours → ours → ours stays identical', async () => {
    const a = await ours();
    const ma = client(a.port);
    await writeMixedDataset(ma, 'pre');
    const b = await ours(['--replicaof', '127.0.0.1', String(a.port)]);
    const rb = client(b.port);
    await linkUp(rb);
    const c = await ours(['--replicaof', '127.0.0.1', String(b.port)]);
    const rc = client(c.port);
    await linkUp(rc);
    await moreWrites(ma, 'pre');
    await caughtUp(ma, rb);
    await caughtUp(rb, rc);
    const expected = await readDataset(ma);
    expect(await readDataset(rb)).toEqual(expected);
    expect(await readDataset(rc)).toEqual(expected);
  });

  test('expiries reach replicas as deletes', async () => {
    const master = await ours(['--hz', '50']);
    const m = client(master.port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(ref.port);
    await linkUp(r);
    await m.set('short', 'v', 'PX', 200);
    await caughtUp(m, r);
    expect(await r.dbsize()).toBe(1);
    // Nobody reads the key on the master: its active expiry must send DEL.
    await waitUntil(async () => (await r.dbsize()) === 0, 5000, 'the DEL to reach the replica');
  });

  test('FLUSHALL reaches a real Redis replica also when the master saves on it', async () => {
    const master = await ours(['--save', '3600 1']);
    const m = client(master.port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(ref.port);
    await linkUp(r);
    await m.mset('a', '1', 'b', '2');
    await caughtUp(m, r);
    expect(await r.dbsize()).toBe(2);
    // Make the change counter equal what the save leaves it at: FLUSHALL must still travel.
    expect(await m.save()).toBe('OK');
    await m.set('c', '3');
    expect(await m.flushall()).toBe('OK');
    await m.set('after', 'x');
    await caughtUp(m, r);
    expect(await r.keys('*')).toEqual(['after']);
  });

  test('WAIT counts replicas that acknowledged the write', async () => {
    const master = await ours();
    const m = client(master.port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(ref.port);
    await linkUp(r);
    await m.set('w', '1');
    expect(await m.wait(1, 2000)).toBe(1);
    await m.set('w', '2');
    const t0 = Date.now();
    expect(await m.wait(2, 300)).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  test('CLIENT UNBLOCK ends a WAIT with the acknowledgements so far, or with -UNBLOCKED', async () => {
    const master = await ours();
    const m = client(master.port);
    const admin = client(master.port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(master.port)]);
    await linkUp(client(ref.port));
    await m.set('w', '1');
    expect(await m.wait(1, 2000)).toBe(1);
    const id = String(await m.client('ID'));
    // Two replicas can never answer: only CLIENT UNBLOCK ends these waits.
    const waiting = m.wait(2, 0);
    await waitUntil(async () => /blocked_clients:1/.test(await admin.info('clients')), 5000, 'WAIT to block');
    expect(await admin.call('CLIENT', 'UNBLOCK', id)).toBe(1);
    expect(await waiting).toBe(1);
    const failing = m.wait(2, 0);
    await waitUntil(async () => /blocked_clients:1/.test(await admin.info('clients')), 5000, 'WAIT to block');
    expect(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(1);
    await expect(failing).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await admin.call('CLIENT', 'UNBLOCK', id)).toBe(0);
  });

  test('replica-serve-stale-data no answers MASTERDOWN while the link is down', async () => {
    const replica = await ours(['--replicaof', '127.0.0.1', '1', '--replica-serve-stale-data', 'no']);
    const r = client(replica.port);
    await expect(r.get('x')).rejects.toThrow("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    // As in Redis 7.0, PING is refused too while INFO and CONFIG still answer.
    await expect(r.ping()).rejects.toThrow('MASTERDOWN');
    expect(infoField(await r.info('replication'), 'master_link_status')).toBe('down');
    expect(await r.config('GET', 'replica-serve-stale-data')).toEqual(['replica-serve-stale-data', 'no']);
  });

  test('several replicas asking at once share one snapshot', async () => {
    const master = await ours(['--repl-diskless-sync-delay', '2']);
    const m = client(master.port);
    await writeMixedDataset(m, 'pre');
    const replicas = await Promise.all([0, 1, 2].map(() => ours(['--replicaof', '127.0.0.1', String(master.port)])));
    const rs = replicas.map((s) => client(s.port));
    for (const r of rs) await linkUp(r);
    const starts = master.output().split('\n').filter((l) => l.includes('Starting snapshot for replication'));
    expect(starts).toHaveLength(1);
    expect(JSON.parse(starts[0]).replicas).toHaveLength(3);
    const expected = await readDataset(m);
    for (const r of rs) expect(await readDataset(r)).toEqual(expected);
  });

  test('a replica stopped past the replica hard limit is cut off, then resyncs', async () => {
    const master = await ours(['--client-output-buffer-limit', 'replica 1mb 512kb 60']);
    const m = client(master.port);
    const replica = await ours(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(replica.port);
    await linkUp(r);
    replica.proc.kill('SIGSTOP');
    try {
      for (let i = 0; i < 40; i++) await m.set(`v${i}`, 'y'.repeat(256 * 1024));
      await waitUntil(async () => Number(infoField(await m.info('stats'), 'client_output_buffer_limit_disconnections')) >= 1, 10000, 'the replica to be cut off');
      expect(Number(infoField(await m.info('replication'), 'connected_slaves'))).toBe(0);
    } finally {
      replica.proc.kill('SIGCONT');
    }
    await linkUp(r);
    await caughtUp(m, r);
    expect(await r.dbsize()).toBe(40);
  });

  test('a master killed while a replica waits for its full sync: the replica stays up and syncs once the master is back', async () => {
    const master = await ours(['--repl-diskless-sync-delay', '1']);
    const m = client(master.port);
    for (let i = 0; i < 2000; i++) await m.set(`k${i}`, 'v');
    const replica = await ours(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(replica.port);
    await waitUntil(() => master.output().includes('full resync requested'), 5000, 'the replica to ask for a full sync');
    master.proc.kill('SIGKILL');
    await new Promise((res) => setTimeout(res, 1500));
    expect(infoField(await r.info('replication'), 'master_link_status')).toBe('down');
    expect(await r.ping()).toBe('PONG');
    const again = await ours(['--port', String(master.port), '--repl-diskless-sync-delay', '0']);
    await client(again.port).set('fresh', '1');
    await linkUp(r);
    await caughtUp(client(again.port), r);
    expect(await r.get('fresh')).toBe('1');
  });

  test('a master restarted with SHUTDOWN resumes its replicas by partial resync', async () => {
    const master = await ours(['--save', '3600 1']);
    const dir = master.dir;
    const port = master.port;
    const m = client(port);
    const ref = await theirs(['--replicaof', '127.0.0.1', String(port)]);
    const r = client(ref.port);
    await linkUp(r);
    await writeMixedDataset(m, 'pre');
    await caughtUp(m, r);
    await m.shutdown('SAVE').catch(() => undefined);
    await new Promise((res) => (master.proc.exitCode !== null ? res(null) : master.proc.once('exit', res)));
    const again = await startServer(['--port', String(port), '--save', '3600 1'], { cwd: dir });
    running.push(again);
    const m2 = client(again.port);
    await waitUntil(async () => Number(infoField(await m2.info('stats'), 'sync_partial_ok')) === 1, 15000, 'the replica to continue with PSYNC');
    expect(Number(infoField(await m2.info('stats'), 'sync_full'))).toBe(0);
    await m2.set('after-restart', 'yes');
    await caughtUp(m2, r);
    expect(await readDataset(r)).toEqual(await readDataset(m2));
  });

  test('a replica restarted with SHUTDOWN resumes by partial resync', async () => {
    const ref = await theirs();
    const m = client(ref.port);
    await writeMixedDataset(m, 'pre');
    const replica = await ours(['--replicaof', '127.0.0.1', String(ref.port), '--save', '3600 1']);
    const r = client(replica.port);
    await linkUp(r);
    await caughtUp(m, r);
    await r.shutdown('SAVE').catch(() => undefined);
    await new Promise((res) => (replica.proc.exitCode !== null ? res(null) : replica.proc.once('exit', res)));
    await m.set('while-down', '1');
    const again = await startServer(['--port', String(replica.port), '--replicaof', '127.0.0.1', String(ref.port), '--save', '3600 1'], { cwd: replica.dir });
    running.push(again);
    const r2 = client(again.port);
    await linkUp(r2);
    await caughtUp(m, r2);
    expect(Number(infoField(await m.info('stats'), 'sync_partial_ok'))).toBe(1);
    expect(Number(infoField(await m.info('stats'), 'sync_full'))).toBe(1);
    expect(await readDataset(r2)).toEqual(await readDataset(m));
  });

  test('REPLICAOF NO ONE keeps the data and lets a sibling continue with PSYNC', async () => {
    const a = await ours();
    const ma = client(a.port);
    await writeMixedDataset(ma, 'pre');
    const b = await ours(['--replicaof', '127.0.0.1', String(a.port)]);
    const c = await ours(['--replicaof', '127.0.0.1', String(a.port)]);
    const rb = client(b.port);
    const rc = client(c.port);
    await linkUp(rb);
    await linkUp(rc);
    await caughtUp(ma, rb);
    await caughtUp(ma, rc);
    expect(await rb.replicaof('NO', 'ONE')).toBe('OK');
    const info = await rb.info('replication');
    expect(infoField(info, 'role')).toBe('master');
    expect(infoField(info, 'master_replid2')).toBe(infoField(await ma.info('replication'), 'master_replid'));
    expect(await rb.dbsize()).toBeGreaterThan(0);
    await rc.replicaof('127.0.0.1', String(b.port));
    await waitUntil(async () => Number(infoField(await rb.info('stats'), 'sync_partial_ok')) === 1, 15000, 'the sibling to PSYNC against the promoted node');
    expect(Number(infoField(await rb.info('stats'), 'sync_full'))).toBe(0);
    await rb.set('new-master', 'yes');
    await caughtUp(rb, rc);
    expect(await readDataset(rc)).toEqual(await readDataset(rb));
  });

  test('redis-cli --rdb and --replica work against us', async () => {
    const master = await ours();
    const m = client(master.port);
    await writeMixedDataset(m, 'cli');
    const file = join(master.dir, 'fetched.rdb');
    const rdb = spawnSync('redis-cli', ['-p', String(master.port), '--rdb', file], { encoding: 'utf8', timeout: 20000 });
    expect(rdb.status).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('REDIS');
    // The fetched file loads in real Redis with our dataset.
    const ref = await theirs(['--dir', master.dir, '--dbfilename', 'fetched.rdb']);
    expect(await readDataset(client(ref.port))).toEqual(await readDataset(m));
    const watcher = spawn('redis-cli', ['-p', String(master.port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    watcher.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    watcher.stderr.on('data', (d: Buffer) => (seen += d.toString()));
    await waitUntil(() => seen.includes('SYNC done'), 10000, 'redis-cli --replica to sync');
    await m.set('streamed', 'yes');
    await waitUntil(() => seen.includes('"streamed"'), 10000, 'the write to appear in redis-cli --replica');
    watcher.kill();
  });
});
