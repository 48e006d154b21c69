// The CORS add-on: one after hook, so it sees every answer (routes, error pages, 404s and the
// 204 Poor itself gives to OPTIONS) and the preflight reuses the route's real Allow header.
import type { AddOn } from '../app/application.js';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import { addVary } from '../http/util.js';

/** An allowed origin: exact (`https://app.example`), a RegExp, or a function of the origin and request. */
export type CorsOrigin = string | RegExp | ((origin: string, req: Request) => boolean);

/** Options of {@link cors}. */
export interface CorsOptions {
  /** Allowed origins: `'*'` (any, the default; never with `credentials`), one or a list of {@link CorsOrigin}. */
  origins?: '*' | CorsOrigin | readonly CorsOrigin[];
  /** Send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth); needs an allow-list. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight (`Access-Control-Max-Age`); not sent by default. */
  maxAge?: number;
  /** Methods a preflight allows; default: the methods the route answers (its `Allow`). */
  methods?: readonly string[];
  /** Request headers a preflight allows; default: those the browser asked for. */
  headers?: readonly string[];
  /** Response headers scripts may read (`Access-Control-Expose-Headers`). */
  exposeHeaders?: readonly string[];
}

type OriginTest = (origin: string, req: Request) => boolean;

function originTest(origins: CorsOptions['origins']): OriginTest | undefined {
  if (origins === undefined || origins === '*') return undefined;
  const list: readonly CorsOrigin[] = Array.isArray(origins) ? origins : [origins as CorsOrigin];
  const tests = list.map((item): OriginTest => {
    if (typeof item === 'function') return item;
    if (item instanceof RegExp) return (origin) => item.test(origin);
    if (item === '*') throw new TypeError("cors: '*' cannot be one entry of a list; give it alone");
    const exact = item.toLowerCase().replace(/\/$/, '');
    return (origin) => origin.toLowerCase() === exact;
  });
  return (origin, req) => tests.some((test) => test(origin, req));
}

/**
 * Cross-origin resource sharing: `app.use(cors({ origins: ['https://app.example'], credentials: true }))`.
 * Allowed origins get `Access-Control-Allow-Origin` (their own origin, with `Vary: Origin`,
 * unless any origin is allowed without credentials); a preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) to a routed path gets 204 with the route's methods.
 * A refused origin gets the answer without CORS headers, so the browser withholds it.
 */
export function cors(options: CorsOptions = {}): AddOn {
  const test = originTest(options.origins);
  if (options.credentials && test === undefined) {
    throw new TypeError("cors: credentials need an allow-list of origins, not '*'");
  }
  if (options.maxAge !== undefined && (!Number.isInteger(options.maxAge) || options.maxAge < 0)) {
    throw new TypeError('cors: maxAge is a whole number of seconds');
  }
  const methods = options.methods?.map((method) => method.toUpperCase()).join(', ');
  const allowHeaders = options.headers?.join(', ');
  const expose = options.exposeHeaders?.join(', ');
  const maxAge = options.maxAge === undefined ? undefined : String(options.maxAge);

  const hook = (req: Request, response: Response): Response => {
    if (test !== undefined) addVary(response.headers, 'Origin');
    const origin = req.raw.headers.origin;
    if (origin === undefined) return response;
    if (test !== undefined && !test(origin, req)) return response;
    const headers = response.headers;
    headers.set('Access-Control-Allow-Origin', test === undefined ? '*' : origin);
    if (options.credentials) headers.set('Access-Control-Allow-Credentials', 'true');
    const requested = req.raw.headers['access-control-request-method'];
    const preflight = req.method === 'OPTIONS' && requested !== undefined;
    if (!preflight) {
      if (expose) headers.set('Access-Control-Expose-Headers', expose);
      return response;
    }
    // A preflight: the 204 Poor gave OPTIONS carries the route's Allow methods.
    const allow = methods ?? headers.get('allow') ?? requested.toUpperCase();
    headers.set('Access-Control-Allow-Methods', allow);
    const askedHeaders = req.raw.headers['access-control-request-headers'];
    const allowed = allowHeaders ?? askedHeaders;
    if (allowed) headers.set('Access-Control-Allow-Headers', allowed);
    if (allowHeaders === undefined && askedHeaders !== undefined)
      addVary(response.headers, 'Access-Control-Request-Headers');
    if (maxAge !== undefined) headers.set('Access-Control-Max-Age', maxAge);
    return response;
  };
  return (app) => {
    app.after(hook);
  };
}
