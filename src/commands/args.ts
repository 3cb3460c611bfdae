/**
 * Argument helpers shared by the handlers: arguments arrive as latin1
 * strings (one char per byte); integers and floats are parsed with Redis's
 * rules, replying Redis's error when invalid (the caller returns when it
 * gets null).
 */
import { parseDouble, parseI64 } from '../common/numbers';
import { addError } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Client } from '../server/client';

/** An option keyword in lower case (NX, WITHSCORES...). */
export function word(arg: string): string {
  return arg.toLowerCase();
}

/**
 * An integer argument read as Redis reads a long long (string2ll). Past
 * 2^53 it is clamped to the safe range: counts, indexes, timeouts and ids
 * that large mean "more than anything here" in Redis too (GETRANGE s 0
 * 9223372036854775807 reads to the end).
 */
export function intArg(c: Client, arg: string, error: string = err.notInteger): number | null {
  const v = parseI64(arg);
  if (v === null) {
    addError(c, error);
    return null;
  }
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** An integer that must be >= 0 (COUNT, LIMIT...). */
export function positiveIntArg(c: Client, arg: string, error: string): number | null {
  const v = intArg(c, arg);
  if (v === null) return null;
  if (v < 0) {
    addError(c, error);
    return null;
  }
  return v;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * A db index, read as Redis's getIntFromObjectOrReply: an int32. Outside
 * that range Redis answers its generic range text unless the caller has
 * its own (SWAPDB's "invalid first DB index").
 */
export function dbIndexArg(c: Client, arg: string, error: string | null = null): number | null {
  const v = parseI64(arg);
  if (v === null) {
    addError(c, error ?? err.notInteger);
    return null;
  }
  if (typeof v === 'bigint' || v < INT_MIN || v > INT_MAX) {
    addError(c, error ?? `ERR value is out of range, value must between ${INT_MIN} and ${INT_MAX}`);
    return null;
  }
  return v;
}

export function floatArg(c: Client, arg: string, error: string = err.notFloat): number | null {
  const v = parseDouble(arg);
  if (v === null) addError(c, error);
  return v;
}

export function wrongType(c: Client): void {
  addError(c, err.wrongType);
}

const REDACTED = '(redacted)';

/**
 * Replaces a secret in argv once it has been read, so MONITOR and SLOWLOG,
 * which see argv after the handler, never show it (redactClientCommandArgument).
 */
export function redact(argv: string[], i: number): void {
  argv[i] = REDACTED;
}

/** LONG_MAX: counts are C longs in Redis; beyond JS's safe range they only need to be "huge". */
const LONG_MAX = 9223372036854775807n;

export const errPositive = 'ERR value is out of range, must be positive';
const errRandomRange = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

/** A long as a JS number: exact up to 2^53, rounded beyond (only ever compared with sizes). */
function toNumber(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * getPositiveLongFromObjectOrReply: a count >= 0. Not-an-integer and
 * negative values both get `error` (Redis's default is "must be positive").
 */
export function nonNegativeArg(c: Client, arg: string, error = errPositive): number | null {
  const v = parseI64(arg);
  if (v === null || v < 0) {
    addError(c, error);
    return null;
  }
  return toNumber(v);
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX, msg): numkeys and COUNT of the *MPOP and *CARD commands. */
export function atLeastOneArg(c: Client, arg: string, error: string): number | null {
  const v = parseI64(arg);
  if (v === null || v < 1) {
    addError(c, error);
    return null;
  }
  return toNumber(v);
}

/**
 * SRANDMEMBER/ZRANDMEMBER count: every long but LONG_MIN, whose negation
 * would overflow. Returns a number (huge values rounded) or null after replying.
 */
export function randomCountArg(c: Client, arg: string): number | null {
  const v = parseI64(arg);
  if (v === null) {
    addError(c, err.notInteger);
    return null;
  }
  if (typeof v === 'bigint' && (v < -LONG_MAX || v > LONG_MAX)) {
    addError(c, errRandomRange);
    return null;
  }
  return toNumber(v);
}
