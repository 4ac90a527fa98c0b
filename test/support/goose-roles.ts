import { readFileSync } from 'node:fs';

/** The 8 `POST /api/chat/profiles` bodies of the goose role profiles (registry `goose`). */
export const gooseRoles = (): Array<Record<string, unknown> & { slug: string }> =>
  JSON.parse(readFileSync(new URL('../../../shared/fixtures/goose-roles.json', import.meta.url), 'utf8'));
