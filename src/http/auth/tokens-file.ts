import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseYamlText } from '../../domain/yaml-text.js';
import { z } from 'zod';
import { formatFieldPath } from '../../domain/parse-input.js';
import { parseSlug } from '../../domain/slug.js';
import { ROLES, type Role } from './roles.js';

/** A caller known by a bearer token of the tokens file. */
export interface TokenHolder {
  name: string;
  role: Role;
  /** When set, the only registries this token sees; others answer 404. */
  registries?: ReadonlySet<string>;
}

interface TokenEntry extends TokenHolder {
  digest: Buffer;
}

const entrySchema = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.@:-]{1,128}$/, 'must be 1 to 128 letters, digits or ._@:-'),
  role: z.enum(ROLES),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the token (64 hex digits)'),
  registries: z.array(z.string()).optional(),
});

const entriesSchema = z.array(entrySchema);

export class TokensFileError extends Error {}

const tokenDigest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** The entries of a tokens file (YAML or JSON: a list, or `{tokens: [...]}`); a clear error otherwise. */
export const parseTokensFile = (text: string, file: string): TokenEntry[] => {
  let document: unknown;
  try {
    document = parseYamlText(text); // JSON is YAML
  } catch (error) {
    throw new TokensFileError(`${file}: not YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const list =
    document === null || document === undefined
      ? []
      : typeof document === 'object' && !Array.isArray(document) && 'tokens' in document
        ? (document as { tokens: unknown }).tokens
        : document;
  if (!Array.isArray(list)) throw new TokensFileError(`${file}: must be a list of {name, role, sha256, registries?} (or {tokens: [...]})`);
  const parsed = entriesSchema.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TokensFileError(`${file}: ${formatFieldPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`);
  }
  const entries = parsed.data;
  const names = new Set<string>();
  const digests = new Set<string>();
  return entries.map((entry, index) => {
    if (names.has(entry.name)) throw new TokensFileError(`${file}: [${index}].name: "${entry.name}" is listed twice`);
    const sha = entry.sha256.toLowerCase();
    if (digests.has(sha)) throw new TokensFileError(`${file}: [${index}].sha256: the same token is listed twice`);
    names.add(entry.name);
    digests.add(sha);
    const out: TokenEntry = { name: entry.name, role: entry.role, digest: Buffer.from(sha, 'hex') };
    if (entry.registries !== undefined) {
      out.registries = new Set(
        entry.registries.map((raw, at) => {
          const slug = parseSlug(raw);
          if (slug === undefined) throw new TokensFileError(`${file}: [${index}].registries[${at}]: invalid registry slug`);
          return slug;
        }),
      );
    }
    return out;
  });
};

/** The holder of a token, compared in constant time against every entry (no early exit). */
const findHolder = (entries: readonly TokenEntry[], token: string): TokenHolder | undefined => {
  const digest = tokenDigest(token);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry;
  }
  return found && { name: found.name, role: found.role, registries: found.registries };
};

/** Reads and checks a tokens file (a clear error when it cannot be used). */
export const readTokensFile = (path: string): TokenEntry[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TokensFileError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseTokensFile(text, path);
};

export interface TokensLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface TokensFile {
  find(token: string): TokenHolder | undefined;
  /** Reads the file again; on a bad file no token works until it is fixed (failing closed). */
  reload(): void;
  close(): void;
}

const RELOAD_DEBOUNCE_MS = 20;

/**
 * The tokens file, read at start (a bad file is an error there) and again on every change seen by
 * fs.watch on its folder (editors and `mv` replace the file) or fs.watchFile, and on `reload()`.
 */
export const openTokensFile = (path: string, log: TokensLog): TokensFile => {
  const read = () => readTokensFile(path);
  let entries = read();
  log.info({ file: path, tokens: entries.length }, 'auth tokens loaded');
  const reload = () => {
    try {
      entries = read();
      log.info({ file: path, tokens: entries.length }, 'auth tokens reloaded');
    } catch (error) {
      entries = [];
      log.error({ file: path, reason: (error as Error).message }, 'auth tokens file invalid: every token refused until it is fixed');
    }
  };
  let pending: NodeJS.Timeout | undefined;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(reload, RELOAD_DEBOUNCE_MS);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(path)) soon();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // fs.watchFile below still notices changes
  }
  watchFile(path, { persistent: false, interval: 1000 }, soon);
  return {
    find: (token) => findHolder(entries, token),
    reload,
    close: () => {
      clearTimeout(pending);
      watcher?.close();
      unwatchFile(path);
    },
  };
};

export const TOKEN_PREFIX = 'prt_';

/** A new random token (192 bits) and the hex SHA-256 the tokens file holds for it. */
export const createToken = (): { token: string; sha256: string } => {
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { token, sha256: tokenDigest(token).toString('hex') };
};
