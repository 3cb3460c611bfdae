/**
 * Parsing and formatting of config values shared by every directive kind:
 * yes/no, integers, memory sizes with Redis's units. Errors are the texts
 * Redis puts after "Wrong value for..." / CONFIG SET failures.
 */

import { parseI64 } from '../common/numbers';

export class ConfigValueError extends Error {}

/**
 * Our ceiling for Redis's long / long long directives: values stay exact JS
 * numbers. Errors still print Redis's LONG_MAX so the texts match.
 */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

function boundText(n: number): string {
  return n === LONG_MAX ? '9223372036854775807' : String(n);
}

function rangeError(min: number, max: number): ConfigValueError {
  return new ConfigValueError(`argument must be between ${boundText(min)} and ${boundText(max)} inclusive`);
}

export function parseBool(arg: string): boolean {
  const v = arg.toLowerCase();
  if (v === 'yes') return true;
  if (v === 'no') return false;
  throw new ConfigValueError("argument must be 'yes' or 'no'");
}

export function formatBool(v: boolean): string {
  return v ? 'yes' : 'no';
}

/** Plain integer directives read with string2ll rules: no sign '+', no spaces, no leading zeros. */
export function parseInteger(arg: string, min: number, max: number): number {
  const n = parseI64(arg);
  if (n === null) throw new ConfigValueError("argument couldn't be parsed into an integer");
  if (typeof n === 'bigint' || n < min || n > max) throw rangeError(min, max);
  return n;
}

const MEMORY = /^(\d*)(k|kb|m|mb|g|gb|b)?$/i;
const UNIT: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };

/**
 * memtoull: digits then an optional unit (`1gb` = 2^30, `1g` = 10^9, plain
 * numbers are bytes); no sign, no spaces; no digits at all reads as 0.
 */
export function parseMemory(arg: string, min = 0, max = LONG_MAX): number {
  const m = MEMORY.exec(arg);
  if (!m) throw new ConfigValueError('argument must be a memory value');
  const n = Number(m[1] === '' ? 0 : m[1]) * UNIT[(m[2] ?? '').toLowerCase()];
  if (!Number.isSafeInteger(n)) throw new ConfigValueError('argument must be a memory value');
  if (n < min || n > max) throw rangeError(min, max);
  return n;
}

/** rewriteConfigFormatMemory: the largest of gb/mb/kb that divides the value, else bytes. */
export function formatMemory(bytes: number): string {
  const units: [number, string][] = [
    [1024 * 1024 * 1024, 'gb'],
    [1024 * 1024, 'mb'],
    [1024, 'kb'],
  ];
  for (const [size, unit] of units) if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}
