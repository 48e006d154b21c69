// An API key guard: the key read from one header, query parameter or cookie, checked by the
// user's function. It describes itself as an OpenAPI apiKey security scheme.
import { HTTPException } from '../response/http-error.js';
import type { Request } from '../request/request.js';
import type { BeforeHook } from '../routing/handlers.js';
import { describeSecurity } from './security.js';

/** Options of {@link apiKey}. */
export interface ApiKeyOptions {
  /** Where the key is: a request header (default), a query parameter or a cookie. */
  in?: 'header' | 'query' | 'cookie' | undefined;
  /** The header, parameter or cookie name (`X-API-Key`). */
  name: string;
  /**
   * Checks a key (may be async): falsy refuses it (401); `true` accepts it; any other value
   * accepts it and becomes `req.user`.
   */
  verify: (key: string, req: Request) => unknown;
  /** The scheme's name in generated documents (default `apiKey`). */
  scheme?: string | undefined;
}

/**
 * A guard requiring an API key: `app.before(apiKey({ name: 'X-API-Key', verify }))`, a route's
 * `before` option, or `@guard(apiKey(...))`. A missing or refused key is a 401 whose
 * `WWW-Authenticate` names where the key goes. Prefer a header: a query parameter lands in
 * access logs and browser histories.
 */
export function apiKey(options: ApiKeyOptions): BeforeHook {
  const where = options.in ?? 'header';
  const { name, verify } = options;
  if (typeof name !== 'string' || name === '')
    throw new TypeError('apiKey(): a name of the header, parameter or cookie');
  if (typeof verify !== 'function') throw new TypeError('apiKey(): a verify(key, req) function');
  const challenge = `APIKey in="${where}", name="${name.replace(/["\\]/g, '\\$&')}"`;
  const lower = name.toLowerCase();
  const read = (req: Request): string | undefined => {
    if (where === 'header') {
      const value = req.raw.headers[lower];
      return Array.isArray(value) ? value[0] : value;
    }
    if (where === 'query') return req.args.getFirst(name) as string | undefined;
    return req.cookies[name];
  };
  const hook = async (req: Request): Promise<undefined> => {
    const key = read(req);
    const user = key === undefined || key === '' ? undefined : await verify(key, req);
    if (!user) throw new HTTPException(401, { headers: { 'WWW-Authenticate': challenge } });
    if (user !== true) req.user = user as Request['user'];
    return undefined;
  };
  Object.defineProperty(hook, 'name', { value: `apiKey(${name})` });
  return describeSecurity(hook, { name: options.scheme ?? 'apiKey', scheme: { type: 'apiKey', in: where, name } });
}
