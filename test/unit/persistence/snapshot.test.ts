import { ByteSink, Snapshot, SnapshotRegistry } from '../../../src/persistence/snapshot';
import { Keyspace } from '../../../src/store/keyspace';
import { ListValue } from '../../../src/store/types/list';
import type { RedisValue } from '../../../src/store/value';
import { decode, Plain, PlainKey, plain } from './rdb-helpers';

/** Collects chunks; can play "full" until released. */
class MemorySink implements ByteSink {
  chunks: Buffer[] = [];
  isEnded = false;
  abortReason: string | null = null;
  isFull = false;
  private resume: (() => void) | null = null;

  write(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return !this.isFull;
  }
  onDrain(resume: () => void): void {
    this.resume = resume;
  }
  drain(): void {
    this.isFull = false;
    const r = this.resume;
    this.resume = null;
    if (r !== null) r();
  }
  end(): void {
    this.isEnded = true;
  }
  abort(reason: string): void {
    this.abortReason = reason;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function list(...items: string[]): ListValue {
  const l = new ListValue();
  for (const i of items) l.pushBack(i);
  return l;
}

/** The dataset as the decoder reports it: db → key → value/expiry. */
function expectedOf(ks: Keyspace): Record<number, Record<string, PlainKey>> {
  const out: Record<number, Record<string, PlainKey>> = {};
  for (const db of ks.dbs) {
    if (db.size === 0) continue;
    const entries: Record<string, PlainKey> = {};
    for (const [k, v] of db.dict) {
      const e: PlainKey = { value: plain(v) };
      const exp = db.expires.get(k);
      if (exp !== undefined) e.expireAtMs = exp;
      entries[k] = e;
    }
    out[db.id] = entries;
  }
  return out;
}

function snapshotOf(registry: SnapshotRegistry, sliceMs = 0, chunkBytes = 256): Snapshot {
  return new Snapshot(registry, { isCompressing: true, hasChecksum: true, aux: [['redis-ver', '7.0.15']], sliceMs, chunkBytes });
}

async function untilEnded(sink: MemorySink): Promise<void> {
  for (let i = 0; i < 100000 && !sink.isEnded && sink.abortReason === null; i++) await turn();
}

test('the file is the dataset as of start, whatever changes while it is written (key-level copy-on-write)', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  const [db0, db1, db2, db3] = ks.dbs;
  for (let i = 0; i < 3000; i++) db0.setKey(`k${i}`, `v${i}`);
  for (let i = 0; i < 100; i += 3) db0.setExpire(`k${i}`, 4102444800000 + i);
  db0.setKey('list', list('a', 'b'));
  for (let i = 0; i < 500; i++) db1.setKey(`one:${i}`, String(i));
  for (let i = 0; i < 200; i++) db2.setKey(`two:${i}`, 'x'.repeat(i));
  db3.setKey('three', 'stays');
  const expected = expectedOf(ks);

  const snap = snapshotOf(registry);
  const sink = new MemorySink();
  snap.addSink(sink);
  snap.start();
  expect(registry.count).toBe(1);
  // Changes land between slices, on keys before and after the walk's position, in every db.
  let round = 0;
  while (!sink.isEnded) {
    const n = round++;
    db0.setKey(`k${(n * 37) % 3000}`, `changed${n}`);
    db0.deleteKey(`k${(n * 53 + 11) % 3000}`);
    db0.setKey(`new${n}`, 'created after start');
    db0.setExpire(`k${(n * 71 + 5) % 3000}`, 1);
    db0.removeExpire(`k${(n * 3) % 100}`);
    (db0.lookupWrite('list') as ListValue | undefined)?.pushBack(`push${n}`);
    db1.deleteKey(`one:${(n * 7) % 500}`);
    db1.setKey(`one:${(n * 7) % 500}`, 'deleted then recreated');
    if (n === 3) db2.clear(); // FLUSHDB: fresh maps; the snapshot keeps the old ones
    if (n === 5) ks.dbs[3].swapWith(ks.dbs[4]); // SWAPDB 3 4 before the walk reached db 3
    if (n === 6) db3.setKey('after-swap', 'not in the snapshot');
    await turn();
  }
  expect(registry.count).toBe(0);
  const d = decode(sink.bytes);
  expect(d.dbs).toEqual(expected);
  expect(snap.cowKeys).toBeGreaterThan(0);
  expect(snap.cowBytes).toBeGreaterThan(0);
  expect(snap.keysWritten).toBe(snap.keysTotal);
});

test('every sink receives the same bytes; the walk pauses while a sink is full', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  for (let i = 0; i < 2000; i++) ks.dbs[0].setKey(`key:${i}`, `value:${i}`);
  const snap = snapshotOf(registry, 5, 1024);
  const fast = new MemorySink();
  const slow = new MemorySink();
  snap.addSink(fast);
  snap.addSink(slow);
  slow.isFull = true;
  snap.start();
  for (let i = 0; i < 20; i++) await turn();
  // Paused after the first chunk it could not take: no more walking.
  expect(slow.chunks.length).toBe(1);
  expect(fast.chunks.length).toBe(1);
  expect(fast.isEnded).toBe(false);
  slow.drain();
  await untilEnded(slow);
  expect(fast.isEnded).toBe(true);
  expect(fast.bytes.equals(slow.bytes)).toBe(true);
  expect(Object.keys(decode(fast.bytes).dbs[0]).length).toBe(2000);
});

test('copies made while the sink is full are kept and go out; the result stays point-in-time', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  const db = ks.dbs[0];
  for (let i = 0; i < 1000; i++) db.setKey(`key:${i}`, `value:${i}`);
  const expected = expectedOf(ks);
  const snap = snapshotOf(registry, 5, 512);
  const sink = new MemorySink();
  sink.isFull = true;
  snap.addSink(sink);
  snap.start();
  await turn();
  for (let i = 0; i < 1000; i++) db.setKey(`key:${i}`, 'overwritten'.repeat(10));
  sink.drain();
  await untilEnded(sink);
  expect(decode(sink.bytes).dbs).toEqual(expected);
  expect(snap.cowKeys).toBeGreaterThan(900);
});

test('abort tells every sink and detaches from the keyspace', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  for (let i = 0; i < 5000; i++) ks.dbs[0].setKey(`key:${i}`, 'v');
  const snap = snapshotOf(registry);
  const a = new MemorySink();
  const b = new MemorySink();
  snap.addSink(a);
  snap.addSink(b);
  snap.start();
  await turn();
  snap.removeSink(a, 'replica went away');
  expect(a.abortReason).toBeNull(); // a removed sink is not told again
  snap.abort('test');
  expect(b.abortReason).toBe('test');
  expect(registry.count).toBe(0);
  ks.dbs[0].setKey('key:1', 'after abort');
  await turn();
  expect(b.isEnded).toBe(false);
});

test('an empty keyspace is a valid RDB with only the header, AUX and EOF', () => {
  const ks = new Keyspace(16);
  const snap = snapshotOf(new SnapshotRegistry(ks), Infinity);
  const sink = new MemorySink();
  snap.addSink(sink);
  snap.runToCompletion();
  const d = decode(sink.bytes);
  expect(d.dbs).toEqual({});
  expect(d.aux).toEqual([['redis-ver', '7.0.15']]);
});

test('values the snapshot must not see: keys created then deleted during the walk', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  const db = ks.dbs[0];
  for (let i = 0; i < 2000; i++) db.setKey(`key:${i}`, 'orig');
  const snap = snapshotOf(registry);
  const sink = new MemorySink();
  snap.addSink(sink);
  snap.start();
  for (let n = 0; !sink.isEnded; n++) {
    db.setKey(`temp:${n}`, 'temp');
    db.deleteKey(`temp:${n}`);
    db.setKey(`late:${n}`, 'late');
    await turn();
  }
  const keys = Object.keys(decode(sink.bytes).dbs[0]);
  expect(keys.length).toBe(2000);
  expect(keys.every((k) => k.startsWith('key:'))).toBe(true);
  const values = new Set<Plain>(Object.values(decode(sink.bytes).dbs[0]).map((e) => e.value));
  expect([...values]).toEqual(['orig']);
});

test('RedisValue list mutated in place after lookupWrite is copied first', async () => {
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  const db = ks.dbs[0];
  for (let i = 0; i < 3000; i++) db.setKey(`pad:${i}`, 'p');
  db.setKey('zz-list', list('1', '2'));
  const snap = snapshotOf(registry);
  const sink = new MemorySink();
  snap.addSink(sink);
  snap.start();
  await turn();
  const l = db.lookupWrite('zz-list') as RedisValue as ListValue;
  l.pushBack('3');
  await untilEnded(sink);
  expect(decode(sink.bytes).dbs[0]['zz-list'].value).toEqual(['list', ['1', '2']]);
});

test('a big collection is written across slices; changed mid-way, it is finished first with its start-time content', async () => {
  const { HashValue } = await import('../../../src/store/types/hash');
  const { SetValue } = await import('../../../src/store/types/set');
  const { ZSetValue } = await import('../../../src/store/types/zset');
  const ks = new Keyspace(16);
  const registry = new SnapshotRegistry(ks);
  const db = ks.dbs[0];
  const bigList = new ListValue();
  const bigHash = new HashValue();
  const bigSet = new SetValue();
  const bigZset = new ZSetValue();
  for (let i = 0; i < 20000; i++) {
    bigList.pushBack(`item-${i}`);
    bigHash.set(`field-${i}`, `value-${i}`);
    bigSet.add(`member-${i}`);
    bigZset.add(`z-${i}`, i / 3);
  }
  db.setKey('a-list', bigList);
  db.setKey('b-hash', bigHash);
  db.setKey('c-set', bigSet);
  db.setKey('d-zset', bigZset);
  const expected = expectedOf(ks);
  // sliceMs 0: every slice stops after one step of elements, so each collection spans many slices.
  const snap = snapshotOf(registry, 0, 4096);
  const sink = new MemorySink();
  snap.addSink(sink);
  snap.start();
  let slicesSeen = 0;
  const mutations: (() => void)[] = [
    () => (db.lookupWrite('a-list') as ListValue).pushBack('late'),
    () => (db.lookupWrite('b-hash') as InstanceType<typeof HashValue>).delete('field-1'),
    () => (db.lookupWrite('c-set') as InstanceType<typeof SetValue>).delete('member-19999'),
    () => (db.lookupWrite('d-zset') as InstanceType<typeof ZSetValue>).add('z-0', 1e9),
  ];
  while (!sink.isEnded) {
    await turn();
    slicesSeen++;
    // Change each collection while the walk is somewhere inside it.
    if (slicesSeen % 20 === 10 && mutations.length > 0) mutations.shift()!();
  }
  // Each collection takes ~80 steps; a change finishes it early, so ~20 slices each.
  expect(mutations.length).toBe(0);
  expect(slicesSeen).toBeGreaterThan(60);
  expect(decode(sink.bytes).dbs).toEqual(expected);
});
