import { contentRange, isStatus } from '../http/util.js';
import { Headers, kTrustedAppend, type HeadersInit, type HeaderValue } from '../http/headers.js';
import { type RangeSpec } from '../http/ranges.js';
import { httpDate } from '../http/dates.js';
import { serializeCookie, type CookieOptions } from '../http/cookies.js';
import { kBody, kClaim, type BodySource, type ByteWindow } from './body.js';

/** Options shared by every response class. */
export interface ResponseOptions {
  /** HTTP status code (100–999), default 200. */
  status?: number;
  /** Content-Type; `''` sends none. Ignored when `headers` already holds a Content-Type. */
  contentType?: string;
  /** Initial headers. */
  headers?: HeadersInit;
}

/** Internal range state shared with `respond()`. */
export interface RangeState {
  /** True once `makePartial()` was called: the Range request header is honoured. */
  enabled: boolean;
  /** Ranges given explicitly to `makePartial(ranges)` instead of the request's. */
  ranges: RangeSpec[] | undefined;
  /** The byte window chosen for a 206 answer (set while the response is evaluated). */
  window: ByteWindow | undefined;
}

/** @internal A response's range state (for the conditional evaluation and `respond()`). */
export let rangeOf: (response: Response) => RangeState;

/** The default Content-Type of HTML responses. */
export const HTML = 'text/html; charset=utf-8';

/** The Content-Type of RFC 9457 problem details (JSON is UTF-8: no charset parameter). */
export const PROBLEM_JSON = 'application/problem+json';

const CONSTANT_TYPES = new Set([
  HTML,
  'text/plain; charset=utf-8',
  'application/json; charset=utf-8',
  'application/octet-stream',
  'text/plain',
  'application/json',
  PROBLEM_JSON,
]);

/** Checks a status code and returns it. */
export function checkStatus(status: number): number {
  if (!isStatus(status)) {
    throw new TypeError(`invalid HTTP status code: ${String(status)}`);
  }
  return status;
}

/**
 * An HTTP response with an in-memory body (string or bytes). Every other response class
 * derives from it. A response object can be sent once.
 *
 * @example
 * return new Response('<h1>Hi</h1>', { status: 201, headers: { 'X-Id': '7' } });
 */
export class Response {
  /** Response headers (ordered, case-insensitive). */
  readonly headers: Headers;
  // Range handling state (see makePartial), read by the conditional evaluation and respond()
  // through rangeOf(): a private field, as fast as a named one, and not part of the API.
  readonly #range: RangeState = { enabled: false, ranges: undefined, window: undefined };

  static {
    rangeOf = (response) => response.#range;
  }
  #status: number;
  #data: string | Buffer;
  #claimed = false;

  constructor(body: string | Uint8Array = '', options: ResponseOptions = {}, defaultType = HTML) {
    this.#status = checkStatus(options.status ?? 200);
    this.#data = typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.from(body);
    const headers = new Headers(options.headers);
    this.headers = headers;
    const type = options.contentType ?? defaultType;
    if (type && (options.headers === undefined || !headers.has('content-type'))) {
      // Framework constants skip validation; anything built from user input is checked.
      if (CONSTANT_TYPES.has(type)) headers[kTrustedAppend]('Content-Type', 'content-type', type);
      else headers.set('Content-Type', type);
    }
  }

  /** The HTTP status code. */
  get status(): number {
    return this.#status;
  }

  set status(value: number) {
    this.#status = checkStatus(value);
  }

  /** The Content-Type header, if any. */
  get contentType(): string | undefined {
    return this.headers.get('content-type');
  }

  set contentType(value: string | undefined) {
    if (value) this.headers.set('Content-Type', value);
    else this.headers.delete('content-type');
  }

  /** Appends a header (duplicates allowed); `params` render as `; key="value"`. */
  addHeader(name: string, value?: HeaderValue, params?: Record<string, string | null | undefined>): this {
    this.headers.addHeader(name, value, params);
    return this;
  }

  /**
   * Adds a `Set-Cookie` header (`path` defaults to `/`; other attributes only when given).
   * The value must be RFC 6265 cookie-octets (see {@link serializeCookie}): bad input throws.
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): this {
    this.headers.add('Set-Cookie', serializeCookie(name, value, { path: '/', ...options }));
    return this;
  }

  /** Asks the client to forget a cookie: empty value, `Max-Age=0`, a past `Expires`, and the same `path`/`domain` it was set with. */
  clearCookie(
    name: string,
    options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite' | 'partitioned'> = {},
  ): this {
    return this.setCookie(name, '', { ...options, expires: 0, maxAge: 0 });
  }

  /** Appends data to the in-memory body. */
  write(data: string | Uint8Array): this {
    const current = this.#data;
    if (typeof current === 'string' && typeof data === 'string') this.#data = current + data;
    else this.#data = Buffer.concat([toBytes(current), toBytes(data)]);
    return this;
  }

  /** The whole in-memory body as bytes. */
  get data(): Buffer {
    return toBytes(this.#data);
  }

  /**
   * Makes the response range-capable: it sends `Accept-Ranges: bytes` and, for a GET with a
   * satisfiable `Range` header (or the explicit `ranges` given here), answers 206 with the
   * first range (several ranges are not sent as multipart), or 416 when none is satisfiable.
   */
  makePartial(ranges?: RangeSpec[]): this {
    if (!this.#range.enabled) {
      this.#range.enabled = true;
      if (!this.headers.has('accept-ranges')) this.headers.set('Accept-Ranges', 'bytes');
    }
    if (ranges) this.#range.ranges = ranges;
    return this;
  }

  /** @internal How `respond()` obtains the body. */
  [kBody](): BodySource {
    return this.#data;
  }

  /** @internal Marks the response as sent; a second send throws. */
  [kClaim](): void {
    if (this.#claimed) throw new Error('Response can be used only once');
    this.#claimed = true;
  }
}

function toBytes(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Options of {@link TextResponse} and {@link JSONResponse}. */
export interface CharsetOptions extends Omit<ResponseOptions, 'contentType'> {
  /** Charset parameter of the Content-Type; `null` leaves it out. Default `utf-8`. */
  charset?: string | null;
}

// The default types as constants: no string built, and a cached hash for CONSTANT_TYPES.
const UTF8_TYPES = new Map([
  ['text/plain', 'text/plain; charset=utf-8'],
  ['application/json', 'application/json; charset=utf-8'],
]);

function withCharset(type: string, charset: string | null | undefined): string {
  if (charset === undefined) return UTF8_TYPES.get(type) ?? `${type}; charset=utf-8`;
  return charset === null || charset === '' ? type : `${type}; charset=${charset}`;
}

/** A `text/plain` response. */
export class TextResponse extends Response {
  constructor(text = '', options: CharsetOptions = {}) {
    super(text, options, withCharset('text/plain', options.charset));
  }
}

/** Options of {@link JSONResponse}. */
export interface JSONResponseOptions extends CharsetOptions {
  /** Indentation passed to `JSON.stringify`. */
  space?: number | string;
}

/** A response whose body is `JSON.stringify(data)` (`application/json; charset=utf-8`). */
export class JSONResponse extends Response {
  constructor(data: unknown = null, options: JSONResponseOptions = {}) {
    super(
      JSON.stringify(data, null, options.space) ?? 'null',
      options,
      withCharset('application/json', options.charset),
    );
  }
}

/** A 204 (or other status) response without a body; its headers are sent. */
export class NoContentResponse extends Response {
  constructor(options: Omit<ResponseOptions, 'contentType'> = {}) {
    super('', { ...options, status: options.status ?? 204 }, '');
  }
}

/** Options of {@link RedirectResponse} and `redirect()`. */
export interface RedirectOptions {
  /** 301, 302 (default), 303, 307 or 308. */
  status?: number;
  /** Shorthand for 301. */
  permanent?: boolean;
  /** Plain-text body. */
  message?: string;
  /** Extra headers. */
  headers?: HeadersInit;
}

/** A redirect: `Location` header, `text/plain` body (empty by default). */
export class RedirectResponse extends Response {
  constructor(location: string, options: RedirectOptions = {}) {
    const status = options.status ?? (options.permanent ? 301 : 302);
    if (status < 300 || status > 399) throw new TypeError(`redirect status must be 3xx, got ${status}`);
    super(options.message ?? '', { status, headers: options.headers }, 'text/plain; charset=utf-8');
    this.headers.set('Location', location);
  }
}

/** Options of {@link NotModifiedResponse}. */
export interface NotModifiedOptions {
  /** ETag of the current representation. */
  etag?: string;
  /** Content-Location header. */
  contentLocation?: string;
  /** Date header: a string, an epoch in milliseconds or a Date. */
  date?: string | number | Date;
  /** Vary header. */
  vary?: string;
  /** Other headers (e.g. Cache-Control). */
  headers?: HeadersInit;
  /** The 200 this 304 stands for, whose headers `onSend` hooks may read (see {@link NotModifiedResponse.representation}). */
  representation?: Response;
}

/** A 304 Not Modified response; its ETag, Date, Vary and Content-Location are sent. */
export class NotModifiedResponse extends Response {
  /**
   * The 200 this 304 stands for, when Poor made it from one (a conditional request): an
   * `onSend` hook that negotiates (compression's `Vary: Accept-Encoding`) decides by it, so
   * the 304 carries what the 200 would have (RFC 9110 §15.4.5). Its body is never sent.
   */
  readonly representation: Response | undefined;

  constructor(options: NotModifiedOptions = {}) {
    super('', { status: 304, headers: options.headers }, '');
    this.representation = options.representation;
    if (options.etag) this.headers.set('ETag', options.etag);
    if (options.contentLocation) this.headers.set('Content-Location', options.contentLocation);
    if (options.date !== undefined && options.date !== '') {
      const date = options.date;
      this.headers.set('Date', typeof date === 'string' ? date : httpDate(date));
    }
    if (options.vary) this.headers.set('Vary', options.vary);
  }
}

/** A 206 response whose `Content-Range` the handler sets with {@link PartialResponse.makeRange}. */
export class PartialResponse extends Response {
  constructor(body: string | Uint8Array = '', options: ResponseOptions = {}) {
    super(body, { ...options, status: options.status ?? 206 });
  }

  /** Sets `Content-Range` from the first valid range (`start` and `end` both given). */
  makeRange(ranges: RangeSpec[], units = 'bytes', full: number | '*' = '*'): this {
    const first = ranges.find((r) => r.start !== undefined && r.end !== undefined && r.end >= r.start);
    if (!first || first.start === undefined || first.end === undefined) {
      throw new TypeError('makeRange needs a range with a start and an end');
    }
    this.headers.set('Content-Range', contentRange({ start: first.start, end: first.end }, full, units));
    return this;
  }
}

/**
 * Says "nothing is to be written": the request was taken over (e.g. by a websocket
 * upgrade or a handler that wrote to `req.raw` itself).
 */
export class Declined extends Response {
  constructor() {
    super('', {}, '');
  }
}
