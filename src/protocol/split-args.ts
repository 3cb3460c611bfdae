/**
 * Splits a line into arguments with Redis's sdssplitargs rules: whitespace
 * separates, "double quotes" take C escapes (\n \r \t \b \a \\ \" \xHH),
 * 'single quotes' take only \', and a closing quote must be followed by
 * whitespace or the end. Used by inline commands and the config file.
 * Works on latin1 strings so inline requests stay byte-exact.
 */

/** Returns the arguments, or null when quotes are unbalanced. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 3 < n + 0 && line[i + 1] === 'x' && isHex(line.charCodeAt(i + 2)) && isHex(line.charCodeAt(i + 3))) {
          current += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 1 < n && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const c = line[i];
        if (isSpace(line.charCodeAt(i))) done = true;
        else if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      if (i < n) i++;
    }
    out.push(current);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c === 0;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Quotes a value for a config line or CLI-derived text (sdscatrepr). */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
