import { parse } from 'yaml';

/**
 * The one YAML reader of the project (profiles files, bundles, tokens and signing-keys files):
 * YAML 1.2 with `<<` merge keys, as pinocchio's Go reader takes them; duplicate keys refused.
 * Aliases are not counted here: whoever walks the result bounds its expanded size.
 */
export const parseYamlText = (text: string): unknown => parse(text, { merge: true, maxAliasCount: -1 });

