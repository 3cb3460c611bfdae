/**
 * INCRBYFLOAT arithmetic as Redis does it: in C `long double` (x87 80-bit
 * extended precision, a 64-bit mantissa), parsed by strtold and printed by
 * ld2string(LD_STR_HUMAN) as "%.17Lf" without trailing zeros. Doing the
 * same sum in a JS double gives different text for everyday values
 * (0.1 + 0.2 is "0.3" in Redis, 0.30000000000000004 in a double), so the
 * value is carried exactly in BigInt: mantissa * 2^exponent, rounded to
 * 64 significant bits (half to even) after parsing and after each sum.
 *
 * Decimal text and inf/infinity are read (no hex floats); a finite text
 * past the 80-bit range is refused, as string2ld refuses strtold's ERANGE.
 */

const MANTISSA_BITS = 64;
/** 2^16384: the first power of two an 80-bit long double cannot hold. */
const MAX_EXPONENT = 16384;
/** Decimal exponents beyond this are out of any long double's range. */
const MAX_DECIMAL_EXPONENT = 6000;
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INFINITY = /^([+-])?inf(inity)?$/i;

/** A finite long double: (isNegative ? -1 : 1) * mantissa * 2^exponent. */
export interface LongDouble {
  readonly isNegative: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly isInfinite: boolean;
}

const ZERO: LongDouble = { isNegative: false, mantissa: 0n, exponent: 0, isInfinite: false };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** num / den * 2^exp rounded to 64 significant bits, half to even. */
function round(isNegative: boolean, num: bigint, den: bigint, exp: number): LongDouble {
  if (num === 0n) return { ...ZERO, isNegative };
  let shift = bitLength(num) - bitLength(den) - MANTISSA_BITS;
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = shift < 0 ? num << BigInt(-shift) : num;
    d = shift > 0 ? den << BigInt(shift) : den;
    q = n / d;
    r = n % d;
    if (q >= 1n << BigInt(MANTISSA_BITS)) shift++;
    else if (q < 1n << BigInt(MANTISSA_BITS - 1)) shift--;
    else break;
  }
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(MANTISSA_BITS)) {
    q >>= 1n;
    shift++;
  }
  const exponent = exp + shift;
  if (exponent + MANTISSA_BITS > MAX_EXPONENT) return { isNegative, mantissa: 0n, exponent: 0, isInfinite: true };
  return { isNegative, mantissa: q, exponent, isInfinite: false };
}

/** strtold over the whole text (no spaces), or null when it is not a number Redis accepts. */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length > 5000) return null;
  const inf = INFINITY.exec(text);
  if (inf) return { isNegative: inf[1] === '-', mantissa: 0n, exponent: 0, isInfinite: true };
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const intDigits = m[2];
  const fracDigits = m[3] ?? '';
  if (intDigits.length + fracDigits.length === 0) return null;
  const digits = BigInt(intDigits + fracDigits);
  const isNegative = m[1] === '-';
  if (digits === 0n) return { ...ZERO, isNegative };
  const scale = Number(m[4] ?? '0') - fracDigits.length;
  // Past the long double range strtold reports ERANGE with HUGE_VAL, which Redis refuses.
  if (scale > MAX_DECIMAL_EXPONENT) return null;
  // Far below the smallest long double: strtold underflows to zero, which Redis refuses.
  if (scale + intDigits.length + fracDigits.length < -MAX_DECIMAL_EXPONENT) return null;
  const value = scale >= 0 ? round(isNegative, digits * 10n ** BigInt(scale), 1n, 0) : round(isNegative, digits, 10n ** BigInt(-scale), 0);
  return value.isInfinite ? null : value;
}

/** a + b rounded to a long double; null when the result is an infinity (or inf - inf). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.isInfinite || b.isInfinite) return null;
  const exp = Math.min(a.exponent, b.exponent);
  const x = (a.mantissa << BigInt(a.exponent - exp)) * (a.isNegative ? -1n : 1n);
  const y = (b.mantissa << BigInt(b.exponent - exp)) * (b.isNegative ? -1n : 1n);
  const sum = x + y;
  const result = round(sum < 0n, sum < 0n ? -sum : sum, 1n, exp);
  return result.isInfinite ? null : result;
}

/** ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and a bare point removed, "-0" as "0". */
export function formatLongDoubleHuman(x: LongDouble): string {
  const FRACTION_DIGITS = 17n;
  const scale = 10n ** FRACTION_DIGITS;
  let scaled: bigint;
  if (x.exponent >= 0) {
    scaled = (x.mantissa << BigInt(x.exponent)) * scale;
  } else {
    const num = x.mantissa * scale;
    const den = 1n << BigInt(-x.exponent);
    scaled = num / den;
    const r = num % den;
    if (2n * r > den || (2n * r === den && (scaled & 1n) === 1n)) scaled++;
  }
  const whole = (scaled / scale).toString();
  const fraction = (scaled % scale).toString().padStart(Number(FRACTION_DIGITS), '0').replace(/0+$/, '');
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return x.isNegative && body !== '0' ? '-' + body : body;
}
