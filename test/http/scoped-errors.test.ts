import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { newProfileContent } from '../../src/domain/profile.js';
import { decideSchema, type ProfileUsingSchema } from '../../src/events/decide-schema.js';
import { foldSchemaEvents } from '../../src/events/schema-state.js';
import { scopedError } from '../../src/http/auth/scope.js';
import { toProblem } from '../../src/http/problem.js';
import { enforceSigned } from '../../src/http/signed-documents.js';

/** The refusals that name profiles, as a token limited to `team-a` gets them (unit level; the HTTP tests are in security/). */

const limitedTo = (...registries: string[]) => ({ caller: { name: 't', role: 'admin', registries: new Set(registries) } }) as unknown as FastifyRequest;
const unlimited = { caller: null } as unknown as FastifyRequest;

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
};

const using = (registry: string, slug: string): ProfileUsingSchema => ({
  registry,
  policies: {},
  content: newProfileContent(slug, { runtime: { middlewares: [{ name: 'guard', config: { level: 'high' } }] } }),
});

describe('scopedError: a refusal names only what the caller may read', () => {
  const breaking = () =>
    refusal(() =>
      decideSchema(
        foldSchemaEvents([]),
        {
          type: 'put_schema',
          kind: 'middleware',
          name: 'guard',
          document: { name: 'guard', version: 1, schema: { type: 'object', properties: { level: { type: 'integer' } } } },
        },
        [using('team-a', 'alpha'), using('team-b', 'bravo-one'), using('team-b', 'bravo-two')],
      ),
    );

  it('lists a schema change\'s broken profiles of its own registries, and counts the others', () => {
    const full = toProblem(scopedError(unlimited, breaking()));
    expect(full.detail).toContain('team-b/bravo-one');
    expect(full.profiles).toHaveLength(3);
    const narrowed = toProblem(scopedError(limitedTo('team-a'), breaking()));
    expect(narrowed.status).toBe(409);
    expect(JSON.stringify(narrowed)).not.toMatch(/team-b|bravo/);
    expect(narrowed.detail).toMatch(/^middleware schema "guard" change would invalidate 3 stored profile\(s\): team-a\/alpha \(.+\), 2 profile\(s\) outside the registries this token may read; send force: true/);
    expect(narrowed.profiles).toEqual([expect.objectContaining({ registry: 'team-a', slug: 'alpha' })]);
  });

  it('answers an unsigned layer outside the scope as a missing profile', () => {
    const unsigned = refusal(() => enforceSigned(true, 'team-b', 'bravo-one', undefined, 'unsigned'));
    expect(toProblem(scopedError(unlimited, unsigned)).detail).toBe('profile "team-b/bravo-one" is not signed (publish it first)');
    expect(toProblem(scopedError(limitedTo('team-a'), unsigned))).toMatchObject({ status: 404, detail: 'profile not found' });
    expect(toProblem(scopedError(limitedTo('team-b'), unsigned)).status).toBe(403);
  });
});
