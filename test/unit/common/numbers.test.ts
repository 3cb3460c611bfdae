/** Number parsing and printing as Redis does it (string2ll, %.17g, expire arithmetic). */
import { expireTimeMs, formatDouble, parseDouble, parseI64, parseSafeInt } from '../../../src/common/numbers';

test.each([
  ['0', 0],
  ['-1', -1],
  ['9007199254740991', 9007199254740991],
  ['9007199254740992', 9007199254740992n],
  ['9223372036854775807', 9223372036854775807n],
  ['-9223372036854775808', -9223372036854775808n],
  ['9223372036854775808', null],
  ['01', null],
  ['-0', null],
  ['+1', null],
  [' 1', null],
  ['1 ', null],
  ['', null],
  ['-', null],
  ['1e3', null],
])('parseI64(%j) = %p', (text, expected) => {
  expect(parseI64(text)).toEqual(expected);
});

test('parseSafeInt refuses integers past 2^53', () => {
  expect(parseSafeInt('9007199254740991')).toBe(9007199254740991);
  expect(parseSafeInt('9007199254740992')).toBeNull();
});

test.each([
  ['1.5', 1.5],
  ['-.5', -0.5],
  ['1e3', 1000],
  ['inf', Infinity],
  ['-INF', -Infinity],
  ['+infinity', Infinity],
  ['nan', null],
  ['', null],
  [' 1', null],
  ['1x', null],
  ['12345', 12345],
  ['-7', -7],
  ['+3', 3],
  ['007', 7],
  ['-0', -0],
  ['-', null],
  ['+', null],
  ['12-3', null],
  ['123456789012345', 123456789012345],
  ['1234567890123456', 1234567890123456],
  ['99999999999999999999', 1e20],
])('parseDouble(%j) = %p', (text, expected) => {
  expect(parseDouble(text)).toBe(expected);
});

test.each([
  [0, '0'],
  [1.5, '1.5'],
  [0.1, '0.10000000000000001'],
  [1e17, '1e+17'],
  [123456789012345680, '1.2345678901234568e+17'],
  [1e-5, '1.0000000000000001e-05'],
  [-2.5, '-2.5'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
])('formatDouble(%p) = %s (printf %%.17g)', (value, expected) => {
  expect(formatDouble(value)).toBe(expected);
});


describe('expireTimeMs', () => {
  test('relative seconds and milliseconds add to the base', () => {
    expect(expireTimeMs(10, true, 1000)).toBe(11000);
    expect(expireTimeMs(10, false, 1000)).toBe(1010);
    expect(expireTimeMs(-5, true, 0)).toBe(-5000);
  });
  test('int64 overflow of the scaling or the addition is null', () => {
    expect(expireTimeMs(9223372036854775807n, true, 0)).toBeNull();
    expect(expireTimeMs(9223372036854776n, true, 0)).toBeNull();
    expect(expireTimeMs(-9223372036854776n, true, 0)).toBeNull();
    expect(expireTimeMs(9223372036854775807n, false, 1)).toBeNull();
  });
  test('large values inside int64 are kept', () => {
    expect(expireTimeMs(9223372036854775807n, false, 0)).toBe(9223372036854775807);
    expect(expireTimeMs(9223372036854, true, 0)).toBe(9223372036854000);
  });
});
