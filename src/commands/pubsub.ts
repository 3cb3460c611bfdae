/**
 * Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
 * PUBSUB (CHANNELS NUMSUB NUMPAT). Confirmations are push frames in RESP3
 * and arrays in RESP2, one per channel, as Redis sends them.
 */
import { globMatch } from '../common/glob';
import { addArrayLen, addBulk, addInteger, addNull, addPushLen } from '../protocol/reply';
import type { Client } from '../server/client';
import { family } from './command';
import { addHelp } from './connection';

function addSubscriptionReply(c: Client, kind: string, name: string | null): void {
  addPushLen(c, 3);
  addBulk(c, kind);
  if (name === null) addNull(c);
  else addBulk(c, name);
  addInteger(c, c.subscriptionCount);
}

function subscribeCommand(c: Client, argv: string[]): void {
  for (let i = 1; i < argv.length; i++) {
    const ch = argv[i];
    c.server.pubsub.subscribe(c, ch);
    addSubscriptionReply(c, 'subscribe', ch);
  }
}

function psubscribeCommand(c: Client, argv: string[]): void {
  for (let i = 1; i < argv.length; i++) {
    const p = argv[i];
    c.server.pubsub.psubscribe(c, p);
    addSubscriptionReply(c, 'psubscribe', p);
  }
}

function unsubscribeCommand(c: Client, argv: string[]): void {
  const ps = c.server.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : [...c.channels];
  if (names.length === 0) return addSubscriptionReply(c, 'unsubscribe', null);
  for (const ch of names) {
    ps.unsubscribe(c, ch);
    addSubscriptionReply(c, 'unsubscribe', ch);
  }
}

function punsubscribeCommand(c: Client, argv: string[]): void {
  const ps = c.server.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : [...c.patterns];
  if (names.length === 0) return addSubscriptionReply(c, 'punsubscribe', null);
  for (const p of names) {
    ps.punsubscribe(c, p);
    addSubscriptionReply(c, 'punsubscribe', p);
  }
}

function publishCommand(c: Client, argv: string[]): void {
  const receivers = c.server.pubsub.publish(argv[1], argv[2]);
  // Propagated to replicas (their subscribers hear it too) without counting as a dataset change.
  c.propagateArgv = argv;
  addInteger(c, receivers);
}

function pubsubChannelsCommand(c: Client, argv: string[]): void {
  const pattern = argv.length > 2 ? argv[2] : null;
  const names: string[] = [];
  for (const ch of c.server.pubsub.channels.keys()) if (pattern === null || globMatch(pattern, ch)) names.push(ch);
  addArrayLen(c, names.length);
  for (const n of names) addBulk(c, n);
}

function pubsubNumsubCommand(c: Client, argv: string[]): void {
  addArrayLen(c, (argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    const ch = argv[i];
    addBulk(c, ch);
    addInteger(c, c.server.pubsub.channels.get(ch)?.size ?? 0);
  }
}

export const pubsubCommands = family('pubsub', [
  { name: 'subscribe', arity: -2, flags: 'pubsub noscript loading stale', summary: 'Listen for messages published to the given channels', handler: subscribeCommand },
  { name: 'unsubscribe', arity: -1, flags: 'pubsub noscript loading stale', summary: 'Stop listening for messages posted to the given channels', handler: unsubscribeCommand },
  { name: 'psubscribe', arity: -2, flags: 'pubsub noscript loading stale', summary: 'Listen for messages published to channels matching the given patterns', handler: psubscribeCommand },
  { name: 'punsubscribe', arity: -1, flags: 'pubsub noscript loading stale', summary: 'Stop listening for messages posted to channels matching the given patterns', handler: punsubscribeCommand },
  { name: 'publish', arity: 3, flags: 'pubsub loading stale fast may_replicate', summary: 'Post a message to a channel', handler: publishCommand },
  {
    name: 'pubsub',
    arity: -2,
    flags: '',
    summary: 'A container for Pub/Sub commands',
    subcommands: [
      { name: 'channels', arity: -2, flags: 'pubsub loading stale', summary: 'List active channels', handler: pubsubChannelsCommand },
      { name: 'numsub', arity: -2, flags: 'pubsub loading stale', summary: 'Get the count of subscribers for channels', handler: pubsubNumsubCommand },
      { name: 'numpat', arity: 2, flags: 'pubsub loading stale', summary: 'Get the count of unique patterns pattern subscriptions', handler: (c) => addInteger(c, c.server.pubsub.patterns.size) },
      {
        name: 'help',
        arity: 2,
        flags: 'loading stale',
        summary: 'Show helpful text about the different subcommands',
        handler: (c) =>
          addHelp(c, 'PUBSUB', [
            'CHANNELS [<pattern>]',
            "    Return the currently active channels matching a <pattern> (default: '*').",
            'NUMPAT',
            '    Return number of subscriptions to patterns.',
            'NUMSUB [<channel> ...]',
            '    Return the number of subscribers for the specified channels, excluding',
            '    pattern subscriptions(default: no channels).',
          ]),
      },
    ],
  },
]);
