import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** An error answer: problem+json with {type, title, status, detail}, never a stack trace. */
export const expectProblem = (response: LightMyRequestResponse, status: number, detail: string | RegExp) => {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (typeof detail === 'string') expect(body.detail).toBe(detail);
  else expect(body.detail).toMatch(detail);
  expect(body).not.toHaveProperty('stack');
  expect(response.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return body;
};
