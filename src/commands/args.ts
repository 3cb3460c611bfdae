/**
 * Argument helpers shared by the handlers: keys as latin1 strings, integers
 * and floats parsed with Redis's rules, replying Redis's error when invalid
 * (the caller returns when it gets null).
 */
import { parseDouble, parseI64, parseSafeInt } from '../common/numbers';
import { addError } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Client } from '../server/client';

/** A key or value argument as stored: one char per byte. */
export function str(b: Buffer): string {
  return b.latin1Slice();
}

/** An option keyword in lower case (NX, WITHSCORES...). */
export function word(b: Buffer): string {
  return b.latin1Slice().toLowerCase();
}

export function intArg(c: Client, b: Buffer, error: string = err.notInteger): number | null {
  const v = parseSafeInt(b.latin1Slice());
  if (v === null) addError(c, error);
  return v;
}

/**
 * A 64-bit integer used as a string index or offset (GETRANGE, SETRANGE):
 * past 2^53 it is clamped, which changes nothing since no string is that long.
 */
export function indexArg(c: Client, b: Buffer): number | null {
  const v = parseI64(b.latin1Slice());
  if (v === null) {
    addError(c, err.notInteger);
    return null;
  }
  if (typeof v === 'number') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** An integer that must be >= 0 (COUNT, LIMIT...). */
export function positiveIntArg(c: Client, b: Buffer, error: string): number | null {
  const v = parseSafeInt(b.latin1Slice());
  if (v === null) {
    addError(c, err.notInteger);
    return null;
  }
  if (v < 0) {
    addError(c, error);
    return null;
  }
  return v;
}

export function floatArg(c: Client, b: Buffer, error: string = err.notFloat): number | null {
  const v = parseDouble(b.latin1Slice());
  if (v === null) addError(c, error);
  return v;
}

export function wrongType(c: Client): void {
  addError(c, err.wrongType);
}

const REDACTED = Buffer.from('(redacted)');

/**
 * Replaces a secret in argv once it has been read, so MONITOR and SLOWLOG,
 * which see argv after the handler, never show it (redactClientCommandArgument).
 */
export function redact(argv: Buffer[], i: number): void {
  argv[i] = REDACTED;
}
