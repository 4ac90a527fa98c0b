/**
 * The one place where JSON text is assembled from pieces that are already JSON (a profile's
 * stored JSON, a header row, a cached content part) instead of from values: so a write never
 * serializes what it already has, and the registries view assembles in SQL the bytes the code
 * assembles in JavaScript. Whatever is assembled here is byte for byte what `JSON.stringify`
 * writes for the same value (test/domain/json-splicing.test.ts), given what JSON.stringify itself
 * requires: keys are distinct, and an object's keys come in the order given (JavaScript puts
 * keys that are array indices, such as "10", first: an object keyed by such slugs keeps slug order).
 *
 * The pieces are JavaScript strings, UTF-8 bytes, or SQL expressions that evaluate to text (`TextOps`).
 */

/** How JSON text is written: as JavaScript strings, or as SQL expressions over text columns. */
export interface TextOps<T> {
  /** A literal piece of text. */
  text: (literal: string) => T;
  /** The pieces one after the other. */
  concat: (pieces: readonly T[]) => T;
  /** The members of an object's JSON: the text between its braces. */
  innerOf: (objectJson: T) => T;
}

/** JSON text as JavaScript strings. */
export const STRING_TEXT: TextOps<string> = {
  text: (literal) => literal,
  // `+` builds a rope, as a template literal does, where join('') would copy every piece once more
  concat: (pieces) => {
    let text = '';
    for (const piece of pieces) text += piece;
    return text;
  },
  innerOf: (objectJson) => {
    if (objectJson.length <= 2) throw new Error(`cannot spread ${objectJson}: an object with no members`);
    return objectJson.slice(1, -1);
  },
};

/** JSON text as UTF-8 bytes (a document already encoded for the response). */
export const BYTES_TEXT: TextOps<Buffer> = {
  text: (literal) => Buffer.from(literal),
  concat: (pieces) => Buffer.concat(pieces),
  innerOf: (objectJson) => {
    if (objectJson.length <= 2) throw new Error('cannot spread {}: an object with no members');
    return objectJson.subarray(1, objectJson.length - 1);
  },
};

/** JSON text as a SQL expression (`||`, substr and length mean the same in SQLite and PostgreSQL). */
export const SQL_TEXT: TextOps<string> = {
  text: (literal) => `'${literal.replaceAll("'", "''")}'`,
  concat: (pieces) => pieces.join(' || '),
  innerOf: (objectJson) => `substr(${objectJson}, 2, length(${objectJson}) - 2)`,
};

/**
 * One part of an object: a member (`[key, json of its value]`, left out when the value is
 * undefined, as JSON.stringify leaves it out), or every member of another object's JSON
 * (`{ spread }`, as `{...other}` does; that object must have at least one member).
 */
export type ObjectPart<T> = readonly [key: string, json: T | undefined] | { readonly spread: T };

/** Pieces with adjacent literals merged, so that SQL gets one literal where JavaScript would join two. */
class Pieces<T> {
  private readonly pieces: T[] = [];
  private literal = '';
  constructor(private readonly ops: TextOps<T>) {}
  text(literal: string): void {
    this.literal += literal;
  }
  piece(piece: T): void {
    if (this.literal !== '') this.pieces.push(this.ops.text(this.literal));
    this.literal = '';
    this.pieces.push(piece);
  }
  done(): T {
    if (this.literal !== '') this.pieces.push(this.ops.text(this.literal));
    return this.pieces.length === 1 ? (this.pieces[0] as T) : this.ops.concat(this.pieces);
  }
}

/** `{...}` from its parts in order, written with `ops`. */
export const objectJsonIn = <T>(ops: TextOps<T>, parts: Iterable<ObjectPart<T>>): T => {
  const out = new Pieces(ops);
  out.text('{');
  let separator = '';
  for (const part of parts) {
    if ('spread' in part) {
      out.text(separator);
      out.piece(ops.innerOf(part.spread));
    } else {
      const [key, json] = part;
      if (json === undefined) continue;
      out.text(`${separator}${JSON.stringify(key)}:`);
      out.piece(json);
    }
    separator = ',';
  }
  out.text('}');
  return out.done();
};

/** `[...]` from the JSON of its items, written with `ops`. */
export const arrayJsonIn = <T>(ops: TextOps<T>, items: Iterable<T>): T => {
  const out = new Pieces(ops);
  out.text('[');
  let separator = '';
  for (const item of items) {
    out.text(separator);
    out.piece(item);
    separator = ',';
  }
  out.text(']');
  return out.done();
};

/** `{...}` as a string: JSON.stringify of the object whose parts are given as JSON. */
export const objectJson = (parts: Iterable<ObjectPart<string>>): string => objectJsonIn(STRING_TEXT, parts);

/** `[...]` as a string: JSON.stringify of the array whose items are given as JSON. */
export const arrayJson = (items: Iterable<string>): string => arrayJsonIn(STRING_TEXT, items);

/** A member `"key":value` from the key's JSON and the value's JSON (members that an aggregate joins). */
export const memberJsonIn = <T>(ops: TextOps<T>, keyJson: T, json: T): T => ops.concat([keyJson, ops.text(':'), json]);

/** `{...}` around members already joined by commas (by an aggregate), given as one piece. */
export const objectOfJoinedMembersIn = <T>(ops: TextOps<T>, joinedMembers: T): T =>
  ops.concat([ops.text('{'), joinedMembers, ops.text('}')]);
