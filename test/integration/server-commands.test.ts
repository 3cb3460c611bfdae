/**
 * Server commands: INFO, TIME, DEBUG, SHUTDOWN, MONITOR, SLOWLOG, LATENCY,
 * COMMAND and the HELP texts, against the real server process, compared
 * with Redis 7.0 where the output is deterministic, and driven through
 * redis-cli as a user would.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { ReplyReader } from '../helpers/compare';
import { RawConnection } from '../helpers/raw';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `commands` (inline, one connection) while another connection is in
 * MONITOR, and returns what the monitor saw, timestamps and ports masked.
 */
async function monitorOutput(port: number, commands: string): Promise<string> {
  const monitor = await RawConnection.open(port);
  monitor.send('MONITOR\r\n');
  await monitor.waitFor((t) => t.startsWith('+OK\r\n'));
  const conn = await RawConnection.open(port);
  conn.send(commands + 'ECHO monitor-end\r\n');
  await monitor.waitFor((t) => t.includes('"monitor-end"'));
  monitor.end();
  conn.end();
  return monitor.text.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/gm, '+<time> [$1 <addr>]');
}

/** The lines of a HELP reply (an array of status replies). */
function helpLines(reply: string): string[] {
  return reply
    .split('\r\n')
    .slice(1, -1)
    .map((l) => l.slice(1));
}

/** True when every item of `part` appears in `whole`, in the same order. */
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let at = 0;
  for (const item of part) {
    at = whole.indexOf(item, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

describeWithRedis('server commands, side by side with Redis 7.0', () => {
  let ours: RunningServer;
  let ref: ReferenceServer;
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(async () => {
    [ours, ref] = await Promise.all([startServer(), startReference(['--enable-debug-command', 'yes'])]);
    [a, b] = await Promise.all([ReplyReader.open(ours.port), ReplyReader.open(ref.port)]);
  });
  afterAll(async () => {
    a.close();
    b.close();
    await closeClients();
    await Promise.all([ours.stop(), ref.stop()]);
  });

  test('MONITOR lines: timestamp, db, address, quoted arguments; admin commands skipped', async () => {
    const commands = [
      '*3\r\n$3\r\nset\r\n$1\r\nk\r\n$5\r\na b"c\r\n',
      'GET "x\\x01y\\n"\r\n',
      'CONFIG GET maxmemory\r\n',
      'MULTI\r\nSET a 1\r\nEXEC\r\n',
      'DEBUG SLEEP 0\r\n',
      'CLIENT ID\r\n',
      'NOSUCHCOMMAND\r\n',
      'GET\r\n',
    ].join('');
    const [mine, theirs] = await Promise.all([monitorOutput(ours.port, commands), monitorOutput(ref.port, commands)]);
    expect(mine).toContain('+<time> [0 <addr>] "set" "k" "a b\\"c"\r\n');
    expect(mine).toEqual(theirs);
  });

  test('MONITOR shows AUTH and HELLO AUTH passwords as (redacted)', async () => {
    const commands = [
      'AUTH foo\r\n',
      'AUTH default x\r\n',
      'AUTH a b c\r\n',
      'HELLO 3 AUTH default secret\r\n',
      'HELLO 2 AUTH default secret SETNAME n\r\n',
      'HELLO 2 AUTH\r\n',
      'HELLO 9 AUTH default secret\r\n',
    ].join('');
    const [mine, theirs] = await Promise.all([monitorOutput(ours.port, commands), monitorOutput(ref.port, commands)]);
    expect(mine).toContain('"AUTH" "(redacted)" "(redacted)"');
    expect(mine).toEqual(theirs);
  });

  test.each(['CONFIG', 'SLOWLOG', 'OBJECT'])('%s HELP is the text Redis prints', async (cmd) => {
    const [mine, theirs] = await Promise.all([a.command(cmd, 'HELP'), b.command(cmd, 'HELP')]);
    expect(mine).toEqual(theirs);
  });

  // These containers have subcommands we do not serve (CLIENT TRACKING,
  // LATENCY GRAPH, PUBSUB SHARDCHANNELS...): our text is Redis's text
  // without their entries.
  test.each(['CLIENT', 'COMMAND', 'LATENCY', 'PUBSUB', 'DEBUG'])('%s HELP lists Redis entries, in Redis order', async (cmd) => {
    const [mine, theirs] = await Promise.all([a.command(cmd, 'help'), b.command(cmd, 'help')]);
    const ourLines = helpLines(mine);
    expect(ourLines[0]).toBe(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
    expect(ourLines.slice(-2)).toEqual(['HELP', '    Prints this help.']);
    expect(isSubsequence(ourLines, helpLines(theirs))).toBe(true);
  });
});
