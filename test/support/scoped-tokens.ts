import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken } from '../../src/http/auth/tokens-file.js';
import { ROLES, type Role } from '../../src/http/auth/roles.js';

/** The registry every limited token of `writeScopedTokens` is limited to. */
export const OWN_REGISTRY = 'team-a';
/** A registry no limited token may read. */
export const OTHER_REGISTRY = 'team-b';

/** A token of each role, unlimited (`admin`) and limited to OWN_REGISTRY (`admin@team-a`). */
export type ScopedCaller = Role | `${Role}@${typeof OWN_REGISTRY}`;

export interface ScopedTokens {
  file: string;
  callers: ScopedCaller[];
  /** `Authorization` header of a caller. */
  bearer: (caller: ScopedCaller) => { authorization: string };
  roleOf: (caller: ScopedCaller) => Role;
  isLimited: (caller: ScopedCaller) => boolean;
}

/** A tokens file in `dir` with every role twice: without a limit and limited to registry `team-a`. */
export const writeScopedTokens = (dir: string): ScopedTokens => {
  const file = join(dir, 'scoped-tokens.yaml');
  const callers: ScopedCaller[] = ROLES.flatMap((role) => [role, `${role}@${OWN_REGISTRY}` as const]);
  const made = new Map(callers.map((caller) => [caller, createToken()]));
  const lines = callers.map((caller) => {
    const [role, limit] = caller.split('@');
    const name = limit === undefined ? `${role}-all` : `${role}-${limit}`;
    return `- {name: ${name}, role: ${role}, sha256: ${made.get(caller)!.sha256}${limit === undefined ? '' : `, registries: [${limit}]`}}`;
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return {
    file,
    callers,
    bearer: (caller) => ({ authorization: `Bearer ${made.get(caller)!.token}` }),
    roleOf: (caller) => caller.split('@')[0] as Role,
    isLimited: (caller) => caller.includes('@'),
  };
};
