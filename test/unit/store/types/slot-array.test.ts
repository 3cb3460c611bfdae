import { SlotArray, cloneSlots, popSlot, pushSlot, removeSlotAt, setSlot, slotAt, type Slots } from '../../../../src/store/types/slot-array';

/** A small deterministic generator, so a failure replays. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function expectSame(slots: SlotArray<number>, model: number[]): void {
  expect(slots.length).toBe(model.length);
  expect([...slots]).toEqual(model);
  for (let i = 0; i < model.length; i += 97) expect(slots.get(i)).toBe(model[i]);
}

test('push, pop, set and removeAt across page boundaries behave as an array', () => {
  const next = rng(7);
  const slots = new SlotArray<number>();
  const model: number[] = [];
  let counter = 0;
  for (let step = 0; step < 60_000; step++) {
    const r = next();
    if (r < 0.6 || model.length === 0) {
      slots.push(counter);
      model.push(counter++);
    } else if (r < 0.8) {
      expect(slots.pop()).toBe(model.pop());
    } else if (r < 0.95) {
      const i = Math.floor(next() * model.length);
      slots.set(i, -counter);
      model[i] = -counter++;
    } else {
      const i = Math.floor(next() * model.length);
      slots.removeAt(i);
      model.splice(i, 1);
    }
    if (step % 15000 === 0) expectSame(slots, model);
  }
  expect(model.length).toBeGreaterThan(3 * 4096);
  expectSame(slots, model);
  // Emptied completely, then grown again.
  while (model.length > 0) expect(slots.pop()).toBe(model.pop());
  expectSame(slots, model);
  slots.push(1);
  expectSame(slots, [1]);
});

test('removeAt keeps order when it empties the last page', () => {
  const model = Array.from({ length: 4097 }, (_, i) => i);
  const slots = SlotArray.from(model);
  slots.removeAt(0);
  model.splice(0, 1);
  expectSame(slots, model);
  slots.push(9999);
  model.push(9999);
  expectSame(slots, model);
});

test('from and clone copy: changing the copy leaves the original alone', () => {
  const model = Array.from({ length: 10_000 }, (_, i) => i * 3);
  const slots = SlotArray.from(model);
  expectSame(slots, model);
  const copy = slots.clone();
  copy.set(5000, -1);
  copy.removeAt(10);
  copy.push(42);
  expectSame(slots, model);
  expect(copy.length).toBe(model.length);
  expect(copy.get(4999)).toBe(-1);
});

test('slots stay a plain array up to one page, then become paged, and keep their contents', () => {
  let slots: Slots<number> = [];
  const model: number[] = [];
  for (let i = 0; i < 4096; i++) {
    slots = pushSlot(slots, i);
    model.push(i);
  }
  expect(Array.isArray(slots)).toBe(true);
  const small = cloneSlots(slots);
  slots = pushSlot(slots, 4096);
  model.push(4096);
  expect(slots).toBeInstanceOf(SlotArray);
  expect(Array.isArray(small)).toBe(true);
  setSlot(slots, 10, -10);
  model[10] = -10;
  removeSlotAt(slots, 3);
  model.splice(3, 1);
  expect(popSlot(slots)).toBe(model.pop());
  for (let i = 0; i < model.length; i += 37) expect(slotAt(slots, i)).toBe(model[i]);
  expect([...slots]).toEqual(model);
  expect(small.length).toBe(4096);
  expect(slotAt(small, 10)).toBe(10);
});
