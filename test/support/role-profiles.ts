import { readFixture } from './fixtures.js';

/** The registry every role profile body names (create it first). */
export const ROLE_REGISTRY = 'staff';

/** The 8 `POST /api/chat/profiles` bodies of test/fixtures/role-profiles.json (registry `staff`). */
export const roleProfiles = (): Array<Record<string, unknown> & { slug: string; registry: string }> =>
  JSON.parse(readFixture('role-profiles.json'));
