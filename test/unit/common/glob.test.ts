/** globMatch follows Redis's stringmatchlen (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET). */
import { globMatch } from '../../../src/common/glob';

test.each([
  ['*', '', true],
  ['*', 'anything', true],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h*llo', 'hllo', true],
  ['h*llo', 'heeeello', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[a-b]llo', 'hcllo', false],
  ['h[b-a]llo', 'hallo', true],
  ['h\\*llo', 'h*llo', true],
  ['h\\*llo', 'hello', false],
  ['h\\[llo', 'h[llo', true],
  ['h[\\]]llo', 'h]llo', true],
  ['a*b*c', 'axxbyyc', true],
  ['a*b*c', 'axxbyy', false],
  ['**a', 'ba', true],
  ['?', '', false],
  ['[abc', 'a', true],
  ['ab\\', 'ab\\', true],
  ['\xff*', '\xff\x00', true],
])('%j matches %j: %s', (pattern, subject, expected) => {
  expect(globMatch(pattern, subject)).toBe(expected);
});

test('noCase folds ASCII letters only, in ranges too', () => {
  expect(globMatch('MAXMEMORY*', 'maxmemory-policy', true)).toBe(true);
  expect(globMatch('[A-Z]z', 'hz', true)).toBe(true);
  expect(globMatch('MAXMEMORY*', 'maxmemory-policy', false)).toBe(false);
});

test('a pathological pattern returns instead of hanging', () => {
  const t0 = Date.now();
  expect(globMatch('a*'.repeat(40) + 'b', 'a'.repeat(60))).toBe(false);
  expect(Date.now() - t0).toBeLessThan(2000);
});
