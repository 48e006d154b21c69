// ARCHITECTURE.md "Errors": the one error path — status handlers, exception-class handlers,
// built-in pages. Nothing here throws: a failing error handler falls back to the built-in page.
import { debugErrorDetail, debugNotFoundDetail } from '../pages/debug.js';
import { HTTPException, type HTTPExceptionExtra } from '../response/http-error.js';
import { makeResponse, UnsupportedResponseError } from '../response/make-response.js';
import { builtinPage, type DebugDetail } from '../pages/pages.js';
import { logFields } from '../request/log-fields.js';
import type { Exchange } from './exchange.js';
import { NoContentResponse, type Response } from '../response/response.js';
import { SessionError } from '../auth/session.js';
import { debugEnabled } from '../settings/settings.js';
import { clientGone, leftMidBody } from '../request/body-parse.js';
import { kTables } from '../http/symbols.js';
import { isThenable, nameOf } from '../http/util.js';

/** The response for an error raised while serving `req`. */
export function handleError(req: Exchange, error: unknown): Response | Promise<Response> {
  if (error instanceof HTTPException) {
    if (error.response) return error.response;
    if (error.status === 200) return new NoContentResponse();
    return statusResponse(req, error.status, error.extra);
  }
  const app = req.app;
  if (error instanceof UnsupportedResponseError) {
    app.logger.error(
      { req: logFields(req) },
      `Poor: handler ${nameOf(req.uriHandler)} for ${req.method} ${req.raw.url} [${req.uriRule ?? '-'}] returned an unsupported value (${error.valueType})`,
    );
    return statusResponse(req, 500, { error });
  }
  const handler =
    error !== null && typeof error === 'object' ? req.host[kTables].classHandler(error, req.method) : undefined;
  if (handler) {
    req.errorHandler = handler;
    return guard(req, () => handler(req, error));
  }
  if (error instanceof SessionError && error.status < 500) {
    // A forged, expired or foreign cookie: the client's doing, not worth more than a debug line.
    app.logger.debug?.(
      { req: logFields(req) },
      `Poor: untrusted session cookie on ${req.method} ${req.raw.url}: ${error.message}`,
    );
    return statusResponse(req, error.status, { error: 'invalid session cookie' });
  }
  if (leftMidBody(req.raw)) {
    // A handler reading the body of a client that disconnected (Node's "aborted"): the
    // client's doing, answered (if anyone listens) as a 400 and logged at debug only.
    app.logger.debug?.(
      { err: error, req: logFields(req) },
      `Poor: the client of ${req.method} ${req.raw.url} went away mid-body`,
    );
    return statusResponse(req, 400, clientGone().extra);
  }
  logCrash(req, error);
  return statusResponse(req, 500, { error });
}

/** Logs a handler's crash with the stack. */
export function logCrash(req: Exchange, error: unknown): void {
  req.app.logger.error(
    { err: error, req: logFields(req) },
    `Poor: handler ${nameOf(req.uriHandler)} for ${req.method} ${req.raw.url} [${req.uriRule ?? '-'}] failed`,
  );
}

/**
 * The answer for a status: its status handler, else the built-in page. Statuses the framework
 * produces itself come here directly: no Error, no stack capture.
 */
export function statusResponse(req: Exchange, status: number, extra: HTTPExceptionExtra): Response | Promise<Response> {
  const app = req.app;
  // A client's mistake, one per request: debug only (a scanner must not flood the log).
  if (status === 404 && debugEnabled(app.logger))
    app.logger.debug?.({ req: logFields(req) }, `Poor: 404 Not Found: ${req.method} ${req.raw.url}`);
  const handler = req.host[kTables].statusHandler(status, req.method);
  if (handler) {
    req.errorHandler = handler;
    return guard(req, () => handler(req, extra));
  }
  return builtin(req, status, extra);
}

/** The built-in page (or the exception's `defaultResponse`); a 500 shows the error only in debug mode. */
export function builtin(req: Exchange, status: number, extra: HTTPExceptionExtra): Response {
  if (extra.defaultResponse !== undefined) return extra.defaultResponse;
  let detail: DebugDetail | undefined;
  if (req.app.debug) {
    if (status === 500 && extra.error !== undefined) detail = debugErrorDetail(req, extra.error);
    // No handler took the request (a handler's own 404 is about its data, not the routes).
    else if (status === 404 && req.uriHandler === undefined) detail = debugNotFoundDetail(req, req.host.router.entries);
  }
  return builtinPage(req, status, status === 500 ? { headers: extra.headers } : extra, detail);
}

/** Runs an error handler; if it fails, the built-in page answers (never the user's handlers again). */
function guard(req: Exchange, run: () => unknown): Response | Promise<Response> {
  const fail = (error: unknown): Response => {
    if (error instanceof HTTPException)
      return error.response ?? builtin(req, error.status === 200 ? 204 : error.status, error.extra);
    req.app.logger.error({ err: error, req: logFields(req) }, `Poor: error handler ${nameOf(req.errorHandler)} failed`);
    return builtin(req, 500, { error });
  };
  try {
    const value = run();
    if (isThenable(value))
      return Promise.resolve(value)
        .then((resolved) => makeResponse(resolved))
        .catch(fail);
    return makeResponse(value);
  } catch (error) {
    return fail(error);
  }
}
