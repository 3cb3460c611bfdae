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
