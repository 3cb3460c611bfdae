/**
 * Server commands: INFO, TIME, DEBUG, SHUTDOWN, MONITOR, SLOWLOG, LATENCY,
 * COMMAND and the HELP texts, against the real server process, compared
 * with Redis 7.0 where the output is deterministic, and driven through
 * redis-cli as a user would.
 */
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis, startReference, ReferenceServer } from '../helpers/reference';
import { ReplyReader } from '../helpers/compare';

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
