import { ApiError } from '../api/problem';
import { h } from './dom';

/** Shows what went wrong: the API's problem details (title, detail) or the error's message. */
export function errorBox(error: unknown): HTMLElement {
  const title = error instanceof ApiError ? error.problem.title : 'Something went wrong';
  const detail =
    error instanceof ApiError ? (error.problem.detail ?? '') : error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'error', role: 'alert', testid: 'error' },
    h('strong', {}, title),
    detail ? h('p', {}, detail) : null,
  );
}
