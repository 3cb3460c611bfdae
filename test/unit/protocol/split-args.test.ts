/**
 * splitArgs follows Redis's sdssplitargs (inline commands, config lines);
 * quoteArg follows sdscatrepr (MONITOR, config rewrite). The expected
 * values below are what Redis 7.0 produces for the same input.
 */
import { quoteArg, splitArgs } from '../../../src/protocol/split-args';

describe('splitArgs', () => {
  test.each([
    ['set key value', ['set', 'key', 'value']],
    ['  lots   of\tspace  ', ['lots', 'of', 'space']],
    ['', []],
    ['   ', []],
    ['"hello world"', ['hello world']],
    ['"a\\nb\\r\\t\\b\\a\\\\\\"c"', ['a\nb\r\t\b\x07\\"c']],
    ['"\\x41\\x4a\\x4A"', ['AJJ']],
    ['"\\x4g"', ['x4g']],
    ["'single \\' quote'", ["single ' quote"]],
    ["'no \\n escapes'", ['no \\n escapes']],
    ['mixed"quoted part"', ['mixedquoted part']],
    ['"" \'\'', ['', '']],
    ['"\xff\x00bytes"', ['\xff\x00bytes']],
  ])('%j', (line, expected) => {
    expect(splitArgs(line)).toEqual(expected);
  });

  test.each([['"unterminated'], ["'unterminated"], ['"closing"glued'], ["'closing'glued"], ['"trailing backslash\\']])('%j is unbalanced (null)', (line) => {
    expect(splitArgs(line)).toBeNull();
  });
});

describe('quoteArg', () => {
  test.each([
    ['plain', '"plain"'],
    ['', '""'],
    ['a b', '"a b"'],
    ['q"uo\\te', '"q\\"uo\\\\te"'],
    ['\n\r\t', '"\\n\\r\\t"'],
    ['\x01\x7f\xff', '"\\x01\\x7f\\xff"'],
    ['\x07\x08', '"\\a\\b"'],
  ])('%j -> %s', (input, expected) => {
    expect(quoteArg(input)).toBe(expected);
  });

  test('every byte survives quoteArg then splitArgs', () => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    expect(splitArgs(quoteArg(all))).toEqual([all]);
  });
});
