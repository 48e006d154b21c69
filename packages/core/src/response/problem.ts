import { STATUS_CODES } from 'node:http';
import type { HeadersInit } from '../http/headers.js';
import { PROBLEM_JSON, Response } from './response.js';

/** The reason phrase of a status (Node's table), or a generic one. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'Status');
}

/**
 * The members of an RFC 9457 problem details object. `type` defaults to `about:blank`, `title`
 * to the reason phrase of `status`; other members are extensions (`errors` of a validation).
 */
export interface ProblemDetails {
  /** A URI naming the kind of problem; `about:blank` means "just the status". */
  type?: string | undefined;
  /** A short summary of the kind of problem (the reason phrase for `about:blank`). */
  title?: string | undefined;
  /** The HTTP status; set from the response's status. */
  status?: number | undefined;
  /** What went wrong in this occurrence, for the client to read. */
  detail?: string | undefined;
  /** A URI reference naming this occurrence (Poor's built-in errors give the request path). */
  instance?: string | undefined;
  /** Extension members. */
  [member: string]: unknown;
}

/** Options of {@link ProblemResponse}. */
export interface ProblemOptions {
  /** Extra headers (`Allow`, `WWW-Authenticate`, `Retry-After` …). */
  headers?: HeadersInit | undefined;
}

/**
 * An `application/problem+json` answer (RFC 9457): the error format of every built-in error
 * page for API clients, of `@poor/openapi`'s validation errors, and for handlers of your own.
 *
 * @example
 * return new ProblemResponse(409, { detail: 'the name is taken', name: 'pen' });
 */
export class ProblemResponse extends Response {
  /** The problem details sent, as an object (status handlers and `onSend` hooks may read it). */
  readonly problem: Readonly<ProblemDetails>;

  constructor(status: number, members: ProblemDetails = {}, options: ProblemOptions = {}) {
    const problem: ProblemDetails = {
      type: members.type ?? 'about:blank',
      title: members.title ?? reasonPhrase(status),
      status,
    };
    for (const key of Object.keys(members)) {
      const value = members[key];
      if (value !== undefined && key !== 'type' && key !== 'title' && key !== 'status') problem[key] = value;
    }
    super(JSON.stringify(problem), { status, headers: options.headers }, PROBLEM_JSON);
    this.problem = problem;
  }
}
