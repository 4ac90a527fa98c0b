import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ForkedMap } from '../../src/events/forked-map.js';

type Step = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string } | { op: 'fork'; from: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', '10', '2'), value: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', '10', '2') }),
  fc.record({ op: fc.constant('fork' as const), from: fc.nat() }),
);

it('a forked map reads, iterates and sizes as a copied Map would, and leaves the maps it was forked from as they were', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
      // each version is forked from an earlier one and then changed; the model copies a Map instead
      const forks = [ForkedMap.fork<number>()];
      const models = [new Map<string, number>()];
      for (const s of steps) {
        const last = forks.length - 1;
        if (s.op === 'fork') {
          forks.push(ForkedMap.fork(forks[s.from % forks.length]!));
          models.push(new Map(models[s.from % models.length]!));
        } else if (s.op === 'set') {
          forks[last]!.set(s.key, s.value);
          models[last]!.set(s.key, s.value);
        } else {
          expect(forks[last]!.delete(s.key)).toBe(models[last]!.delete(s.key));
        }
        forks.forEach((fork, index) => {
          const model = models[index]!;
          expect([...fork]).toEqual([...model]);
          expect([...fork.keys()]).toEqual([...model.keys()]);
          // asked after every step of every fork: an order kept from before a change would show
          expect(fork.sortedKeys()).toEqual([...model.keys()].sort());
          expect([...fork.values()]).toEqual([...model.values()]);
          expect(fork.size).toBe(model.size);
          for (const key of ['a', 'b', 'c', 'd', 'e', '10', '2']) {
            expect(fork.get(key)).toBe(model.get(key));
            expect(fork.has(key)).toBe(model.has(key));
          }
        });
      }
    }),
  );
});

it('a fork of a Map copies it once and leaves it as it was', () => {
  const source = new Map([['x', 1], ['y', 2]]);
  const fork = ForkedMap.fork(source);
  fork.delete('x');
  fork.set('x', 3);
  fork.set('z', 4);
  const seen: [string, number][] = [];
  fork.forEach((value, key) => seen.push([key, value]));
  expect(seen).toEqual([['y', 2], ['x', 3], ['z', 4]]);
  expect([...source]).toEqual([['x', 1], ['y', 2]]);
});
