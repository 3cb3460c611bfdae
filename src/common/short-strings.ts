/**
 * A small table of recently made short strings, so an argument seen before
 * (a flag value like "1" or "true", a status, a short field name, the same
 * 3-byte value written again) is the same string object again instead of a
 * new one. Like Redis's shared objects, this is for speed and memory: a
 * value stored in the keyspace survives V8's young generation and is copied
 * by every scavenge until promoted; one taken from here already lives in
 * the old generation, and millions of keys holding "1" share one string.
 *
 * The table is direct-mapped (a hash of the bytes picks one slot; a miss
 * replaces it), so it never grows and never holds more than SLOTS strings.
 */
import { latin1String } from './latin1';

/** Strings up to this many bytes go through the table; keys and longer values are rarely repeated byte for byte. */
const SHORT_STRING_MAX = 8;
const SLOTS = 4096;
const table: string[] = new Array<string>(SLOTS).fill('');

/**
 * buf[start, end) as a latin1 string for the keyspace (a client's argument,
 * a value loaded from an RDB): when short, the string last made of the
 * same bytes if the table still holds it.
 */
export function storedString(b: Buffer, s: number, e: number): string {
  const n = e - s;
  if (n > SHORT_STRING_MAX) return latin1String(b, s, e);
  let h = Math.imul(n, 0x9e3779b1);
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
  const slot = (h >>> 19) & (SLOTS - 1);
  const cached = table[slot];
  if (cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === b[s + i]) i++;
    if (i === n) return cached;
  }
  const made = latin1String(b, s, e);
  table[slot] = made;
  return made;
}
