import { ProblemError, UnreachableError } from './errors.js';

/** How the client talks to a server: its base URL, a bearer token and the fetch to use. */
export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080` (no trailing path); '' for the page's own origin in a browser. */
  baseUrl: string;
  /** Bearer token, when the server runs with a tokens file (a function is asked before each call). */
  token?: string | (() => string | undefined);
  /** Defaults to the global fetch (Node 20, browsers). */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | undefined;

export interface CallOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Transport {
  /** One call; a non-2xx answer throws ProblemError, no answer throws UnreachableError. */
  json<T>(path: string, options?: CallOptions): Promise<T>;
  /** The raw answer (2xx only), for bodies that are not JSON (YAML export, event streams). */
  raw(path: string, options?: CallOptions): Promise<Response>;
}

const withQuery = (path: string, query: Record<string, QueryValue> = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
};

export const enc = encodeURIComponent;

const problemOf = async (response: Response): Promise<ProblemError> => {
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const problem = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { detail: text };
  return new ProblemError(response.status, problem);
};

export const createTransport = (options: ClientOptions): Transport => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const raw = async (path: string, call: CallOptions = {}): Promise<Response> => {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...call.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${base}${withQuery(path, call.query)}`, {
        method: call.method ?? 'GET',
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal,
      });
    } catch (error) {
      if (call.signal?.aborted) throw error;
      throw new UnreachableError(`${base} cannot be reached: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  };
  return {
    raw,
    json: async <T>(path: string, call: CallOptions = {}): Promise<T> => {
      const response = await raw(path, call);
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
};
