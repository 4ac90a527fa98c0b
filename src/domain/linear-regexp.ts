import { RE2JS } from 're2js';

/**
 * Why a pattern is refused: RE2 runs in time linear in its input, and gives up what needs
 * backtracking (backreferences, lookahead and lookbehind).
 */
export class UnsupportedPattern extends Error {
  constructor(pattern: string, reason: string) {
    super(
      `pattern ${JSON.stringify(pattern)} cannot run on a linear-time engine (RE2: no backreferences, lookahead or lookbehind): ${reason}`,
    );
  }
}

/**
 * The regular-expression engine of every JSON Schema `pattern` and `patternProperties` key: RE2
 * (re2js), so that no pattern an admin registers can make one profile write take exponential time.
 * Matches like `RegExp.prototype.test` (unanchored search); throws UnsupportedPattern for a
 * pattern RE2 cannot compile, which Ajv reports when the schema is compiled.
 */
export const linearRegExp = Object.assign(
  (pattern: string): { test: (input: string) => boolean; toString: () => string } => {
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(pattern);
    } catch (error) {
      throw new UnsupportedPattern(pattern, (error as Error).message);
    }
    // Ajv keys its compiled patterns by toString(): it must differ from pattern to pattern
    return { test: (input: string) => compiled.matcher(input).find(), toString: () => `re2:${pattern}` };
  },
  { code: 'linearRegExp' },
);
