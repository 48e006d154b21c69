import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toAuthorization, type Authorization } from '../http/auth-params.js';
import { parseCookies } from '../http/cookies.js';
import { Headers, parseHeader, parseNegotiation } from '../http/headers.js';
import { kTargetError } from '../http/symbols.js';
import { clientAddress, trustTest } from '../http/trust.js';
import { firstValue, splitHostPort } from '../http/util.js';
import { hasBody, unframed } from './body-parse.js';
import { Fields, parseQuery } from './fields.js';
import type { RequestApp } from './request-app.js';

// A request id taken from a proxy: visible ASCII, at most 200 characters.
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The request line, the headers and the connection of one request, parsed lazily: the
 * constructor only stores references; the path, query, headers, cookies, accept lists and
 * the client's address are memoised getters. {@link Request} adds routing and the body.
 */
export class RequestHead {
  /** The application handling the request: its settings and name. */
  readonly app: RequestApp;
  /** Node's request object (do not mutate it). */
  readonly raw: IncomingMessage;
  /** Node's response object, for handlers that take the connection over (return `Declined`). */
  readonly rawResponse: ServerResponse | undefined;
  /** When the request arrived: seconds since the epoch, with fractions. */
  readonly startTime: number = Date.now() / 1000;

  #path: string | undefined;
  #query: string | undefined;
  #headers: Headers | undefined;
  #args: Fields | undefined;
  #cookies: Record<string, string> | undefined;
  #contentType: { value: string; params: Record<string, string> } | undefined;
  #id: string | undefined;
  #targetError: string | undefined;
  #hasBody: boolean | undefined;

  constructor(app: RequestApp, raw: IncomingMessage, rawResponse?: ServerResponse) {
    this.app = app;
    this.raw = raw;
    this.rawResponse = rawResponse;
  }

  /** The request method (`GET`, `POST` …). */
  get method(): string {
    return this.raw.method ?? 'GET';
  }

  #splitUrl(): void {
    let url = this.raw.url ?? '/';
    if (!url.startsWith('/') && url !== '*') {
      // absolute-form request target (proxies): keep only path and query
      try {
        const parsed = new URL(url);
        url = parsed.pathname + parsed.search;
      } catch {
        this.#query = '';
        this.#path = url;
        this.#targetError = 'malformed request target';
        return;
      }
    }
    const mark = url.indexOf('?');
    const rawPath = mark === -1 ? url : url.slice(0, mark);
    this.#query = mark === -1 ? '' : url.slice(mark + 1);
    if (!rawPath.includes('%')) {
      this.#path = rawPath;
      return;
    }
    try {
      this.#path = decodeURIComponent(rawPath);
    } catch {
      // Answered 400 before routing; readers (hooks, logs, error pages) still get a path.
      this.#path = rawPath;
      this.#targetError = 'malformed percent-encoding in the path';
    }
  }

  /**
   * @internal Decodes the target once; what is wrong with it, or with the body's framing
   * (RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked leaves the length
   * unknown, and the answer must be 400), if anything.
   */
  [kTargetError](): string | undefined {
    if (this.#path === undefined) {
      this.#splitUrl();
      const method = this.raw.method;
      // hasBody scans the raw header list: a request without a body never builds the headers object here
      if (this.#targetError === undefined && method !== 'GET' && method !== 'HEAD' && this.hasBody) {
        if (unframed(this.raw)) this.#targetError = 'a Transfer-Encoding that does not end with chunked';
      }
    }
    return this.#targetError;
  }

  /**
   * The percent-decoded path (UTF-8). Never throws: a request whose path is malformed is
   * answered 400 before routing, and its `path` is then the raw, undecoded path.
   */
  get path(): string {
    if (this.#path === undefined) this.#splitUrl();
    return this.#path as string;
  }

  /** Same as {@link RequestHead.path} (upstream's name). */
  get uri(): string {
    return this.path;
  }

  /** The raw query string, without `?` (`''` when absent). */
  get query(): string {
    if (this.#query === undefined) {
      const url = this.raw.url ?? '';
      const mark = url.indexOf('?');
      this.#query = mark === -1 ? '' : url.slice(mark + 1);
    }
    return this.#query;
  }

  /** Path plus `?query` when there is one. */
  get fullPath(): string {
    const query = this.query;
    return query ? `${this.path}?${query}` : this.path;
  }

  /** Query arguments (empty when the `autoArgs` option is off). */
  get args(): Fields {
    if (this.#args === undefined) {
      const app = this.app;
      this.#args = app.autoArgs
        ? parseQuery(this.query, { keepBlankValues: app.keepBlankValues, strictParsing: app.strictParsing })
        : new Fields();
    }
    return this.#args;
  }

  /** Request headers (case-insensitive, in arrival order). */
  get headers(): Headers {
    return (this.#headers ??= Headers.fromRaw(this.raw.rawHeaders));
  }

  /** Request cookies by name, prototype-free (empty when `autoCookies` is off). */
  get cookies(): Record<string, string> {
    let cookies = this.#cookies;
    if (cookies === undefined) {
      cookies = this.app.autoCookies
        ? parseCookies(this.raw.headers.cookie)
        : (Object.create(null) as Record<string, string>);
      this.#cookies = cookies;
    }
    return cookies;
  }

  get #type(): { value: string; params: Record<string, string> } {
    return (this.#contentType ??= parseHeader(this.raw.headers['content-type'] ?? ''));
  }

  /** MIME type of the body (`''` when there is no Content-Type). */
  get mimeType(): string {
    return this.#type.value.toLowerCase();
  }

  /** Charset of the body, `utf-8` by default. */
  get charset(): string {
    return this.#type.params.charset?.toLowerCase() ?? 'utf-8';
  }

  /** Content-Length, or -1 when absent. */
  get contentLength(): number {
    const value = this.raw.headers['content-length'];
    return value === undefined ? -1 : Number(value);
  }

  /** Does the request carry a body (a non-zero Content-Length, or a Transfer-Encoding)? */
  get hasBody(): boolean {
    return (this.#hasBody ??= hasBody(this.raw.rawHeaders));
  }

  /** `Accept` as `[value, quality]` pairs in header order. */
  get accept(): Array<[string, number]> {
    return parseNegotiation(this.raw.headers.accept);
  }

  /** `Accept-Charset` as `[value, quality]` pairs. */
  get acceptCharset(): Array<[string, number]> {
    return parseNegotiation(firstValue(this.raw.headers['accept-charset']));
  }

  /** `Accept-Encoding` as `[value, quality]` pairs. */
  get acceptEncoding(): Array<[string, number]> {
    return parseNegotiation(this.raw.headers['accept-encoding']);
  }

  /** `Accept-Language` as `[value, quality]` pairs. */
  get acceptLanguage(): Array<[string, number]> {
    return parseNegotiation(this.raw.headers['accept-language']);
  }

  #accepts(type: string): boolean {
    return this.accept.some(([value, quality]) => quality > 0 && value.toLowerCase() === type);
  }

  /** Does `Accept` list `text/html` (with a non-zero quality)? */
  get acceptHtml(): boolean {
    return this.#accepts('text/html');
  }

  /** Does `Accept` list `text/xhtml` or `application/xhtml+xml`? */
  get acceptXhtml(): boolean {
    return this.#accepts('text/xhtml') || this.#accepts('application/xhtml+xml');
  }

  /** Does `Accept` list `application/json`? */
  get acceptJson(): boolean {
    return this.#accepts('application/json');
  }

  /** Was the request made by `XMLHttpRequest` (`X-Requested-With`)? */
  get isXhr(): boolean {
    return this.raw.headers['x-requested-with'] === 'XMLHttpRequest';
  }

  /**
   * The parsed `Authorization` header: `type` (capitalised scheme), every `key=value`
   * parameter (quotes removed, RFC 8187 `username*` decoded into `username`), and `token` for
   * schemes with a bare credential (Basic, Bearer). Empty when absent.
   */
  get authorization(): Authorization {
    return toAuthorization(this.raw.headers.authorization);
  }

  /** `Referer` header. */
  get referer(): string | undefined {
    return this.raw.headers.referer;
  }

  /** `User-Agent` header. */
  get userAgent(): string | undefined {
    return this.raw.headers['user-agent'];
  }

  #host(): { name: string; port: number | undefined } {
    const host = this.raw.headers.host ?? firstValue(this.raw.headers[':authority']);
    if (host) return splitHostPort(host);
    return { name: this.raw.socket?.localAddress ?? 'localhost', port: this.raw.socket?.localPort };
  }

  /** Host name from `Host` (port and IPv6 brackets removed), or the server address. */
  get hostname(): string {
    return this.#host().name;
  }

  /** Port from `Host`, else 443 for https and 80 for http. */
  get hostPort(): number {
    return this.#host().port ?? (this.scheme === 'https' ? 443 : 80);
  }

  /** `https` on TLS connections, else `http`. */
  get scheme(): 'http' | 'https' {
    return (this.raw.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  }

  /** The peer's address: the socket's other end (a proxy, when there is one; see {@link RequestHead.ip}). */
  get remoteAddr(): string | undefined {
    return this.raw.socket?.remoteAddress;
  }

  /**
   * This request's id, in every line Poor logs about it: `X-Request-Id` when a proxy
   * `trustProxy` believes sent one (visible ASCII, up to 200 characters), else a new UUID.
   * Made on first use.
   */
  get id(): string {
    if (this.#id === undefined) {
      const given = this.#peerTrusted ? firstValue(this.raw.headers['x-request-id']) : undefined;
      this.#id = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    }
    return this.#id;
  }

  /** Is the socket's peer a proxy the `trustProxy` option believes? */
  get #peerTrusted(): boolean {
    const option = this.app.trustProxy;
    if (option === false) return false;
    const peer = this.raw.socket?.remoteAddress;
    return peer !== undefined && trustTest(option)(peer, 0);
  }

  /**
   * The client's address: the socket's peer, or with `trustProxy` the address the trusted
   * proxies forwarded for (`X-Forwarded-For`, read from the right past each trusted hop).
   */
  get ip(): string | undefined {
    const peer = this.raw.socket?.remoteAddress;
    const option = this.app.trustProxy;
    return option === false ? peer : clientAddress(peer, this.forwardedFor, trustTest(option));
  }

  /** `https` or `http` as the client used it: {@link RequestHead.scheme}, or `X-Forwarded-Proto` from a trusted proxy. */
  get protocol(): 'http' | 'https' {
    return this.#protocol(this.#peerTrusted);
  }

  #protocol(trusted: boolean): 'http' | 'https' {
    const proto = trusted ? this.forwardedProto : undefined;
    return proto === 'https' || proto === 'http' ? proto : this.scheme;
  }

  /** Raw `X-Forwarded-For` (whoever sent it; {@link RequestHead.ip} applies `trustProxy`). */
  get forwardedFor(): string | undefined {
    return firstValue(this.raw.headers['x-forwarded-for']);
  }

  /** Host from `X-Forwarded-Host`, without the port (raw: whoever sent it). */
  get forwardedHost(): string | undefined {
    const value = firstValue(this.raw.headers['x-forwarded-host']);
    return value === undefined ? undefined : splitHostPort(value.split(',')[0]?.trim() ?? '').name;
  }

  /** Port from `X-Forwarded-Host`, else 443/80 from `X-Forwarded-Proto` (raw). */
  get forwardedPort(): number | undefined {
    const value = firstValue(this.raw.headers['x-forwarded-host']);
    const port = value === undefined ? undefined : splitHostPort(value.split(',')[0]?.trim() ?? '').port;
    if (port !== undefined) return port;
    const proto = this.forwardedProto;
    return proto === 'https' ? 443 : proto === 'http' ? 80 : undefined;
  }

  /** `X-Forwarded-Proto` (first value, lower-case; raw). */
  get forwardedProto(): string | undefined {
    return firstValue(this.raw.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
  }

  /**
   * An absolute URL for `path` on this server; absolute URLs pass through. The scheme and host
   * come from `X-Forwarded-Proto`/`-Host` only when `trustProxy` believes the peer, else from
   * the connection and `Host`.
   */
  constructUrl(path: string): string {
    if (/^https?:\/\//i.test(path)) return path;
    const trusted = this.#peerTrusted;
    const scheme = this.#protocol(trusted);
    const forwardedHost = trusted ? this.forwardedHost : undefined;
    const host = forwardedHost ?? this.hostname;
    const port =
      forwardedHost !== undefined ? this.forwardedPort : (this.#host().port ?? (scheme === 'https' ? 443 : 80));
    const bracketed = host.includes(':') ? `[${host}]` : host;
    const defaultPort = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
    const hostPart = port === undefined || defaultPort ? bracketed : `${bracketed}:${port}`;
    return `${scheme}://${hostPart}${path}`;
  }

  /** The application's debug flag. */
  get debug(): boolean {
    return this.app.debug;
  }

  /** The application's secret key. */
  get secretKey(): string | undefined {
    return this.app.secretKey;
  }

  /** The application's document root, if any. */
  get documentRoot(): string | undefined {
    return this.app.documentRoot;
  }
}
