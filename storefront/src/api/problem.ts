import type { Problem } from './types';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An API call that failed; `problem` is what the server said, or a description of the failure. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }

  get status(): number {
    return this.problem.status;
  }
}

/** Reads an error response: RFC 9457 body when the server sent one, else a synthesized problem. */
export async function problemFromResponse(response: Response): Promise<Problem> {
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (contentType.startsWith(PROBLEM_CONTENT_TYPE) || contentType.startsWith('application/json')) {
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && 'title' in body) {
        const obj = body as Record<string, unknown>;
        return {
          ...obj,
          type: typeof obj.type === 'string' ? obj.type : 'about:blank',
          title: String(obj.title),
          status: typeof obj.status === 'number' ? obj.status : response.status,
          ...(typeof obj.detail === 'string' ? { detail: obj.detail } : {}),
        };
      }
    } catch {
      // Not JSON after all: fall through to the generic problem below.
    }
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text ? text.slice(0, 300) : `The server answered ${response.status} without details.`,
  };
}

/** A problem for a request that got no HTTP answer at all (offline, DNS, reset). */
export function networkProblem(url: string, cause: unknown): Problem {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return {
    type: 'about:blank',
    title: 'Network error',
    status: 0,
    detail: `Could not reach ${url}: ${reason}. Check your connection and try again.`,
  };
}
