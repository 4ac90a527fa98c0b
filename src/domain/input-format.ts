import { refuseInexactNumbers } from './intact-json.js';
import { parseYamlText, refuseInexactYamlNumbers } from './yaml-text.js';

/** What a profiles file holds, as pinocchio's migrate-legacy tells them apart. */
export type InputFormat = 'empty' | 'canonical-registries' | 'single-registry' | 'invalid' | 'legacy-map';

export interface DetectedInput {
  format: InputFormat;
  /** The parsed top-level map (absent for `empty` and `invalid`). */
  value?: Record<string, unknown>;
  /** Why an `invalid` input was refused, without quoting the input (it may hold keys). */
  reason?: string;
}

export const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SINGLE_REGISTRY_KEYS = ['profiles', 'slug', 'default_profile_slug'];

/** The first line of a parser's message: yaml appends the offending source lines, which may hold secrets. */
const firstLine = (message: string): string => message.split('\n')[0].replace(/:\s*$/, '');

const parseText = (text: string): unknown => {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    // JSON is YAML, but JSON.parse is much faster on large files
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // not strict JSON: let the YAML parser judge it
    }
    if (value !== undefined) {
      refuseInexactNumbers(text, value);
      return value;
    }
  }
  // a file of comments only is empty, as pinocchio reads it
  if (text.split('\n').every((line) => /^\s*(#.*)?$/.test(line))) return undefined;
  const value = parseYamlText(text);
  checkExpandedSize(value);
  refuseInexactYamlNumbers(text, value);
  return value;
};

/**
 * YAML aliases share one node in many places; whoever walks the result (validation, JSON) visits
 * each place. A few nested aliases can stand for billions of nodes, so refuse what expands past this.
 */
const MAX_EXPANDED_NODES = 5_000_000;

const checkExpandedSize = (root: unknown): void => {
  let visited = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (++visited > MAX_EXPANDED_NODES) throw new Error('the document expands to too many nodes (aliases)');
    if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push(child);
  }
};

/** Parses a profiles file (YAML or JSON) and names its format. Never throws. */
export const detectInputFormat = (text: string): DetectedInput => {
  if (text.trim() === '') return { format: 'empty' };
  let value: unknown;
  try {
    value = parseText(text);
  } catch (error) {
    return { format: 'invalid', reason: firstLine(error instanceof Error ? error.message : String(error)) };
  }
  return classifyDocument(value);
};

/** The format of an already parsed document (a JSON request body, say). */
export const classifyDocument = (value: unknown): DetectedInput => {
  if (value === null || value === undefined) return { format: 'empty' };
  if (!isPlainMap(value)) return { format: 'invalid', reason: 'the top level must be a map' };
  if (Object.hasOwn(value, 'registries')) return { format: 'canonical-registries', value };
  if (SINGLE_REGISTRY_KEYS.some((key) => Object.hasOwn(value, key))) return { format: 'single-registry', value };
  return { format: 'legacy-map', value };
};

