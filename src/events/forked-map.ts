const REMOVED = Symbol('removed');

/** The keys in code-unit order, as of a keys array holding `length` keys of which `size` live. */
interface SortedKeys {
  keys: string[];
  length: number;
  size: number;
  sorted: readonly string[];
}

/**
 * A map in insertion order (as a Map) that shares its entries with the map it was forked from, so
 * that a registry's next state costs little more than the profiles it changes. Entries sit in two
 * parallel arrays in insertion order, found through an index of positions; a removed entry leaves
 * a gap (a key set again goes last, as in a Map). A fork shares all three with its source until
 * one of them changes (copy on write): a new value for a key copies only the values array (a
 * memcpy of n pointers, where copying a Map hashes every key again); adding or removing a key
 * copies the keys and the index too.
 *
 * Only the owner of a fork changes it (evolve's draft); everyone else sees a ReadonlyMap.
 */
export class ForkedMap<V extends {}> implements ReadonlyMap<string, V> {
  #keys: string[];
  #values: (V | typeof REMOVED)[];
  #index: Map<string, number>;
  #size: number;
  /** Whether #values is this map's alone (else shared with a fork or its source). */
  #ownsValues = false;
  /** Whether #keys and #index are this map's alone. */
  #ownsKeys = false;
  /** Shared with forks (see sortedKeys). */
  #sorted: SortedKeys | undefined;

  private constructor(
    keys: string[],
    values: (V | typeof REMOVED)[],
    index: Map<string, number>,
    size: number,
    sorted?: SortedKeys,
  ) {
    this.#keys = keys;
    this.#values = values;
    this.#index = index;
    this.#size = size;
    this.#sorted = sorted;
  }

  /** A map to change that leaves `source` as it is (a Map given here must not change afterwards either). */
  static fork<V extends {}>(source: ReadonlyMap<string, V> = new Map()): ForkedMap<V> {
    if (source instanceof ForkedMap) {
      source.#ownsValues = source.#ownsKeys = false;
      return new ForkedMap(source.#keys, source.#values, source.#index, source.#size, source.#sorted);
    }
    const keys: string[] = [];
    const values: V[] = [];
    const index = new Map<string, number>();
    source.forEach((value, key) => {
      index.set(key, keys.length);
      keys.push(key);
      values.push(value);
    });
    const fork = new ForkedMap(keys, values, index, keys.length);
    fork.#ownsValues = fork.#ownsKeys = true;
    return fork;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const at = this.#index.get(key);
    return at === undefined ? undefined : (this.#values[at] as V);
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  set(key: string, value: V): this {
    const at = this.#index.get(key);
    if (at !== undefined) {
      this.#ownValues();
      this.#values[at] = value;
      return this;
    }
    this.#ownKeys();
    this.#ownValues();
    this.#index.set(key, this.#keys.length);
    this.#keys.push(key);
    this.#values.push(value);
    this.#size += 1;
    return this;
  }

  delete(key: string): boolean {
    const at = this.#index.get(key);
    if (at === undefined) return false;
    this.#ownKeys();
    this.#ownValues();
    this.#index.delete(key);
    this.#values[at] = REMOVED;
    this.#size -= 1;
    // gaps are left until they outnumber the entries
    if (this.#keys.length > 2 * this.#size + 16) this.#closeGaps();
    return true;
  }

  /**
   * The keys in code-unit order (a registry's snapshot lists its profiles so). Sorted once for a
   * set of keys and kept, by the forks that share it too: a registry's next state mostly changes
   * values, not keys. Within one keys array, keys are only added (its length grows) or removed (the
   * size shrinks, the length stays), so the array, its length and the size name one set of keys.
   */
  sortedKeys(): readonly string[] {
    const known = this.#sorted;
    if (known && known.keys === this.#keys && known.length === this.#keys.length && known.size === this.#size) return known.sorted;
    const sorted = [...this.keys()].sort(inCodeUnitOrder);
    this.#sorted = { keys: this.#keys, length: this.#keys.length, size: this.#size, sorted };
    return sorted;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    const keys = this.#keys;
    const values = this.#values;
    for (let at = 0; at < keys.length; at++) {
      const value = values[at];
      if (value !== REMOVED) callback.call(thisArg, value as V, keys[at] as string, this);
    }
  }

  *entries(): MapIterator<[string, V]> {
    const keys = this.#keys;
    const values = this.#values;
    for (let at = 0; at < keys.length; at++) {
      const value = values[at];
      if (value !== REMOVED) yield [keys[at] as string, value as V];
    }
  }

  keys(): MapIterator<string> {
    // with no gaps, the arrays' own iterators (native, several times faster than a generator)
    return this.#keys.length === this.#size ? this.#keys.values() : this.#keysAroundGaps();
  }

  values(): MapIterator<V> {
    return this.#keys.length === this.#size ? (this.#values as V[]).values() : this.#valuesAroundGaps();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  *#keysAroundGaps(): MapIterator<string> {
    const keys = this.#keys;
    const values = this.#values;
    for (let at = 0; at < keys.length; at++) if (values[at] !== REMOVED) yield keys[at] as string;
  }

  *#valuesAroundGaps(): MapIterator<V> {
    const keys = this.#keys;
    const values = this.#values;
    for (let at = 0; at < keys.length; at++) {
      const value = values[at];
      if (value !== REMOVED) yield value as V;
    }
  }

  #ownValues(): void {
    if (this.#ownsValues) return;
    this.#values = this.#values.slice();
    this.#ownsValues = true;
  }

  #ownKeys(): void {
    if (this.#ownsKeys) return;
    this.#keys = this.#keys.slice();
    this.#index = copyOf(this.#index);
    this.#ownsKeys = true;
  }

  #closeGaps(): void {
    const keys: string[] = [];
    const values: V[] = [];
    this.forEach((value, key) => {
      this.#index.set(key, keys.length);
      keys.push(key);
      values.push(value);
    });
    this.#keys = keys;
    this.#values = values;
  }
}

const inCodeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The keys of a map in code-unit order (kept between calls for a ForkedMap: see sortedKeys). */
export const sortedKeysOf = (map: ReadonlyMap<string, unknown>): readonly string[] =>
  map instanceof ForkedMap ? map.sortedKeys() : [...map.keys()].sort(inCodeUnitOrder);

/** A copy of a map (forEach + set: several times faster than `new Map(map)` on V8). */
const copyOf = <K, V>(map: ReadonlyMap<K, V>): Map<K, V> => {
  const copy = new Map<K, V>();
  map.forEach((value, key) => copy.set(key, value));
  return copy;
};
