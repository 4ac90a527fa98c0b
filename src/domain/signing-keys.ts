import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseYamlText } from './yaml-text.js';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

/** One HMAC key of `--signing-keys-file`. The secret never leaves this process (never logged, never stored). */
export interface SigningKey {
  id: string;
  secret: string;
}

/** Every listed key verifies; the last one signs (so keys rotate without breaking old signatures). */
export interface SigningKeys {
  signing: SigningKey;
  byId: ReadonlyMap<string, SigningKey>;
}

export const MIN_SECRET_LENGTH = 16;

const keysFileSchema = z.object({
  keys: z
    .array(
      z.object({
        id: z.string().trim().min(1, 'must not be blank').max(128),
        secret: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`),
      }),
    )
    .min(1, 'must list at least one key'),
});

/** Parses the YAML or JSON text of a signing keys file: `keys: [{id, secret}]`; one clear error otherwise. */
export const parseSigningKeys = (text: string): SigningKeys => {
  let raw: unknown;
  try {
    raw = parseYamlText(text);
  } catch (error) {
    throw new Error(`signing keys file is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = keysFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // the message names the field, never the secret's value
    throw new Error(`signing keys file: ${issue.path.join('.') || 'keys'} ${issue.message}`);
  }
  const byId = new Map<string, SigningKey>();
  for (const key of parsed.data.keys) {
    if (byId.has(key.id)) throw new Error(`signing keys file: key id "${key.id}" is listed twice`);
    byId.set(key.id, key);
  }
  return { signing: parsed.data.keys[parsed.data.keys.length - 1], byId };
};

export const HMAC_ALGORITHM = 'hmac-sha256';

/** Hex HMAC-SHA256 of the RFC 8785 canonical JSON of `value`. */
export const hmacOf = (secret: string, value: unknown): string =>
  createHmac('sha256', secret).update(canonicalJson(value)).digest('hex');

/** Compares two hex digests in constant time. */
export const sameDigest = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
};
