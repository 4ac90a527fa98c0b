import type { ProblemDetails } from './types.js';

/** A problem+json answer (RFC 9457) of the registry, as a typed error. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  /** The problem's kind: the last part of its `type` (`version-conflict`, `not-found`, `validation`, …). */
  readonly kind: string;
  readonly problem: ProblemDetails;

  constructor(status: number, problem: Partial<ProblemDetails>) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = { type: '', title: '', detail: '', ...problem, status };
    this.kind = this.problem.type.split('/').pop() ?? '';
  }

  /** The stored version a 409 `version-conflict` names. */
  get currentVersion(): number | undefined {
    return this.problem.current_version;
  }
}

/** The server could not be reached or did not answer (no HTTP status). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Errors worth a retry: the server was away or said so (5xx, 429), not a refusal of the request. */
export const isTransient = (error: unknown): boolean =>
  error instanceof UnreachableError || (error instanceof ProblemError && (error.status >= 500 || error.status === 429));
