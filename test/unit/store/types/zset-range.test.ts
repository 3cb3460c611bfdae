import { LEX_MAX, LEX_MIN, aboveMin, belowMax, compareLex, isEmptyRange, type LexRange } from '../../../../src/store/types/zset-range';

describe('zset ranges', () => {
  test('compareLex puts "-" below and "+" above every string, including empty and 0xff', () => {
    expect(compareLex(LEX_MIN, '')).toBe(-1);
    expect(compareLex('', LEX_MIN)).toBe(1);
    expect(compareLex('\u00ff\u00ff', LEX_MAX)).toBe(-1);
    expect(compareLex(LEX_MAX, LEX_MAX)).toBe(0);
    expect(compareLex(LEX_MIN, LEX_MAX)).toBe(-1);
    expect(compareLex('a', 'ab')).toBe(-1);
    expect(compareLex('b', 'ab')).toBe(1);
  });

  test('aboveMin / belowMax test the score of a score range and the member of a lex range', () => {
    const scores = { min: 1, max: 2, minExclusive: true, maxExclusive: false };
    expect(aboveMin(1, 'z', scores)).toBe(false);
    expect(aboveMin(1.5, '', scores)).toBe(true);
    expect(belowMax(2, 'z', scores)).toBe(true);
    const lex: LexRange = { min: 'b', max: LEX_MAX, minExclusive: false, maxExclusive: false };
    expect(aboveMin(100, 'a', lex)).toBe(false);
    expect(aboveMin(-100, 'b', lex)).toBe(true);
    expect(belowMax(0, '\u00ff', lex)).toBe(true);
  });

  test('isEmptyRange: min above max, or equal ends with one excluded', () => {
    expect(isEmptyRange({ min: 2, max: 1, minExclusive: false, maxExclusive: false })).toBe(true);
    expect(isEmptyRange({ min: 1, max: 1, minExclusive: false, maxExclusive: false })).toBe(false);
    expect(isEmptyRange({ min: 1, max: 1, minExclusive: true, maxExclusive: false })).toBe(true);
    expect(isEmptyRange({ min: LEX_MAX, max: LEX_MIN, minExclusive: false, maxExclusive: false })).toBe(true);
    expect(isEmptyRange({ min: 'a', max: 'a', minExclusive: false, maxExclusive: true })).toBe(true);
    expect(isEmptyRange({ min: LEX_MIN, max: LEX_MAX, minExclusive: false, maxExclusive: false })).toBe(false);
  });
});
