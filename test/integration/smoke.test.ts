import { startServer, closeClients, RunningServer } from '../helpers/server';

let s: RunningServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await closeClients();
  await s.stop();
});

test('PING, SET/GET round trip through ioredis', async () => {
  const r = s.client();
  expect(await r.ping()).toBe('PONG');
  expect(await r.set('k', 'v')).toBe('OK');
  expect(await r.get('k')).toBe('v');
});

test('binary-safe keys and values', async () => {
  const r = s.client();
  const key = Buffer.from([0, 255, 13, 10, 128]);
  const value = Buffer.from([1, 2, 0, 200, 13, 10, 255]);
  await r.set(key, value);
  expect(await r.getBuffer(key)).toEqual(value);
});

test('keys and values of every length up to 40 bytes keep every byte value', async () => {
  // Short arguments are made into strings by a JS path, longer ones natively (common/latin1.ts).
  const r = s.client();
  const bytesOf = (len: number, seed: number) => Buffer.from(Array.from({ length: len }, (_, i) => (seed + i * 37) & 255));
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let len = 1; len <= 40; len++) {
    for (const seed of [0, 128, 211]) {
      keys.push(Buffer.concat([Buffer.from('len:'), bytesOf(len, seed + len)]));
      values.push(bytesOf(len - 1, seed));
    }
  }
  const pipe = r.pipeline();
  keys.forEach((k, i) => pipe.set(k, values[i]));
  await pipe.exec();
  expect(await r.mgetBuffer(...keys)).toEqual(values);
  const stored = await r.keysBuffer('len:*');
  expect(stored.map((k) => k.toString('hex')).sort()).toEqual(keys.map((k) => k.toString('hex')).sort());
});
