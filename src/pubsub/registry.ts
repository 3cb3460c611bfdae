/**
 * Pub/Sub subscriptions: channel → subscribers and pattern → subscribers,
 * kept in insertion order so delivery order is subscription order. Messages
 * go into each subscriber's output buffer as push frames (RESP3) or arrays
 * (RESP2), and through it fall under the pubsub output-buffer limit.
 */
import { globMatch } from '../common/glob';
import { addBulk, addPushLen } from '../protocol/reply';
import type { Client } from '../server/client';

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  subscribe(c: Client, channel: string): boolean {
    if (c.channels.has(channel)) return false;
    c.channels.add(channel);
    let set = this.channels.get(channel);
    if (set === undefined) this.channels.set(channel, (set = new Set()));
    set.add(c);
    return true;
  }

  unsubscribe(c: Client, channel: string): boolean {
    if (!c.channels.delete(channel)) return false;
    const set = this.channels.get(channel);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) this.channels.delete(channel);
    }
    return true;
  }

  psubscribe(c: Client, pattern: string): boolean {
    if (c.patterns.has(pattern)) return false;
    c.patterns.add(pattern);
    let set = this.patterns.get(pattern);
    if (set === undefined) this.patterns.set(pattern, (set = new Set()));
    set.add(c);
    return true;
  }

  punsubscribe(c: Client, pattern: string): boolean {
    if (!c.patterns.delete(pattern)) return false;
    const set = this.patterns.get(pattern);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) this.patterns.delete(pattern);
    }
    return true;
  }

  /** Drops every subscription of a closing client. */
  removeClient(c: Client): void {
    for (const ch of [...c.channels]) this.unsubscribe(c, ch);
    for (const p of [...c.patterns]) this.punsubscribe(c, p);
  }

  /** Delivers a message; returns the number of clients that received it. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct !== undefined) {
      for (const c of direct) {
        addPushLen(c, 3);
        addBulk(c, 'message');
        addBulk(c, channel);
        addBulk(c, message);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, subs] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        for (const c of subs) {
          addPushLen(c, 4);
          addBulk(c, 'pmessage');
          addBulk(c, pattern);
          addBulk(c, channel);
          addBulk(c, message);
          receivers++;
        }
      }
    }
    return receivers;
  }
}
