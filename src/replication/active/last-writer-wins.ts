/**
 * Last-writer-wins between a key's current value and an incoming write (a
 * peer's RREPLAY, or a key of a peer's RDB being merged), by their write
 * stamps (mvcc-clock.ts): the newer stamp wins.
 *
 * Equal stamps need no bug: two nodes whose first writes of a millisecond
 * hit the same key both stamp it ms*1024. Each node then sees the same pair
 * from the other side, so the tie must not favour "mine" or "incoming" (the
 * old rule, incoming wins, made the two nodes swap values and never
 * converge): between two strings the greater one, in byte order, stays on
 * both. Any other tie still goes to the incoming write.
 */
import type { RedisValue } from '../../store/value';

/** True when the current value stays; `incoming` is undefined when the write's value is not known up front. */
export function isCurrentKept(currentStamp: number, current: RedisValue | undefined, incomingStamp: number, incoming: RedisValue | undefined): boolean {
  if (currentStamp !== incomingStamp) return currentStamp > incomingStamp;
  return typeof current === 'string' && typeof incoming === 'string' && current >= incoming;
}
