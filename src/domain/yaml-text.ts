import { parse } from 'yaml';
import { jsonPointer } from './json-schema-check.js';
import { numberTokenProblem, UnrepresentableValue } from './intact-json.js';

const OPTIONS = { merge: true, maxAliasCount: -1 } as const;

/**
 * The one YAML reader of the project (profiles files, bundles, tokens and signing-keys files):
 * YAML 1.2 with `<<` merge keys, as pinocchio's Go reader takes them; duplicate keys refused.
 * Aliases are not counted here: whoever walks the result bounds its expanded size.
 */
export const parseYamlText = (text: string): unknown => parse(text, OPTIONS);

/**
 * A parsed YAML document whose numbers are not what its text said is refused, naming the JSON
 * pointer: a number beyond a double's range (`1e309`, `.inf`, `.nan`), an integer past 2^53 that
 * was rounded. Rare, so the integers are checked by a second parse that keeps them as BigInt.
 */
export const refuseInexactYamlNumbers = (text: string, value: unknown): void => {
  const path: (string | number)[] = [];
  const exact = (): unknown => parse(text, { ...OPTIONS, intAsBigInt: true });
  let precise: unknown;
  const visit = (node: unknown, twin: () => unknown): void => {
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) throw new UnrepresentableValue(jsonPointer(path), `the number ${node} cannot be stored as JSON`);
      if (!Number.isInteger(node) || Number.isSafeInteger(node)) return;
      const written = twin();
      const problem = typeof written === 'bigint' ? numberTokenProblem(written.toString()) : undefined;
      if (problem !== undefined) throw new UnrepresentableValue(jsonPointer(path), problem);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const key of Object.keys(node)) {
      path.push(Array.isArray(node) ? Number(key) : key);
      visit((node as Record<string, unknown>)[key], () => (twin() as Record<string, unknown> | undefined)?.[key]);
      path.pop();
    }
  };
  visit(value, () => (precise ??= exact()));
};
