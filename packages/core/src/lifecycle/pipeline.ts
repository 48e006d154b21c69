// The request lifecycle: ARCHITECTURE.md steps 1–9, the same for plain requests, upgrades,
// static files and the default handler. Target check → onRequest → routing → guard → body
// parsing → preValidation → validation → preHandler → handler; ./finish.ts does the rest.
// One synchronous path (no hooks, no body to parse, a synchronous handler: no promise is
// created) and one async path; errors go to ./errors.ts.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { kParse, kProtocols, kReadJson, kTables, kTargetError } from '../http/symbols.js';
import { isThenable } from '../http/util.js';
import { bodyKind, type BodyKind } from '../request/body-parse.js';
import { makeResponse } from '../response/make-response.js';
import { Declined, NoContentResponse, Response } from '../response/response.js';
import type { BeforeHook, UpgradeProtocol } from '../routing/handlers.js';
import type { RouteFunction, RouteMatch } from '../routing/router.js';
import { logAccess, logUpgrade } from './access-log.js';
import { handleError, statusResponse } from './errors.js';
import { Exchange, type Host } from './exchange.js';
import { armResponseTimeout, lastResort, settle, watchResponse, type Answer } from './finish.js';
import { HANDLER_PHASES, type PRE_PHASES } from './phases.js';

interface Upgrade {
  token: string;
  protocol: UpgradeProtocol;
  socket: Duplex;
  head: Buffer;
  res: ServerResponse;
}

/** The whole lifecycle of one request: never throws, never leaves the response unanswered. */
export function handleRequest(host: Host, raw: IncomingMessage, res: ServerResponse, upgrade?: Upgrade): void {
  const req = new Exchange(host, raw, res);
  if (host.accessLog) logAccess(req, res);
  const tables = host[kTables];
  if (tables.onResponse.length > 0) watchResponse(req, res, tables.onResponse);
  if (host.responseTimeout > 0 && upgrade === undefined) armResponseTimeout(req, res, host.responseTimeout);
  // Step 1: a target that cannot be decoded is answered 400 before any hook sees it.
  const problem = req[kTargetError]();
  if (problem !== undefined) return settle(req, statusResponse(req, 400, { error: problem }));
  // Step 2, phase onRequest: before routing.
  const onRequest = tables.onRequest;
  if (onRequest.length === 0) return proceed(req, upgrade);
  runHooks(req, onRequest)
    .then(
      (early) => (early === undefined ? proceed(req, upgrade) : settle(req, early)),
      (error: unknown) => settle(req, handleError(req, error)),
    )
    .catch((error: unknown) => lastResort(req, error));
}

/** Steps 3–9, then the answer settled (unless a JSON body's callback settles it: callWithJson). */
function proceed(req: Exchange, upgrade: Upgrade | undefined): void {
  let result: Answer | undefined;
  try {
    result = dispatch(req, upgrade);
  } catch (error) {
    result = handleError(req, error);
  }
  if (result !== undefined) settle(req, result);
}

/**
 * Node's `'upgrade'` and `'connect'` events: the request comes with its socket. An upgrade to
 * a route of an installed protocol is handed to that protocol; everything else (refusals, an
 * `Upgrade: h2c` to a plain route, CONNECT) is answered as a plain request on that socket.
 */
export function handleSocket(host: Host, raw: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const token = raw.method === 'CONNECT' ? '' : (raw.headers.upgrade ?? '').split(',')[0]?.trim().toLowerCase();
  const protocol = token ? host[kProtocols].get(token) : undefined;
  const res = new ServerResponse(raw);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as never);
  res.once('finish', () => {
    res.detachSocket(socket as never);
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  handleRequest(host, raw, res, protocol && token ? { token, protocol, socket, head, res } : undefined);
}

/**
 * Steps 3–9: route, phases, handler. Synchronous when nothing is async; undefined when a
 * JSON body is read first (callWithJson settles the request).
 */
function dispatch(req: Exchange, upgrade: Upgrade | undefined): Answer | undefined {
  const host = req.host;
  const router = host.router;
  let match = upgrade ? router.match(req.method, req.path, upgrade.token) : router.match(req.method, req.path);
  if (upgrade && match.kind !== 'found') {
    upgrade = undefined; // no such upgrade route: the request is served as a plain one
    match = router.match(req.method, req.path);
  }
  const tables = host[kTables];
  const app = tables.app;
  if (match.kind !== 'found') {
    // Unrouted: the app's guards, then the router's refusal, a fallback or the default handler.
    if (app.guard.length > 0) return runHooks(req, app.guard).then((early) => early ?? unmatched(req, match));
    return unmatched(req, match);
  }
  const handler = match.handler;
  const scope = tables.scopeOf(handler);
  req.uriRule = match.route.pattern;
  req.uriHandler = handler;
  req.params = match.params;
  req.scope = scope;
  if (upgrade) return accept(req, match, upgrade);
  const kind = bodyKind(host, req);
  if (!app.pre && (scope === undefined || !scope.pre)) {
    if (kind === undefined) return toResponse(call(handler, req, match.args));
    if (kind === 'json') return callWithJson(req, handler, match.args);
  }
  return callAsync(req, handler, match.args, kind, true);
}

/**
 * A JSON body without hooks to run first: read and parsed with callbacks, then the handler,
 * so the most common POST makes none of the promises callAsync makes.
 */
function callWithJson(req: Exchange, handler: RouteFunction, args: unknown[] | undefined): undefined {
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

function call(handler: RouteFunction, req: Exchange, args: unknown[] | undefined): unknown {
  const fn = handler as (req: Exchange, ...params: unknown[]) => unknown;
  return args === undefined || args.length === 0 ? fn(req) : fn(req, ...args);
}

function toResponse(value: unknown): Answer {
  if (value instanceof Promise) return value.then((resolved: unknown) => makeResponse(resolved));
  return makeResponse(value);
}

const NO_HOOKS: readonly BeforeHook[] = [];

/** Runs hooks in order; the first that answers (a value, or a throw) ends the request. */
async function runHooks(req: Exchange, hooks: readonly BeforeHook[]): Promise<Response | undefined> {
  for (const hook of hooks) {
    const early = await hook(req);
    if (early !== undefined && early !== null) return makeResponse(early);
  }
  return undefined;
}

type RequestPhase = (typeof PRE_PHASES)[number];

/**
 * One phase's hooks for the chosen handler: the app's (unless they already ran), its
 * controller's, then its route's own. Undefined, without a promise, when there are none.
 */
function runPhase(req: Exchange, phase: RequestPhase, withApp: boolean): Promise<Response | undefined> | undefined {
  const scope = req.scope;
  const app = withApp ? req.host[kTables].app[phase] : NO_HOOKS;
  const parent = scope?.parent?.[phase] ?? NO_HOOKS;
  const own = scope?.[phase] ?? NO_HOOKS;
  if (app.length + parent.length + own.length === 0) return undefined;
  return runScopes(req, app, parent, own);
}

/** The lists of one phase, scope after scope, until a hook answers. */
async function runScopes(
  req: Exchange,
  app: readonly BeforeHook[],
  parent: readonly BeforeHook[],
  own: readonly BeforeHook[],
): Promise<Response | undefined> {
  return (await runHooks(req, app)) ?? (await runHooks(req, parent)) ?? runHooks(req, own);
}

/**
 * Steps 4–8 for a chosen handler: phase guard on the unread body, the body parsed within its
 * limits, then phases preValidation, validation and preHandler. The first hook that answers
 * ends the request. `appGuards`: run the app's guards too (they already ran before a default
 * handler).
 */
async function runPhases(req: Exchange, kind: BodyKind, appGuards: boolean): Promise<Response | undefined> {
  const guarded = runPhase(req, 'guard', appGuards);
  const early = guarded === undefined ? undefined : await guarded;
  if (early !== undefined) return early;
  if (kind !== undefined) await req[kParse](kind);
  for (const phase of HANDLER_PHASES) {
    const ran = runPhase(req, phase, true);
    const answer = ran === undefined ? undefined : await ran;
    if (answer !== undefined) return answer;
  }
  return undefined;
}

/**
 * The async path: the phases, then the handler. Positional parameters on purpose: this runs
 * for every POST with hooks, and builds no object for its arguments.
 */
async function callAsync(
  req: Exchange,
  handler: RouteFunction,
  args: unknown[] | undefined,
  kind: BodyKind,
  appGuards: boolean,
): Promise<Response> {
  const early = await runPhases(req, kind, appGuards);
  if (early !== undefined) return early;
  const value = call(handler, req, args);
  return makeResponse(isThenable(value) ? await value : value);
}

/** An upgrade to a route of its protocol: the protocol's check, the phases, then the handshake. */
async function accept(req: Exchange, match: RouteMatch & { kind: 'found' }, upgrade: Upgrade): Promise<Response> {
  upgrade.protocol.check?.(req);
  const early = await runPhases(req, undefined, true);
  if (early !== undefined) return early;
  const { socket, head, res } = upgrade;
  if (socket.destroyed) return new Declined();
  res.detachSocket(socket as never);
  upgrade.protocol.accept({ req, socket, head, handler: match.handler, args: match.args });
  if (req.host.accessLog) logUpgrade(req, upgrade.token);
  return new Declined();
}

/**
 * No route took the request: on a known path OPTIONS/426/405 (whatever the method, if Node
 * parsed it: `QUERY` on a GET route is a 405 with `Allow`); elsewhere 501 for a method no
 * route knows, else fallbacks, the default handler, 404.
 */
function unmatched(req: Exchange, match: RouteMatch): Answer {
  const method = req.method;
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
  if (!req.host.router.knowsMethod(method)) return statusResponse(req, 501, {});
  req.uriRule = '/*';
  return fallBack(req, 0);
}

/**
 * Fallbacks in order (synchronous while they answer synchronously: a static-files add-on that
 * declines a path keeps a 404 off the promise path), then the default handler, then 404.
 * Fallbacks read no body: steps 5–8 are the default handler's.
 */
function fallBack(req: Exchange, from: number): Answer {
  const tables = req.host[kTables];
  const fallbacks = tables.fallbacks;
  for (let index = from; index < fallbacks.length; index += 1) {
    const value = (fallbacks[index] as (req: Exchange) => unknown)(req);
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
  req.scope = scope;
  const kind = bodyKind(req.host, req);
  if (tables.app.pre || (scope !== undefined && scope.pre) || kind !== undefined) {
    return callAsync(req, handler, undefined, kind, false);
  }
  return toResponse(call(handler, req, undefined));
}
