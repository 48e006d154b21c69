import { isPlainObject } from '../http/util.js';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeType } from './body.js';
import { JSONResponse, NoContentResponse, Response, type ResponseOptions } from './response.js';
import { GeneratorResponse, StreamResponse } from './stream-response.js';

/** Thrown by {@link makeResponse} for a value it cannot turn into a response. */
export class UnsupportedResponseError extends TypeError {
  /** The type name of the rejected value. */
  readonly valueType: string;

  constructor(value: unknown) {
    const type = describeType(value);
    super(`cannot make a response from a value of type ${type}`);
    this.name = 'UnsupportedResponseError';
    this.valueType = type;
  }
}

/**
 * Is this a fetch-API `Response`? Reading `globalThis.Response` loads Node's fetch
 * implementation (undici, with tls and http2: 6.6 MB of RSS on Node 20), so the global is
 * read only for an object that already calls itself a Response, which exists only once
 * undici is loaded.
 */
function isFetchResponse(value: object): value is globalThis.Response {
  if ((value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] !== 'Response') return false;
  const FetchResponse = globalThis.Response as typeof globalThis.Response | undefined;
  return FetchResponse !== undefined && value instanceof FetchResponse;
}

/**
 * Turns a handler's return value into a {@link Response}:
 * a Poor response as is; a fetch-API `Response` converted (body streamed); a string as
 * 200 HTML; bytes as `application/octet-stream`; a plain object or array as JSON;
 * `null`/`undefined` as 204; an iterable, async iterable or Node `Readable` streamed.
 * Anything else throws {@link UnsupportedResponseError}. Promises are awaited by the caller.
 */
export function makeResponse(value: unknown, options?: ResponseOptions): Response {
  if (value instanceof Response) return value;
  if (typeof value === 'string') return new Response(value, options);
  if (value === null || value === undefined) return new NoContentResponse(options);
  if (typeof value !== 'object') throw new UnsupportedResponseError(value);
  if (value instanceof Uint8Array) {
    return new Response(value, { contentType: 'application/octet-stream', ...options });
  }
  if (Array.isArray(value) || isPlainObject(value)) return new JSONResponse(value, options);
  if (isFetchResponse(value)) return fromFetch(value);
  if (value instanceof Readable) return new StreamResponse(value, options);
  if (value instanceof Map || value instanceof Set) throw new UnsupportedResponseError(value);
  if (Symbol.asyncIterator in value || Symbol.iterator in value) {
    return new GeneratorResponse(value as Iterable<unknown> | AsyncIterable<unknown>, options);
  }
  throw new UnsupportedResponseError(value);
}

function fromFetch(source: globalThis.Response): Response {
  const headers: Array<[string, string]> = [];
  source.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  for (const cookie of source.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  const length = source.headers.get('content-length');
  const options = { status: source.status, headers, contentType: '' };
  if (!source.body) return new Response('', options);
  const stream = Readable.fromWeb(source.body as WebReadableStream<Uint8Array>);
  const response = new StreamResponse(stream, {
    ...options,
    ...(length !== null && /^\d+$/.test(length) ? { length: Number(length) } : {}),
  });
  response.headers.delete('content-length');
  return response;
}
