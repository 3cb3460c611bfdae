/**
 * Number parsing and printing exactly as Redis does it, over bytes:
 * string2ll (strict 64-bit integers, no spaces, no "+", no leading zeros),
 * strtold-style doubles, %.17g for scores and the "human" form INCRBYFLOAT
 * prints. Integers beyond 2^53 are carried as BigInt where they matter.
 */

const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

/**
 * Parses a Redis integer (string2ll rules). Returns a number when it is a
 * safe integer, a bigint for the rest of the 64-bit range, null otherwise.
 */
export function parseI64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 48 || first > 57) return null;
  if (first === 48 && n > i + 1) return null; // leading zero
  if (first === 48 && i === 1) return null; // "-0"
  for (let k = i + 1; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return null;
  }
  if (n - i <= 15) return Number(s);
  const big = BigInt(s);
  if (big > MAX_I64 || big < MIN_I64) return null;
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

/** Like parseI64 but only safe integers (most counts, indexes, timeouts). */
export function parseSafeInt(s: string): number | null {
  const v = parseI64(s);
  return typeof v === 'number' ? v : null;
}

export function isI64(v: bigint): boolean {
  return v <= MAX_I64 && v >= MIN_I64;
}

/**
 * Redis's expire arithmetic on 64-bit integers (expireGenericCommand,
 * getExpireMillisecondsOrReply): `t` seconds or milliseconds plus `baseMs`
 * (now for relative forms, 0 for absolute ones) as absolute milliseconds,
 * or null when the seconds-to-ms scaling or the addition overflows int64.
 * Times past 2^53 ms (year 287396) are kept as the nearest double.
 */
export function expireTimeMs(t: number | bigint, isSeconds: boolean, baseMs: number): number | null {
  if (typeof t === 'number') {
    const ms = (isSeconds ? t * 1000 : t) + baseMs;
    if (Number.isSafeInteger(ms)) return ms;
  }
  let when = BigInt(t);
  if (isSeconds) {
    if (when > MAX_I64 / 1000n || when < MIN_I64 / 1000n) return null;
    when *= 1000n;
  }
  if (when > MAX_I64 - BigInt(baseMs)) return null;
  return Number(when + BigInt(baseMs));
}

const DOUBLE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$/i;

/** strtod as Redis uses it: whole string, no spaces, "inf" allowed, NaN refused. */
export function parseDouble(s: string): number | null {
  const plain = plainInteger(s);
  if (plain !== null) return plain;
  if (s.length === 0 || s.length > 5000 || !DOUBLE.test(s)) return null;
  const lower = s.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** printf("%.17g"): how Redis 7.0 prints scores and RESP3 doubles. */
export function formatDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = x.toExponential(16); // d.dddddddddddddddde±X, 17 significant digits
  const ePos = exp.indexOf('e');
  const e = Number(exp.slice(ePos + 1));
  if (e < -4 || e >= 17) {
    const mantissa = trimZeros(exp.slice(0, ePos));
    const sign = e < 0 ? '-' : '+';
    const digits = String(Math.abs(e)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return trimZeros(x.toFixed(16 - e));
}

/**
 * An optionally signed run of up to 15 decimal digits (exact in a double),
 * the usual form of a score: read without the pattern and the lower-cased
 * copy parseDouble needs for the general case. Null for anything else.
 */
function plainInteger(s: string): number | null {
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) i = 1;
  if (i === n || n - i > 15) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return first === 45 ? -v : v;
}

function trimZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}
