/**
 * Long double arithmetic for INCRBYFLOAT. Expected texts are redis-server
 * 7.0's replies (x86-64, 80-bit long double) for the same operations.
 */
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../../src/common/long-double';

function incr(current: string, by: string): string | null {
  const a = parseLongDouble(current);
  const b = parseLongDouble(by);
  if (a === null || b === null) return 'invalid';
  const sum = addLongDouble(a, b);
  return sum === null ? null : formatLongDoubleHuman(sum);
}

test.each([
  ['0', '0.1', '0.1'],
  ['0.1', '0.2', '0.3'],
  ['0.3', '-0.3', '0'],
  ['10.5', '0.1', '10.6'],
  ['10.6', '2.5', '13.1'],
  ['0', '5.0e3', '5000'],
  ['5000', '-5000', '0'],
  ['9223372036854775807', '1', '9223372036854775808'],
  ['0', '1e-20', '0'],
  ['-0', '0', '0'],
  ['0', '-1.5', '-1.5'],
  ['0', '.5', '0.5'],
  ['0', '5.', '5'],
  [
    '0',
    '1e308',
    '99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048',
  ],
])('%s + %s = %s', (current, by, expected) => {
  expect(incr(current, by)).toBe(expected);
});

test('sums that reach infinity are refused; inf operands too', () => {
  expect(incr('0', 'inf')).toBeNull();
  expect(incr('1', '-infinity')).toBeNull();
  expect(incr('1e4932', '1e4932')).toBeNull();
});

test.each([['nan'], [''], [' 1'], ['1 '], ['1e'], ['e5'], ['.'], ['1e99999'], ['0x10'], ['1,5']])('%j is not a valid float', (text) => {
  expect(parseLongDouble(text)).toBeNull();
});
