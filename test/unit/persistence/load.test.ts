import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../../src/config/config';
import { D } from '../../../src/config/directives';
import { Crc64 } from '../../../src/persistence/crc64';
import { loadAtStartup, loadReplicaRdb } from '../../../src/persistence/load';
import { installPersistence } from '../../../src/persistence/persistence';
import { RdbEncoder } from '../../../src/persistence/rdb-writer';
import { Snapshot } from '../../../src/persistence/snapshot';
import { Server } from '../../../src/server/server';
import { decode } from './rdb-helpers';

interface Key {
  key: string;
  value: string;
  expireAtMs?: number;
  mvcc?: number;
  db?: number;
}

function writeRdb(path: string, keys: Key[]): void {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), true);
  enc.header();
  let db = -1;
  for (const k of keys) {
    if ((k.db ?? 0) !== db) {
      db = k.db ?? 0;
      enc.selectDb(db);
    }
    enc.keyValue(k.key, k.value, k.expireAtMs ?? -1, k.mvcc ?? -1);
  }
  enc.eof();
  enc.flush();
  const body = Buffer.concat(chunks);
  const crc = new Crc64();
  crc.update(body);
  writeFileSync(path, Buffer.concat([body, crc.digestBytes()]));
}

function newServer(dir: string): Server {
  const config = new Config();
  config.setRaw(D.dir, dir);
  return new Server(config);
}

const PAST = Date.now() - 60_000;
const FUTURE = Date.now() + 3_600_000;

test('a master drops keys already expired; counts loaded and expired keys; no file is no error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const server = newServer(dir);
  const p = installPersistence(server);
  expect(await loadAtStartup(server, p)).toBeNull();
  writeRdb(join(dir, 'dump.rdb'), [
    { key: 'live', value: '1', expireAtMs: FUTURE },
    { key: 'dead', value: '2', expireAtMs: PAST },
    { key: 'plain', value: '3', db: 4 },
  ]);
  const result = await loadAtStartup(server, p);
  expect(result).toMatchObject({ keysLoaded: 2, keysExpired: 1 });
  expect(server.keyspace.dbs[0].dict.has('dead')).toBe(false);
  expect(server.keyspace.dbs[0].expires.get('live')).toBe(FUTURE);
  expect(server.keyspace.dbs[4].dict.get('plain')).toBe('3');
  expect(p.loading).toBeNull();
});

test('a replica keeps expired keys; a full sync replaces the whole dataset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const server = newServer(dir);
  const p = installPersistence(server);
  server.keyspace.dbs[0].setKey('local', 'gone after the sync');
  server.keyspace.dbs[9].setKey('other-db', 'gone too');
  const file = join(dir, 'sync.rdb');
  writeRdb(file, [
    { key: 'dead', value: '2', expireAtMs: PAST },
    { key: 'k', value: 'v' },
  ]);
  await loadReplicaRdb(server, p, file, false);
  expect([...server.keyspace.dbs[0].dict.keys()].sort()).toEqual(['dead', 'k']);
  expect(server.keyspace.dbs[9].size).toBe(0);
});

test('a failed full sync leaves an empty dataset, not half of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const server = newServer(dir);
  const p = installPersistence(server);
  const file = join(dir, 'sync.rdb');
  const keys: Key[] = [];
  for (let i = 0; i < 1000; i++) keys.push({ key: `k${i}`, value: 'v' });
  writeRdb(file, keys);
  const whole = readFileSync(file);
  writeFileSync(file, whole.subarray(0, whole.length - 50));
  await expect(loadReplicaRdb(server, p, file, false)).rejects.toThrow(/unexpected end of data/);
  expect(server.keyspace.totalKeys()).toBe(0);
});

test('merge (KeyDB active replica): newer stamp wins per key, a tie keeps the greater string, unstamped keys go to the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const server = newServer(dir);
  const p = installPersistence(server);
  const db = server.keyspace.dbs[0];
  const local = (key: string, value: string, stamp: number | null): void => {
    db.setKey(key, value);
    if (stamp !== null) db.keyTimestamps.set(key, stamp);
  };
  local('local-newer', 'local', 200);
  local('file-newer', 'local', 100);
  local('tie', 'local', 150);
  local('tie-file-greater', 'a-local', 150);
  local('unstamped-local', 'local', null);
  local('unstamped-file', 'local', 500);
  local('only-local', 'kept', 1);
  db.setExpire('file-newer', FUTURE);
  const file = join(dir, 'merge.rdb');
  writeRdb(file, [
    { key: 'local-newer', value: 'file', mvcc: 100 },
    { key: 'file-newer', value: 'file', mvcc: 200 },
    { key: 'tie', value: 'file', mvcc: 150 },
    { key: 'tie-file-greater', value: 'b-file', mvcc: 150 },
    { key: 'unstamped-local', value: 'file', mvcc: 1 },
    { key: 'only-file', value: 'new', mvcc: 7 },
  ]);
  // A file whose keys carry no stamp at all (plain Redis): every key wins.
  const plainFile = join(dir, 'plain.rdb');
  writeRdb(plainFile, [{ key: 'unstamped-file', value: 'file' }]);
  await loadReplicaRdb(server, p, file, true);
  await loadReplicaRdb(server, p, plainFile, true);
  const v = (k: string): unknown => db.dict.get(k);
  expect(v('local-newer')).toBe('local');
  expect(v('file-newer')).toBe('file');
  expect(db.expires.has('file-newer')).toBe(false); // replaced value, replaced TTL
  expect(db.keyTimestamps.get('file-newer')).toBe(200);
  // Equal stamps: both nodes must pick the same value, so the greater string stays (last-writer-wins.ts).
  expect(v('tie')).toBe('local');
  expect(v('tie-file-greater')).toBe('b-file');
  expect(v('unstamped-local')).toBe('file');
  expect(v('unstamped-file')).toBe('file');
  expect(db.keyTimestamps.has('unstamped-file')).toBe(false);
  expect(v('only-local')).toBe('kept');
  expect(v('only-file')).toBe('new');
});

test('a merge during a BGSAVE-style snapshot is copied first (it goes through the Db hooks)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const server = newServer(dir);
  const p = installPersistence(server);
  const db = server.keyspace.dbs[0];
  for (let i = 0; i < 5000; i++) db.setKey(`k${i}`, 'before');
  const snap: Snapshot = p.createSnapshot(0);
  const chunks: Buffer[] = [];
  let isEnded = false;
  snap.addSink({ write: (c) => (chunks.push(Buffer.from(c)), true), onDrain: () => undefined, end: () => (isEnded = true), abort: () => undefined });
  snap.start();
  const file = join(dir, 'merge.rdb');
  const keys: Key[] = [];
  for (let i = 0; i < 5000; i++) keys.push({ key: `k${i}`, value: 'after' });
  writeRdb(file, keys);
  await loadReplicaRdb(server, p, file, true);
  while (!isEnded) await new Promise((r) => setImmediate(r));
  const saved = decode(Buffer.concat(chunks)).dbs[0];
  expect(Object.values(saved).every((k) => k.value === 'before')).toBe(true);
  expect(Object.keys(saved).length).toBe(5000);
  expect(db.dict.get('k4999')).toBe('after');
});
