import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Application, ClassHandler, ErrorClass } from '../application.js';
import { evaluateConditions, hasValidators } from '../conditional.js';
import { debugErrorDetail, debugInfoPage } from '../debug.js';
import { HTTPException, type HTTPExceptionExtra } from '../http-error.js';
import { makeResponse, UnsupportedResponseError } from '../make-response.js';
import { builtinPage } from '../pages.js';
import { Request } from '../request.js';
import { NoContentResponse, type Response } from '../response.js';
import type { RouteFunction, RouteMatch } from '../router.js';
import { kPrepare } from './body.js';
import { bodyKind, parseBody, type BodyKind } from './body-parse.js';
import { EarlyBodyError, respond } from './respond.js';

// The request pipeline: ARCHITECTURE.md steps 2–6. Synchronous end to end for a
// synchronous handler without hooks; everything else takes the async branch.

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function nameOf(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

/** Steps 2–6 for one request: never throws, never leaves the response unanswered. */
export function handleRequest(app: Application, raw: IncomingMessage, res: ServerResponse): void {
  const req = new Request(app, raw, res);
  let result: Response | Promise<Response>;
  try {
    result = dispatch(app, req);
  } catch (error) {
    result = handleError(app, req, error);
  }
  if (result instanceof Promise) {
    result
      .then(
        (response) => finish(app, req, response),
        (error: unknown) =>
          Promise.resolve(handleError(app, req, error)).then((response) => finish(app, req, response)),
      )
      .catch((error: unknown) => lastResort(app, req, error));
  } else {
    finish(app, req, result);
  }
}

/** Step 3–5: route, before hooks, handler, conversion. Synchronous when nothing is async. */
function dispatch(app: Application, req: Request): Response | Promise<Response> {
  const match = app.router.match(req.method, req.path);
  if (match.kind === 'found') {
    req.uriRule = match.route.pattern;
    req.uriHandler = match.handler;
    req.params = match.params;
    const kind = bodyKind(app, req);
    if (app.beforeHooks.length > 0 || kind !== undefined) return dispatchSlow(app, req, match, kind);
    return toResponse(call(match.handler, req, match.args));
  }
  if (app.beforeHooks.length > 0) return dispatchSlow(app, req, match, undefined);
  return unmatched(app, req, match.kind === 'method' ? match.allow : undefined);
}

function call(handler: RouteFunction, req: Request, args: unknown[] | undefined): unknown {
  const fn = handler as (req: Request, ...params: unknown[]) => unknown;
  return args === undefined || args.length === 0 ? fn(req) : fn(req, ...args);
}

function toResponse(value: unknown): Response | Promise<Response> {
  if (value instanceof Promise) return value.then((resolved: unknown) => makeResponse(resolved));
  return makeResponse(value);
}

/** Before hooks (and body parsing), then the matched handler or the unmatched path. */
async function dispatchSlow(app: Application, req: Request, match: RouteMatch, kind: BodyKind): Promise<Response> {
  if (kind !== undefined) await parseBody(req, kind);
  for (const hook of app.beforeHooks) {
    const early = await hook(req);
    if (early !== undefined && early !== null) return makeResponse(early);
  }
  if (match.kind === 'found') {
    const value = call(match.handler, req, match.args);
    return makeResponse(isThenable(value) ? await value : value);
  }
  return unmatched(app, req, match.kind === 'method' ? match.allow : undefined);
}

/** No route took the request: 501, 405/OPTIONS, then fallbacks, /debug-info, default handler, 404. */
function unmatched(app: Application, req: Request, allow: string | undefined): Response | Promise<Response> {
  const method = req.method;
  if (!app.router.knowsMethod(method)) return statusResponse(app, req, 501, {});
  if (allow !== undefined) {
    if (method === 'OPTIONS') return new NoContentResponse({ headers: { Allow: allow } });
    return statusResponse(app, req, 405, { headers: { Allow: allow } });
  }
  req.uriRule = '/*';
  if (app.fallbacks.length > 0 || app.defaultHandlers.size > 0) return fallBack(app, req);
  return lastStop(app, req);
}

/**
 * Fallbacks in order (synchronous while they answer synchronously: a static-files add-on that
 * declines a path keeps a 404 off the promise path), then the default handler.
 */
function fallBack(app: Application, req: Request, from = 0): Response | Promise<Response> {
  const fallbacks = app.fallbacks;
  for (let index = from; index < fallbacks.length; index += 1) {
    const value = (fallbacks[index] as (req: Request) => unknown)(req);
    if (isThenable(value)) {
      return Promise.resolve(value).then((resolved) =>
        resolved !== undefined ? makeResponse(resolved) : fallBack(app, req, index + 1),
      );
    }
    if (value !== undefined) return makeResponse(value);
  }
  const method = req.method;
  const handler =
    app.defaultHandlers.get(method) ??
    (method === 'HEAD' ? app.defaultHandlers.get('GET') : undefined) ??
    app.defaultHandlers.get('*');
  if (!handler || (app.debug && isDebugInfo(req))) return lastStop(app, req);
  req.uriHandler = handler;
  const kind = bodyKind(app, req);
  if (kind !== undefined) return parseBody(req, kind).then(() => toResponse(call(handler, req, undefined)));
  return toResponse(call(handler, req, undefined));
}

function isDebugInfo(req: Request): boolean {
  return req.path === '/debug-info' && (req.method === 'GET' || req.method === 'HEAD');
}

/** What answers when nothing else did: /debug-info (debug only), `OPTIONS *`, or 404. */
function lastStop(app: Application, req: Request): Response | Promise<Response> {
  if (app.debug && isDebugInfo(req)) {
    req.uriRule = '/debug-info';
    return debugInfoPage(req, app);
  }
  if (req.method === 'OPTIONS' && req.path === '*') {
    return new NoContentResponse({ headers: { Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } });
  }
  // Statuses the framework produces itself skip HTTPException: no Error, no stack capture.
  return statusResponse(app, req, 404, {});
}

/** Step 6: the one error path — status handlers, exception-class handlers, built-in pages. */
export function handleError(app: Application, req: Request, error: unknown): Response | Promise<Response> {
  if (error instanceof HTTPException) {
    if (error.response) return error.response;
    if (error.status === 200) return new NoContentResponse();
    return statusResponse(app, req, error.status, error.extra);
  }
  if (error instanceof UnsupportedResponseError) {
    app.logger.error(
      `Poor: handler ${nameOf(req.uriHandler)} for ${req.method} ${req.raw.url} [${req.uriRule ?? '-'}] returned an unsupported value (${error.valueType})`,
    );
    return statusResponse(app, req, 500, { error });
  }
  const handler = error !== null && typeof error === 'object' ? findClassHandler(app, error, req.method) : undefined;
  if (handler) {
    req.errorHandler = handler;
    return guard(app, req, () => handler(req, error));
  }
  logCrash(app, req, error);
  return statusResponse(app, req, 500, { error });
}

function logCrash(app: Application, req: Request, error: unknown): void {
  app.logger.error(
    `Poor: handler ${nameOf(req.uriHandler)} for ${req.method} ${req.raw.url} [${req.uriRule ?? '-'}] failed:`,
    error,
  );
}

function findClassHandler(app: Application, error: object, method: string): ClassHandler | undefined {
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const table = app.classHandlers.get((proto as { constructor: ErrorClass }).constructor);
    const handler = table?.get(method) ?? table?.get('*');
    if (handler) return handler;
  }
  return undefined;
}

function statusResponse(
  app: Application,
  req: Request,
  status: number,
  extra: HTTPExceptionExtra,
): Response | Promise<Response> {
  if (status === 404) app.logger.info(`Poor: 404 Not Found: ${req.method} ${req.raw.url}`);
  const table = app.statusHandlers.get(status);
  const handler = table?.get(req.method) ?? table?.get('*');
  if (handler) {
    req.errorHandler = handler;
    return guard(app, req, () => handler(req, extra));
  }
  return builtin(app, req, status, extra);
}

function builtin(app: Application, req: Request, status: number, extra: HTTPExceptionExtra): Response {
  const detail = status === 500 && app.debug && extra.error !== undefined ? debugErrorDetail(req, extra.error) : '';
  return builtinPage(req, status, status === 500 ? { headers: extra.headers } : extra, detail);
}

/** Runs an error handler; if it fails, the built-in page answers (never the user's handlers again). */
function guard(app: Application, req: Request, run: () => unknown): Response | Promise<Response> {
  const fail = (error: unknown): Response => {
    if (error instanceof HTTPException)
      return error.response ?? builtin(app, req, error.status === 200 ? 204 : error.status, error.extra);
    app.logger.error(`Poor: error handler ${nameOf(req.errorHandler)} failed:`, error);
    return builtin(app, req, 500, { error });
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

/** Steps 5–6: prepare (files), conditional requests, after hooks, then write. */
function finish(app: Application, req: Request, response: Response): void | Promise<void> {
  const method = req.method;
  const conditional = (method === 'GET' || method === 'HEAD') && response.status === 200 && hasValidators(response);
  if (!conditional && app.afterHooks.length === 0 && !(kPrepare in response)) return write(app, req, response);
  return finishSlow(app, req, response, conditional);
}

async function prepare(app: Application, req: Request, response: Response, conditional: boolean): Promise<Response> {
  const method = req.method;
  if (kPrepare in response) await (response as Response & { [kPrepare](): Promise<void> })[kPrepare]();
  if (conditional || ((method === 'GET' || method === 'HEAD') && response.status === 200 && hasValidators(response))) {
    return evaluateConditions(method, req.raw.headers, response);
  }
  return response;
}

async function finishSlow(app: Application, req: Request, first: Response, conditional: boolean): Promise<void> {
  let response: Response;
  try {
    response = await prepare(app, req, first, conditional);
  } catch (error) {
    try {
      response = await prepare(app, req, await handleError(app, req, error), false);
    } catch (again) {
      logCrash(app, req, again);
      response = builtin(app, req, 500, { error: again });
    }
  }
  for (const hook of app.afterHooks) {
    try {
      response = makeResponse(await hook(req, response));
    } catch (error) {
      app.logger.error(`Poor: after hook ${nameOf(hook)} failed:`, error);
      response = builtin(app, req, 500, { error });
      break;
    }
  }
  return write(app, req, response);
}

function write(app: Application, req: Request, response: Response): void | Promise<void> {
  const res = req.rawResponse as ServerResponse;
  try {
    const pending = respond(req.method, res, response, app.poweredBy, app.logger);
    if (pending) return pending.catch((error: unknown) => writeFailed(app, req, error));
  } catch (error) {
    writeFailed(app, req, error);
  }
}

function writeFailed(app: Application, req: Request, error: unknown): void {
  const cause = error instanceof EarlyBodyError ? error.cause : error;
  logCrash(app, req, cause);
  const res = req.rawResponse as ServerResponse;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    respond(req.method, res, builtin(app, req, 500, { error: cause }), app.poweredBy, app.logger);
  } catch (again) {
    app.logger.error('Poor: could not send the 500 page:', again);
    res.destroy();
  }
}

function lastResort(app: Application, req: Request, error: unknown): void {
  app.logger.error('Poor: unexpected failure in the request pipeline:', error);
  const res = req.rawResponse as ServerResponse;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error');
  } else {
    res.destroy();
  }
}
