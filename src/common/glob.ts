/**
 * Redis's glob matching (stringmatchlen): `*`, `?`, `[...]` with ranges and `^`,
 * and `\` escapes. Operates on latin1 strings so it is byte-exact on user data.
 * Used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and CLIENT KILL filters.
 */

export function globMatch(pattern: string, subject: string, noCase = false): boolean {
  isSkippingLongerMatches = false;
  return matchAt(pattern, 0, subject, 0, noCase, 0);
}

/**
 * Redis's skipLongerMatches (stringmatchlen_impl since 7.0.9): once the
 * rest of a pattern after a '*' matched nowhere in the rest of the subject,
 * no earlier '*' can help by eating more, so every pending '*' gives up.
 * This keeps `a*a*a*...b` polynomial instead of exponential. Matching is
 * synchronous and not re-entrant, so one module-level flag serves each call.
 */
let isSkippingLongerMatches = false;

const MAX_NESTING = 1000;

function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

function matchAt(p: string, pi: number, s: string, si: number, noCase: boolean, nesting: number): boolean {
  // Deep recursion on patterns like "a*a*a*..." is cut off as Redis does.
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si <= slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: {
        // '*': collapse runs, then try every suffix.
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        for (let k = si; k <= slen; k++) {
          if (matchAt(p, pi + 1, s, k, noCase, nesting + 1)) return true;
          if (isSkippingLongerMatches) return false;
        }
        isSkippingLongerMatches = true;
        return false;
      }
      case 63: // '?'
        if (si >= slen) return false;
        si++;
        break;
      case 91: {
        // '['
        if (si >= slen) return false;
        pi++;
        const negate = p.charCodeAt(pi) === 94;
        if (negate) pi++;
        let matched = false;
        let sc = s.charCodeAt(si);
        if (noCase) sc = lower(sc);
        for (;;) {
          if (pi >= plen) {
            pi--;
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === 93) break;
          if (c === 92 && pi + 2 < plen + 1 && pi + 1 < plen) {
            pi++;
            if (p.charCodeAt(pi) === sc) matched = true;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) {
            let start = c;
            let end = p.charCodeAt(pi + 2);
            if (start > end) [start, end] = [end, start];
            if (noCase) {
              start = lower(start);
              end = lower(end);
            }
            pi += 2;
            if (sc >= start && sc <= end) matched = true;
          } else {
            const cc = noCase ? lower(c) : c;
            if (cc === sc) matched = true;
          }
          pi++;
        }
        if (negate) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      default: {
        if (pc === 92 && pi + 1 < plen) pi++; // '\\' escapes the next char
        if (si >= slen) return false;
        const a = p.charCodeAt(pi);
        const b = s.charCodeAt(si);
        if (noCase ? lower(a) !== lower(b) : a !== b) return false;
        si++;
        break;
      }
    }
    pi++;
  }
  while (pi < plen && p.charCodeAt(pi) === 42) pi++;
  return pi === plen && si === slen;
}
