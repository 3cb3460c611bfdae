
import { describeWithRedis } from '../helpers/reference';
import { ReplyReader, sideBySide } from '../helpers/compare';

/**
 * HyperLogLog side by side with Redis 7.0: the replies and the stored
 * bytes (GET) after the same PFADD/PFMERGE/PFCOUNT, sparse and dense, and
 * HLL strings carried from one server to the other with SET.
 */
describeWithRedis('HyperLogLog, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  async function same(...args: (string | Buffer)[]): Promise<string> {
    const [mine, theirs] = await Promise.all([a.command(...args), b.command(...args)]);
    expect([args.join(' ').slice(0, 80), mine]).toEqual([args.join(' ').slice(0, 80), theirs]);
    return mine;
  }

  function elements(prefix: string, n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(`${prefix}:${i}:${'x'.repeat(i % 11)}`);
    return out;
  }

  /** The bulk payload of a GET reply. */
  function payload(reply: string): string {
    return reply.slice(reply.indexOf('\r\n') + 2, -2);
  }

  it('fixed cases', async () => {
    const cases: string[][] = [
      ['PFADD', 'h'],
      ['GET', 'h'],
      ['PFADD', 'h'],
      ['PFADD', 'h', 'a', 'b', 'c'],
      ['PFADD', 'h', 'a'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['GET', 'h'],
      ['PFADD', 'h', 'd'],
      ['GET', 'h'],
      ['PFCOUNT', 'h', 'missing'],
      ['PFCOUNT', 'missing'],
      ['PFMERGE', 'm', 'h', 'missing'],
      ['GET', 'm'],
      ['PFMERGE', 'empty'],
      ['GET', 'empty'],
      ['SET', 'str', 'hello world, not an hll'],
      ['PFADD', 'str', 'x'],
      ['PFCOUNT', 'str'],
      ['PFCOUNT', 'h', 'str'],
      ['PFMERGE', 'h', 'str'],
      ['SET', 'short', 'HYLL'],
      ['PFCOUNT', 'short'],
      ['SET', 'baddense', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00'],
      ['PFCOUNT', 'baddense'],
      ['SET', 'badenc', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff'],
      ['PFADD', 'badenc', 'x'],
      ['SET', 'badsparse', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe'],
      ['PFCOUNT', 'badsparse'],
      ['PFADD', 'badsparse', 'a', 'b'],
      ['PFMERGE', 'x', 'badsparse'],
      ['PFCOUNT', 'h', 'badsparse'],
      ['RPUSH', 'list', 'a'],
      ['PFADD', 'list', 'a'],
      ['PFCOUNT', 'list'],
      ['PFCOUNT', 'h', 'list'],
      ['PFMERGE', 'list', 'h'],
      ['PFADD', 'bin', '\x00', '\xff\xfe', ''],
      ['GET', 'bin'],
    ];
    for (const c of cases) await same(...c);
  });

  it('sparse growth, promotion to dense and merges give the same bytes', async () => {
    const all = elements('e', 3000);
    for (let i = 0; i < all.length; i += 50) {
      await same('PFADD', 'grow', ...all.slice(i, i + 50));
      await same('GET', 'grow');
      if (i % 500 === 0) await same('PFCOUNT', 'grow');
    }
    await same('PFCOUNT', 'grow');
    await same('GET', 'grow');
    for (let i = 0; i < 40; i++) await same('PFADD', `small${i % 4}`, ...elements(`s${i}`, 1 + (i % 9)));
    await same('PFMERGE', 'merged', 'small0', 'small1', 'small2', 'small3');
    await same('GET', 'merged');
    await same('PFMERGE', 'small0', 'grow', 'small1');
    await same('GET', 'small0');
    await same('PFCOUNT', 'small1', 'small2', 'grow', 'small3');
    await same('PFCOUNT', 'small0');
  });

  it('honours hll-sparse-max-bytes', async () => {
    await same('CONFIG', 'SET', 'hll-sparse-max-bytes', '100');
    for (let i = 0; i < 30; i++) {
      await same('PFADD', 'tiny', `t${i}`);
      await same('GET', 'tiny');
    }
    await same('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
  });

  it('HLL strings move between the servers with SET', async () => {
    for (const [key, n] of [['carry-sparse', 200], ['carry-dense', 5000]] as const) {
      const elems = elements(key, n);
      await b.command('PFADD', key, ...elems);
      const fromRedis = payload(await b.command('GET', key));
      await a.command('SET', `${key}-in-ours`, Buffer.from(fromRedis, 'latin1'));
      const [mine, theirs] = [await a.command('PFCOUNT', `${key}-in-ours`), await b.command('PFCOUNT', key)];
      expect(mine).toEqual(theirs);
      await a.command('PFADD', `${key}-ours`, ...elems);
      const fromOurs = payload(await a.command('GET', `${key}-ours`));
      expect(fromOurs).toEqual(fromRedis);
      await b.command('SET', `${key}-in-redis`, Buffer.from(fromOurs, 'latin1'));
      expect(await b.command('PFCOUNT', `${key}-in-redis`)).toEqual(mine);
      // The carried bytes keep growing identically on both servers.
      await same('SET', `${key}-carried`, Buffer.from(fromRedis, 'latin1'));
      await same('PFADD', `${key}-carried`, 'one', 'more', 'element');
      await same('PFCOUNT', `${key}-carried`);
      await same('GET', `${key}-carried`);
    }
  });
});
