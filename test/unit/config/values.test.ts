/** Config value syntax: yes/no, string2ll integers, memtoull sizes, with Redis's error texts. */
import { parseBool, parseInteger, parseMemory } from '../../../src/config/values';

test.each([['yes', true], ['YES', true], ['no', false], ['No', false]])('parseBool(%j)', (arg, expected) => {
  expect(parseBool(arg)).toBe(expected);
});

test.each([['y'], ['1'], ['true'], ['']])('parseBool(%j) refuses', (arg) => {
  expect(() => parseBool(arg)).toThrow("argument must be 'yes' or 'no'");
});

test('parseInteger reads string2ll and checks the range', () => {
  expect(parseInteger('42', 0, 100)).toBe(42);
  expect(parseInteger('-1', -1, 100)).toBe(-1);
  for (const bad of ['01', '+1', ' 1', '1.0', '1e3', '-0', '']) expect(() => parseInteger(bad, -10, 10)).toThrow("argument couldn't be parsed into an integer");
  expect(() => parseInteger('11', 0, 10)).toThrow('argument must be between 0 and 10 inclusive');
  expect(() => parseInteger('-1', 0, Number.MAX_SAFE_INTEGER)).toThrow('argument must be between 0 and 9223372036854775807 inclusive');
});

test.each([
  ['0', 0],
  ['', 0],
  ['100', 100],
  ['1k', 1000],
  ['1kb', 1024],
  ['1KB', 1024],
  ['1m', 1000000],
  ['100mb', 100 * 1024 * 1024],
  ['1g', 1000000000],
  ['1gb', 1024 * 1024 * 1024],
  ['1B', 1],
  ['01', 1],
])('parseMemory(%j) = %d', (arg, expected) => {
  expect(parseMemory(arg)).toBe(expected);
});

test.each([['-1'], ['+1'], [' 1'], ['1 '], ['1tb'], ['1.5gb'], ['0x10'], ['lots']])('parseMemory(%j) is not a memory value', (arg) => {
  expect(() => parseMemory(arg)).toThrow('argument must be a memory value');
});
