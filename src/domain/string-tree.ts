/**
 * Values found through a sequence of strings, one nested map per string: a lookup hashes the
 * strings it is given (a URL's own strings keep their hash) and builds no key string per request.
 */
export interface StringTree<T> {
  next: Map<string, StringTree<T>>;
  known?: { value: T };
}

export const stringTree = <T>(): StringTree<T> => ({ next: new Map() });

/** The node under `node` for `part`, made if `make`. */
export const branchOf = <T>(node: StringTree<T>, part: string, make: boolean): StringTree<T> | undefined => {
  let child = node.next.get(part);
  if (child === undefined && make) {
    child = stringTree();
    node.next.set(part, child);
  }
  return child;
};

/** The node for these parts in turn (the same parts in the same order, the same node), made if `make`. */
export const placeOf = <T>(root: StringTree<T>, parts: readonly string[], make: boolean): StringTree<T> | undefined => {
  let node: StringTree<T> | undefined = root;
  for (let i = 0; i < parts.length && node !== undefined; i += 1) node = branchOf(node, parts[i] as string, make);
  return node;
};
