import type { IncomingMessage, ServerResponse } from 'node:http';
import { Declined, rangeOf, type Response } from './response.js';
import { kTrustedAppend } from '../http/headers.js';
import { isBytes, kBody, kClaim, toBuffer } from './body.js';
import { bodyUnread, endAfterBody } from './linger.js';
import { isThenable } from '../http/util.js';

/** Logger subset used while writing. */
export interface WriteLogger {
  error(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

/** What `respond()` reads of the request (a `Request`): no object is built per response. */
export interface WriteSource {
  /** The request method (no body for HEAD). */
  readonly method: string;
  readonly raw: IncomingMessage;
  readonly hasBody: boolean;
  readonly app: { readonly poweredBy: string | false; readonly logger: WriteLogger };
}

/** Raised when a streamed body fails before its first byte, so a 500 page can still be sent. */
export class EarlyBodyError extends Error {
  constructor(override readonly cause: unknown) {
    super('the response body failed before anything was sent');
  }
}

type Step = IteratorResult<unknown>;
type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

function bodyless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || status < 200;
}

/**
 * The one place that writes a {@link Response} to Node's `res` on the normal path.
 * Returns nothing for in-memory bodies (fully synchronous) and a promise for streams.
 */
export function respond(res: ServerResponse, response: Response, request: WriteSource): void | Promise<void> {
  response[kClaim]();
  if (response instanceof Declined) return;
  const method = request.method;
  const { poweredBy, logger } = request.app;
  // The request, when its body is still arriving: the answer closes the connection, lingering.
  const unread = bodyUnread(request) ? request.raw : undefined;
  if (res.headersSent || res.destroyed) {
    if (!res.destroyed)
      logger.error(`Poor: the response was already started by someone else; not sending ${response.status}`);
    return;
  }
  const headers = response.headers;
  if (poweredBy && !headers.has('x-powered-by')) {
    // The default value is a constant: no validation per response.
    if (poweredBy === 'Poor') headers[kTrustedAppend]('X-Powered-By', 'x-powered-by', poweredBy);
    else headers.add('X-Powered-By', poweredBy);
  }
  if (unread) headers.set('Connection', 'close');
  const status = response.status;
  const noBody = bodyless(method, status);
  const source = response[kBody]();
  const window = rangeOf(response).window;

  if (isBytes(source)) {
    let data: string | Buffer = source;
    if (window) data = toBuffer(data).subarray(window.start, window.end + 1);
    if (status !== 204 && status !== 304 && status >= 200) {
      const length = String(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      if (headers.has('content-length')) headers.set('Content-Length', length);
      else headers[kTrustedAppend]('Content-Length', 'content-length', length);
    }
    res.writeHead(status, headers.toRaw() as string[]);
    if (unread) endAfterBody(unread, res, noBody ? undefined : data);
    else if (noBody) res.end();
    else res.end(data);
    return;
  }

  const length = window ? window.end - window.start + 1 : source.length;
  if (length !== undefined && !noBody) headers.set('Content-Length', length);
  else if (length !== undefined && method === 'HEAD') headers.set('Content-Length', length);
  if (noBody) {
    source.discard?.();
    res.writeHead(status, headers.toRaw() as string[]);
    if (unread) endAfterBody(unread, res);
    else res.end();
    return;
  }
  const body = source.open(window);
  // Readables are read through their async iterator too: one loop gives the same
  // backpressure, early-error (500 page) and disconnect handling for every stream.
  return pipeIterable(res, status, headers.toRaw(), body, unread, logger, length);
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

// Positional parameters on purpose: this runs for every streamed response (no object for them).
async function pipeIterable(
  res: ServerResponse,
  status: number,
  raw: readonly string[],
  body: Iterable<unknown> | AsyncIterable<unknown>,
  unread: IncomingMessage | undefined,
  logger: WriteLogger,
  length: number | undefined,
): Promise<void> {
  const iterator: AnyIterator =
    Symbol.asyncIterator in body
      ? (body as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (body as Iterable<unknown>)[Symbol.iterator]();
  let finished = false;
  let started = false;
  let sent = 0;
  try {
    for (;;) {
      let step: Step | PromiseLike<Step> = iterator.next();
      if (isThenable(step)) step = await step;
      if (step.done) {
        finished = true;
        break;
      }
      const chunk = toBuffer(step.value);
      if (!started) {
        started = true;
        if (res.destroyed) break;
        res.writeHead(status, raw as string[]);
      }
      if (res.destroyed) break;
      sent += chunk.length;
      if (chunk.length > 0 && !res.write(chunk)) await waitForDrain(res);
    }
  } catch (error) {
    if (!started) throw new EarlyBodyError(error);
    logger.error({ err: error }, 'Poor: response body failed while streaming; connection closed');
    res.destroy();
    return;
  } finally {
    if (!finished) await closeIterator(iterator, logger);
  }
  if (res.destroyed) return;
  if (length !== undefined && sent < length) {
    // Fewer bytes than the Content-Length sent (a file truncated while it streamed): ending
    // normally would leave the client waiting for the rest. Closing tells it the body is cut.
    logger.error(`Poor: the response body ended after ${sent} of its ${length} bytes; connection closed`);
    res.destroy();
    return;
  }
  if (!started) res.writeHead(status, raw as string[]);
  if (unread) endAfterBody(unread, res);
  else res.end();
}

async function closeIterator(iterator: AnyIterator, logger: WriteLogger): Promise<void> {
  try {
    const result = iterator.return?.();
    if (isThenable(result)) await result;
  } catch (error) {
    logger.debug?.({ err: error }, 'Poor: error while closing a response body iterator');
  }
}
