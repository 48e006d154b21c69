import { isStatus } from '../http/util.js';
import type { HeadersInit } from '../http/headers.js';
import { RedirectResponse, type RedirectOptions, type Response } from './response.js';

/** Extra data carried by an {@link HTTPException}: handed to status handlers and built-in pages. */
export interface HTTPExceptionExtra {
  /** A message shown (escaped) on the built-in page and logged. */
  error?: unknown;
  /** Headers added to the built-in page (e.g. `Allow`, `WWW-Authenticate`). */
  headers?: HeadersInit;
  /**
   * Sent instead of the built-in page when no status handler takes the status: an add-on's
   * own error format (a JSON body) that an `errorHandler(status)` of the app may still reshape.
   */
  defaultResponse?: Response;
  /** Anything else a status handler wants (upstream passes keyword arguments). */
  [key: string]: unknown;
}

/**
 * Stops request processing with an HTTP status (handled by a status handler or a built-in
 * page) or with a ready response.
 *
 * @example
 * throw new HTTPException(403);
 * throw new HTTPException(new JSONResponse({ error: 'nope' }, { status: 409 }));
 */
export class HTTPException extends Error {
  /** The HTTP status code. */
  readonly status: number;
  /** The ready response to send, when the exception was made from one. */
  readonly response: Response | undefined;
  /** Extra data for status handlers and built-in pages. */
  readonly extra: HTTPExceptionExtra;

  constructor(statusOrResponse: number | Response, extra: HTTPExceptionExtra = {}) {
    const status = typeof statusOrResponse === 'number' ? statusOrResponse : statusOrResponse.status;
    if (!isStatus(status)) {
      throw new TypeError(`HTTPException: invalid HTTP status ${String(status)}`);
    }
    super(`HTTP ${status}`);
    this.name = 'HTTPException';
    this.status = status;
    this.response = typeof statusOrResponse === 'number' ? undefined : statusOrResponse;
    this.extra = extra;
  }
}

/** Throws an {@link HTTPException} for a status or a ready response. */
export function abort(statusOrResponse: number | Response, extra?: HTTPExceptionExtra): never {
  throw new HTTPException(statusOrResponse, extra);
}

/** Throws an {@link HTTPException} carrying a {@link RedirectResponse}. */
export function redirect(location: string, options: RedirectOptions | number = {}): never {
  const opts = typeof options === 'number' ? { status: options } : options;
  throw new HTTPException(new RedirectResponse(location, opts));
}
