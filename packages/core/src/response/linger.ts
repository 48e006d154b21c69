import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long, and how much, a lingering close reads and discards (nginx's lingering_close). */
export const LINGER_MS = 2000;
/** See {@link LINGER_MS}. */
export const LINGER_BYTES = 4 * 2 ** 20;

/**
 * Ends `res` once the client has stopped sending its request body, or after the bounds. An
 * answer sent while the body is still arriving (an early 413, a hook's 401) goes out with
 * `Connection: close`; closing the socket at once, with data unread, would make the kernel
 * answer with a reset, and a client that writes its whole body before reading (Python's
 * `requests`, curl without `Expect`) would see a connection error instead of the answer.
 * Reading and discarding a bounded amount first lets it finish writing and read the answer.
 */
export function endAfterBody(raw: IncomingMessage, res: ServerResponse, data?: string | Buffer): void {
  if (data !== undefined) res.write(data);
  if (raw.complete || raw.destroyed) {
    res.end();
    return;
  }
  let seen = 0;
  const done = (): void => {
    clearTimeout(timer);
    raw.off('data', onData);
    raw.off('end', done);
    raw.off('close', done);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > LINGER_BYTES) done();
  };
  const timer = setTimeout(done, LINGER_MS);
  raw.on('data', onData);
  raw.once('end', done);
  raw.once('close', done);
  raw.resume();
}

/**
 * Is the request body still arriving (so the answer must close the connection, lingering)?
 * GET and HEAD are left out without a look at their headers: a body there has no meaning, and
 * Node reads and discards it as before.
 */
export function bodyUnread(req: { readonly raw: IncomingMessage; readonly hasBody: boolean }): boolean {
  const raw = req.raw;
  const method = raw.method;
  if (method === 'GET' || method === 'HEAD') return false;
  // `complete` is false for any request still inside its 'request' event: check it first,
  // the header scan only then (memoised on the request). An upgrade's body is never parsed.
  const upgrade = (raw as { upgrade?: boolean }).upgrade === true; // Node sets it, @types/node omits it
  return !raw.complete && !upgrade && raw.httpVersionMajor === 1 && req.hasBody;
}
