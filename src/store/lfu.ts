/**
 * Redis's LFU counter (evict.c): a key's access frequency as an 8-bit
 * logarithmic counter plus the 16-bit minute of its last decrement, packed
 * into one small integer `(minutes << 8) | counter` so a Map<string, number>
 * holds it as a Smi (no heap number per key, no garbage per access).
 *
 * Owns only the arithmetic; which keys carry a counter, and when it is
 * bumped, is the access tracker's business (evict.ts).
 */

/** A new key's counter, so it is not evicted before it had a chance to be read (LFU_INIT_VAL). */
export const LFU_INIT_VAL = 5;
const LFU_COUNTER_MAX = 255;
const MINUTES_MASK = 65535;

/** Redis's LFUGetTimeInMinutes: the wall clock in minutes, modulo 2^16. */
export function lfuMinutesNow(nowMs: number): number {
  return Math.floor(nowMs / 60000) & MINUTES_MASK;
}

export function lfuPack(minutes: number, counter: number): number {
  return (minutes << 8) | counter;
}

/** Redis's LFUTimeElapsed: minutes since `then`, across the 16-bit wrap. */
function minutesElapsed(nowMinutes: number, thenMinutes: number): number {
  return nowMinutes >= thenMinutes ? nowMinutes - thenMinutes : MINUTES_MASK - thenMinutes + nowMinutes;
}

/** Redis's LFUDecrAndReturn: the counter less one per `decayMinutes` elapsed (not stored back). */
export function lfuDecrAndReturn(packed: number, nowMinutes: number, decayMinutes: number): number {
  const counter = packed & 255;
  if (decayMinutes === 0) return counter;
  const periods = Math.floor(minutesElapsed(nowMinutes, packed >>> 8) / decayMinutes);
  return periods > counter ? 0 : counter - periods;
}

/**
 * Redis's LFULogIncr: increments with probability 1/((counter-5)*factor+1),
 * so reaching 255 takes about a million hits at the default factor 10.
 */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === LFU_COUNTER_MAX) return counter;
  const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}
