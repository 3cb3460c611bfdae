/**
 * Reads a server's whole dataset through a client into a canonical form
 * (every db, every key, its type, value and TTL rounded to seconds), so two
 * servers — ours and a real Redis, or a master and its replica — can be
 * compared with one toEqual.
 */
import Redis from 'ioredis';

export type Dataset = Record<string, Record<string, { type: string; value: unknown; ttl: number }>>;

export async function readDataset(r: Redis, dbs = 16): Promise<Dataset> {
  const out: Dataset = {};
  for (let db = 0; db < dbs; db++) {
    await r.select(db);
    const keys: Buffer[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) continue;
    const entries: Record<string, { type: string; value: unknown; ttl: number }> = {};
    for (const k of keys) {
      const type = await r.type(k);
      let value: unknown;
      if (type === 'string') value = (await r.getBuffer(k))!.toString('latin1');
      else if (type === 'list') value = (await r.lrangeBuffer(k, 0, -1)).map((b) => b.toString('latin1'));
      else if (type === 'hash') {
        const flat = await r.call('HGETALL', k) as Buffer[] | string[];
        const pairs: [string, string][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([String(flat[i]), String(flat[i + 1])]);
        value = pairs.sort();
      } else if (type === 'set') value = (await r.smembersBuffer(k)).map((b) => b.toString('latin1')).sort();
      else if (type === 'zset') value = await r.zrange(k, '0', '-1', 'WITHSCORES');
      else value = null;
      const pttl = await r.pttl(k);
      // TTLs in 10-second units: two reads a moment apart must agree.
      entries[k.toString('latin1')] = { type, value, ttl: pttl < 0 ? pttl : Math.round(pttl / 10000) };
    }
    out[`db${db}`] = entries;
  }
  await r.select(0);
  return out;
}

/** Writes a little of everything into a server (several dbs, binary, TTLs). */
export async function writeMixedDataset(r: Redis, tag: string): Promise<void> {
  await r.select(0);
  await r.set(`${tag}:str`, 'hello');
  await r.set(`${tag}:int`, '12345');
  await r.set(Buffer.from(`${tag}:bin\x00\xff`, 'latin1'), Buffer.from([0, 1, 2, 255, 13, 10]));
  await r.set(`${tag}:ttl`, 'soon', 'EX', 1000);
  await r.incrby(`${tag}:counter`, 42);
  await r.rpush(`${tag}:list`, 'a', 'b', 'c', '1', '2');
  await r.hset(`${tag}:hash`, 'f1', 'v1', 'f2', '2');
  await r.sadd(`${tag}:set`, 'x', 'y', 'z');
  await r.sadd(`${tag}:intset`, '1', '2', '3');
  await r.zadd(`${tag}:zset`, 1, 'one', 2.5, 'two', -3, 'neg');
  await r.select(3);
  await r.set(`${tag}:db3`, 'three');
  await r.lpush(`${tag}:db3list`, 'q');
  await r.select(0);
}
