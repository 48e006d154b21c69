// The request pipeline: ARCHITECTURE.md steps 2–5, for plain requests and upgrades alike.
// One synchronous path (no hooks, no body to parse, a synchronous handler: no promise is
// created) and one async path; errors go to ./errors.ts.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Application } from '../app/application.js';
import { evaluateConditions, hasValidators } from '../response/conditional.js';
import type { AfterHook, BeforeHook, HookScope, UpgradeProtocol } from '../routing/handlers.js';
import { makeResponse } from '../response/make-response.js';
import { Request } from '../request/request.js';
import { Declined, NoContentResponse, Response } from '../response/response.js';
import type { RouteFunction, RouteMatch } from '../routing/router.js';
import { logAccess } from './access-log.js';
import { isBytes, kBody, kClaim, kPrepare } from '../response/body.js';
import { bodyKind, type BodyKind } from '../request/body-parse.js';
import { builtin, handleError, logCrash, logFields, statusResponse } from './errors.js';
import { EarlyBodyError, respond } from '../response/respond.js';
import { kParse, kProtocols, kReadJson, kScope, kTables, kTargetError } from '../http/symbols.js';
import { isThenable, nameOf } from '../http/util.js';

interface Upgrade {
  token: string;
  protocol: UpgradeProtocol;
  socket: Duplex;
  head: Buffer;
  res: ServerResponse;
}

type Answer = Response | Promise<Response>;

/** Steps 2–6 for one request: never throws, never leaves the response unanswered. */
export function handleRequest(app: Application, raw: IncomingMessage, res: ServerResponse, upgrade?: Upgrade): void {
  const req = new Request(app, raw, res);
  if (app.accessLog) logAccess(req, res);
  if (app.responseTimeout > 0 && upgrade === undefined) armResponseTimeout(req, res, app.responseTimeout);
  let result: Answer | undefined;
  try {
    result = dispatch(req, upgrade);
  } catch (error) {
    result = handleError(req, error);
  }
  // undefined: dispatch handed the request to a callback that settles it (callWithJson).
  if (result !== undefined) settle(req, result);
}

/** Step 5 for an answer, now or once its promise settles (a rejection goes to the error handlers). */
function settle(req: Request, result: Answer): void {
  if (result instanceof Promise) {
    result
      .then(
        (response) => finish(req, response),
        (error: unknown) => Promise.resolve(handleError(req, error)).then((response) => finish(req, response)),
      )
      .catch((error: unknown) => lastResort(req, error));
  } else {
    finish(req, result);
  }
}

/**
 * Node's `'upgrade'` and `'connect'` events: the request comes with its socket. An upgrade to
 * a route of an installed protocol is handed to that protocol; everything else (refusals, an
 * `Upgrade: h2c` to a plain route, CONNECT) is answered as a plain request on that socket.
 */
export function handleSocket(app: Application, raw: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const token = raw.method === 'CONNECT' ? '' : (raw.headers.upgrade ?? '').split(',')[0]?.trim().toLowerCase();
  const protocol = token ? app[kProtocols].get(token) : undefined;
  const res = new ServerResponse(raw);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as never);
  res.once('finish', () => {
    res.detachSocket(socket as never);
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  handleRequest(app, raw, res, protocol && token ? { token, protocol, socket, head, res } : undefined);
}

/**
 * Steps 2–4: target check, route, hooks, body, handler. Synchronous when nothing is async;
 * undefined when a JSON body is read first (callWithJson settles the request).
 */
function dispatch(req: Request, upgrade: Upgrade | undefined): Answer | undefined {
  const problem = req[kTargetError]();
  if (problem !== undefined) return statusResponse(req, 400, { error: problem });
  const app = req.app;
  const router = app.router;
  let match = upgrade ? router.match(req.method, req.path, upgrade.token) : router.match(req.method, req.path);
  if (upgrade && match.kind !== 'found') {
    upgrade = undefined; // no such upgrade route: the request is served as a plain one
    match = router.match(req.method, req.path);
  }
  const before = app[kTables].app.before;
  if (match.kind !== 'found') {
    if (before.length > 0) return runHooks(req, before).then((early) => early ?? unmatched(req, match));
    return unmatched(req, match);
  }
  const handler = match.handler;
  const scope = app[kTables].scopeOf(handler);
  req.uriRule = match.route.pattern;
  req.uriHandler = handler;
  req.params = match.params;
  req[kScope] = scope;
  if (upgrade) return accept(req, match, upgrade);
  const kind = bodyKind(app, req);
  if (before.length === 0 && !hasBefore(scope)) {
    if (kind === undefined) return toResponse(call(handler, req, match.args));
    if (kind === 'json') return callWithJson(req, handler, match.args);
  }
  return callAsync(req, handler, match.args, kind, true);
}

/**
 * A JSON body without hooks to run first: read and parsed with callbacks, then the handler,
 * so the most common POST makes none of the promises callAsync makes.
 */
function callWithJson(req: Request, handler: RouteFunction, args: unknown[] | undefined): undefined {
  req[kReadJson]((error) => {
    try {
      let result: Answer;
      if (error !== undefined) result = handleError(req, error);
      else {
        try {
          result = toResponse(call(handler, req, args));
        } catch (failure) {
          result = handleError(req, failure);
        }
      }
      settle(req, result);
    } catch (failure) {
      lastResort(req, failure);
    }
  });
  return undefined;
}

function call(handler: RouteFunction, req: Request, args: unknown[] | undefined): unknown {
  const fn = handler as (req: Request, ...params: unknown[]) => unknown;
  return args === undefined || args.length === 0 ? fn(req) : fn(req, ...args);
}

function toResponse(value: unknown): Answer {
  if (value instanceof Promise) return value.then((resolved: unknown) => makeResponse(resolved));
  return makeResponse(value);
}

const NO_HOOKS: readonly BeforeHook[] = [];
const NO_AFTER: readonly AfterHook[] = [];

/** Runs before hooks in order; the first that answers (a value, or a throw) ends the request. */
async function runHooks(req: Request, hooks: readonly BeforeHook[]): Promise<Response | undefined> {
  for (const hook of hooks) {
    const early = await hook(req);
    if (early !== undefined && early !== null) return makeResponse(early);
  }
  return undefined;
}

/** Does a handler's scope hold before hooks (its own, or its controller's)? */
function hasBefore(scope: HookScope | undefined): boolean {
  return (
    scope !== undefined && (scope.before.length > 0 || (scope.parent !== undefined && scope.parent.before.length > 0))
  );
}

/** The app-wide before hooks (unless they already ran), then the controller's, then the route's own. */
async function runBefore(req: Request, appHooks: boolean): Promise<Response | undefined> {
  const scope = req[kScope];
  let early = appHooks ? await runHooks(req, req.app[kTables].app.before) : undefined;
  if (early === undefined && scope?.parent !== undefined) early = await runHooks(req, scope.parent.before);
  return early ?? runHooks(req, scope?.before ?? NO_HOOKS);
}

/**
 * The async path: hooks on the unparsed body, then the body, then the handler. `appHooks`:
 * run the app-wide before hooks too (they already ran before a default handler). Positional
 * parameters on purpose: this runs for every POST, and builds no object for its arguments.
 */
async function callAsync(
  req: Request,
  handler: RouteFunction,
  args: unknown[] | undefined,
  kind: BodyKind,
  appHooks: boolean,
): Promise<Response> {
  if (hasBefore(req[kScope]) || (appHooks && req.app[kTables].app.before.length > 0)) {
    const early = await runBefore(req, appHooks);
    if (early !== undefined) return early;
  }
  if (kind !== undefined) await req[kParse](kind);
  const value = call(handler, req, args);
  return makeResponse(isThenable(value) ? await value : value);
}

/** An upgrade to a route of its protocol: the protocol's check, the hooks, then the handshake. */
async function accept(req: Request, match: RouteMatch & { kind: 'found' }, upgrade: Upgrade): Promise<Response> {
  upgrade.protocol.check?.(req);
  const early = await runBefore(req, true);
  if (early !== undefined) return early;
  const { socket, head, res } = upgrade;
  if (socket.destroyed) return new Declined();
  res.detachSocket(socket as never);
  upgrade.protocol.accept({ req, socket, head, handler: match.handler, args: match.args });
  return new Declined();
}

/** No route took the request: 501, OPTIONS/426/405, then fallbacks, the default handler, 404. */
function unmatched(req: Request, match: RouteMatch): Answer {
  const method = req.method;
  if (!req.app.router.knowsMethod(method)) return statusResponse(req, 501, {});
  if (match.kind === 'method') {
    const allow = match.allow;
    if (method === 'OPTIONS') return new NoContentResponse({ headers: { Allow: allow } });
    if (match.upgrade !== undefined && (method === 'GET' || method === 'HEAD')) {
      return new Response(`This resource needs an upgrade to: ${match.upgrade}.\n`, {
        status: 426,
        contentType: 'text/plain; charset=utf-8',
        headers: { Upgrade: match.upgrade, Connection: 'Upgrade' },
      });
    }
    return statusResponse(req, 405, { headers: { Allow: allow } });
  }
  req.uriRule = '/*';
  return fallBack(req, 0);
}

/**
 * Fallbacks in order (synchronous while they answer synchronously: a static-files add-on that
 * declines a path keeps a 404 off the promise path), then the default handler, then 404.
 */
function fallBack(req: Request, from: number): Answer {
  const tables = req.app[kTables];
  const fallbacks = tables.fallbacks;
  for (let index = from; index < fallbacks.length; index += 1) {
    const value = (fallbacks[index] as (req: Request) => unknown)(req);
    if (isThenable(value)) {
      return Promise.resolve(value).then((resolved) =>
        resolved !== undefined ? makeResponse(resolved) : fallBack(req, index + 1),
      );
    }
    if (value !== undefined) return makeResponse(value);
  }
  const handler = tables.defaultHandler(req.method);
  if (!handler) return statusResponse(req, 404, {});
  req.uriHandler = handler;
  const scope = tables.scopeOf(handler);
  req[kScope] = scope;
  const kind = bodyKind(req.app, req);
  if (hasBefore(scope) || kind !== undefined) {
    return callAsync(req, handler, undefined, kind, false);
  }
  return toResponse(call(handler, req, undefined));
}

function isConditional(req: Request, response: Response): boolean {
  const method = req.method;
  return (method === 'GET' || method === 'HEAD') && response.status === 200 && hasValidators(response);
}

/** Step 5: prepare (files), conditional requests, after hooks, then write. */
function finish(req: Request, response: Response): void | Promise<void> {
  const scope = req[kScope];
  const hooks = req.app[kTables].app.after.length > 0 || (scope !== undefined && scope.after.length > 0);
  const prepared = !(kPrepare in response);
  // Known now unless the response still has to prepare (a file gets its validators from stat).
  const conditional = prepared && isConditional(req, response);
  // A Declined response (the connection was taken over) is claimed by respond(), writing nothing.
  if (!hooks && prepared && !conditional) return write(req, response);
  if (response instanceof Declined) return write(req, response); // no after hooks for it
  return finishAsync(req, response, prepared ? conditional : undefined);
}

/** Prepares a response, then evaluates conditional request headers when it has validators. */
async function prepare(req: Request, response: Response, conditional: boolean | undefined): Promise<Response> {
  if (kPrepare in response) await (response as Response & { [kPrepare](): Promise<void> })[kPrepare]();
  const evaluate = conditional ?? isConditional(req, response);
  return evaluate ? evaluateConditions(req.method, req.raw.headers, response) : response;
}

async function finishAsync(req: Request, first: Response, conditional: boolean | undefined): Promise<void> {
  let response: Response;
  try {
    response = await prepare(req, first, conditional);
  } catch (error) {
    try {
      response = await prepare(req, await handleError(req, error), undefined);
    } catch (again) {
      logCrash(req, again);
      response = builtin(req, 500, { error: again });
    }
  }
  // The controller's after hooks first, then the app's: the app's see the final answer.
  const scoped = req[kScope]?.after ?? NO_AFTER;
  const app = req.app[kTables].app.after;
  for (let index = 0; index < scoped.length + app.length; index += 1) {
    const hook = (index < scoped.length ? scoped[index] : app[index - scoped.length]) as AfterHook;
    try {
      response = makeResponse(await hook(req, response));
    } catch (error) {
      req.app.logger.error({ err: error, req: logFields(req) }, `Poor: after hook ${nameOf(hook)} failed`);
      response = builtin(req, 500, { error });
      break;
    }
  }
  return write(req, response);
}

/** Requests answered 503 by the response timeout: their handler's late answer is dropped. */
const timedOut = new WeakSet<Request>();

/** `responseTimeout`: a handler that has not started its answer in time gets a 503 sent for it. */
function armResponseTimeout(req: Request, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (res.headersSent || res.destroyed) return;
    timedOut.add(req);
    req.app.logger.error(
      { req: logFields(req) },
      `Poor: handler ${nameOf(req.uriHandler)} for ${req.method} ${req.raw.url} did not answer within ${ms} ms; sent 503`,
    );
    const headers = { 'Retry-After': '5' };
    void Promise.resolve(statusResponse(req, 503, { headers })).then(
      (response) => {
        response.headers.set('Connection', 'close');
        respond(res, response, req);
      },
      () => res.destroy(),
    );
  }, ms);
  res.once('close', () => clearTimeout(timer));
}

function write(req: Request, response: Response): void | Promise<void> {
  const res = req.rawResponse as ServerResponse;
  if (timedOut.has(req)) {
    // The 503 went out in its place: release the late answer's body unread.
    response[kClaim]();
    const source = response[kBody]();
    if (!isBytes(source)) source.discard?.();
    return;
  }
  try {
    const pending = respond(res, response, req);
    if (pending) return pending.catch((error: unknown) => writeFailed(req, error));
  } catch (error) {
    writeFailed(req, error);
  }
}

function writeFailed(req: Request, error: unknown): void {
  const cause = error instanceof EarlyBodyError ? error.cause : error;
  logCrash(req, cause);
  const res = req.rawResponse as ServerResponse;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    respond(res, builtin(req, 500, { error: cause }), req);
  } catch (again) {
    req.app.logger.error({ err: again, req: logFields(req) }, 'Poor: could not send the 500 page');
    res.destroy();
  }
}

function lastResort(req: Request, error: unknown): void {
  req.app.logger.error({ err: error, req: logFields(req) }, 'Poor: unexpected failure in the request pipeline');
  const res = req.rawResponse as ServerResponse;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error');
  } else {
    res.destroy();
  }
}
