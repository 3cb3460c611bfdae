import { isCurrentKept } from '../../../../src/replication/active/last-writer-wins';
import { ListValue } from '../../../../src/store/types/list';

test('the newer stamp wins whatever the values', () => {
  expect(isCurrentKept(10, 'a', 9, 'z')).toBe(true);
  expect(isCurrentKept(9, 'z', 10, 'a')).toBe(false);
});

test('on equal stamps two strings resolve the same way from either side', () => {
  expect(isCurrentKept(7, 'value-b', 7, 'value-a')).toBe(true);
  expect(isCurrentKept(7, 'value-a', 7, 'value-b')).toBe(false);
  expect(isCurrentKept(7, 'same', 7, 'same')).toBe(true);
  // Byte order: a byte above 0x7f sorts after ASCII.
  expect(isCurrentKept(7, '\xff', 7, 'z')).toBe(true);
});

test('other ties go to the incoming write', () => {
  expect(isCurrentKept(7, new ListValue(), 7, 'a')).toBe(false);
  expect(isCurrentKept(7, 'a', 7, undefined)).toBe(false);
});
