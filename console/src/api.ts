// Calls to the registry's API with the session's bearer token; errors arrive as problem+json.

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  current_version?: number;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface ApiAnswer<T> {
  data: T;
  etag: string | null;
}

let token: string | null = null;
export const setApiToken = (value: string | null): void => {
  token = value;
};
export const authHeaders = (): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

export interface CallOptions {
  method?: string;
  body?: unknown;
  ifMatch?: string | null;
}

/** One API call; a non-2xx answer throws an ApiError carrying the problem. */
export const call = async <T>(path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> => {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError({ status: 0, detail: `the server cannot be reached (${(error as Error).message})` });
  }
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Problem;
    throw new ApiError({ ...problem, status: response.status });
  }
  return { data: parsed as T, etag: response.headers.get('etag') };
};

export const get = async <T>(path: string): Promise<T> => (await call<T>(path)).data;

/** A path with its query: undefined and empty values left out. */
export const withQuery = (path: string, query: Record<string, string | number | boolean | undefined>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
};

export const enc = encodeURIComponent;
