// ARCHITECTURE.md steps 10–12: a handler's answer becomes the response sent — prepared (a
// file stats itself), conditional headers evaluated, phase onSend, written by respond() —
// then phase onResponse once the connection is done with it. The response timeout lives here
// too: it answers in the handler's place.
import type { ServerResponse } from 'node:http';
import { isBytes, kBody, kClaim, kPrepare } from '../response/body.js';
import { evaluateConditions, hasValidators } from '../response/conditional.js';
import { makeResponse } from '../response/make-response.js';
import { EarlyBodyError, respond } from '../response/respond.js';
import { Declined, type Response } from '../response/response.js';
import { logFields } from '../request/log-fields.js';
import { kTables } from '../http/symbols.js';
import { isThenable, nameOf } from '../http/util.js';
import type { AfterHook, ResponseHook } from '../routing/handlers.js';
import { builtin, handleError, logCrash, statusResponse } from './errors.js';
import type { Exchange } from './exchange.js';

/** What a step answers: a response now, or later. */
export type Answer = Response | Promise<Response>;

const NO_AFTER: readonly AfterHook[] = [];

/** Steps 10–11 for an answer, now or once its promise settles (a rejection goes to the error handlers). */
export function settle(req: Exchange, result: Answer): void {
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

function isConditional(req: Exchange, response: Response): boolean {
  const method = req.method;
  return (method === 'GET' || method === 'HEAD') && response.status === 200 && hasValidators(response);
}

/** Prepare (files), conditional requests, phase onSend, then write. */
function finish(req: Exchange, response: Response): void | Promise<void> {
  const scope = req.scope;
  const hooks = req.host[kTables].app.onSend.length > 0 || (scope !== undefined && scope.post);
  const prepared = !(kPrepare in response);
  // Known now unless the response still has to prepare (a file gets its validators from stat).
  const conditional = prepared && isConditional(req, response);
  // A Declined response (the connection was taken over) is claimed by respond(), writing nothing.
  if (!hooks && prepared && !conditional) return write(req, response);
  if (response instanceof Declined) return write(req, response); // no onSend hooks for it
  return finishAsync(req, response, prepared ? conditional : undefined);
}

/** Prepares a response, then evaluates conditional request headers when it has validators. */
async function prepare(req: Exchange, response: Response, conditional: boolean | undefined): Promise<Response> {
  if (kPrepare in response) await (response as Response & { [kPrepare](): Promise<void> })[kPrepare]();
  const evaluate = conditional ?? isConditional(req, response);
  return evaluate ? evaluateConditions(req.method, req.raw.headers, response) : response;
}

async function finishAsync(req: Exchange, first: Response, conditional: boolean | undefined): Promise<void> {
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
  // Phase onSend: the route's own hooks, its controller's, then the app's (which see the final answer).
  const scope = req.scope;
  const lists = [scope?.onSend ?? NO_AFTER, scope?.parent?.onSend ?? NO_AFTER, req.host[kTables].app.onSend];
  sending: for (const list of lists) {
    for (const hook of list) {
      try {
        response = makeResponse(await hook(req, response));
      } catch (error) {
        req.app.logger.error({ err: error, req: logFields(req) }, `Poor: onSend hook ${nameOf(hook)} failed`);
        response = builtin(req, 500, { error });
        break sending;
      }
    }
  }
  return write(req, response);
}

/** Phase onResponse: `hooks` run once the response is written or its connection closed; a failure is logged. */
export function watchResponse(req: Exchange, res: ServerResponse, hooks: readonly ResponseHook[]): void {
  res.once('close', () => {
    for (const hook of hooks) {
      const failed = (error: unknown): void =>
        req.app.logger.error({ err: error, req: logFields(req) }, `Poor: onResponse hook ${nameOf(hook)} failed`);
      try {
        const value = hook(req, res);
        if (isThenable(value)) Promise.resolve(value).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  });
}

/** Requests answered 503 by the response timeout: their handler's late answer is dropped. */
const timedOut = new WeakSet<Exchange>();

/** `responseTimeout`: a handler that has not started its answer in time gets a 503 sent for it. */
export function armResponseTimeout(req: Exchange, res: ServerResponse, ms: number): void {
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

function write(req: Exchange, response: Response): void | Promise<void> {
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

function writeFailed(req: Exchange, error: unknown): void {
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

/** A failure of the pipeline itself: a plain 500, or the connection closed if the answer had started. */
export function lastResort(req: Exchange, error: unknown): void {
  req.app.logger.error({ err: error, req: logFields(req) }, 'Poor: unexpected failure in the request pipeline');
  const res = req.rawResponse as ServerResponse;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error');
  } else {
    res.destroy();
  }
}
