// Rate limiting as a guard: it runs in phase `guard`, before any byte of the body is read, so a
// client over its quota costs a counter and a 429, whatever it sends. Fixed windows per key
// (the client's address by default), counted in a store: in memory by default, shared (Redis)
// when several processes serve one site.
import { createGuardDecorator } from '../decorators/decorators.js';
import type { Request } from '../request/request.js';
import { HTTPException } from '../response/http-error.js';
import type { ClassDecoratorFor, MethodDecoratorFor } from '../routing/route-params.js';

/** One key's window after a hit: how many hits it holds, and how long it has to run. */
export interface RateLimitCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends (Redis: the key's PTTL). */
  resetIn: number;
}

/** Where hits are counted: one atomic step per request (a shared store counts for every process). */
export interface RateLimitStore {
  /** Counts a hit for `key` in its current window of `windowMs` milliseconds (a new window when the last has ended). */
  hit(key: string, windowMs: number): RateLimitCount | Promise<RateLimitCount>;
}

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Most keys remembered (default 100 000); past it, ended windows go first, then the oldest. */
  capacity?: number;
  /** The clock, in epoch milliseconds (default `Date.now`; tests pass their own). */
  now?: () => number;
}

/** The default {@link RateLimitStore}: fixed windows in a bounded map of this process. */
export class MemoryRateLimitStore implements RateLimitStore {
  /** Key → hits and the window's end (epoch milliseconds), in order of window start. */
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#capacity = options.capacity ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  hit(key: string, windowMs: number): RateLimitCount {
    const now = this.#now();
    const current = this.#windows.get(key);
    if (current !== undefined && current.resetAt > now) {
      current.count += 1;
      return { count: current.count, resetIn: current.resetAt - now };
    }
    if (current === undefined && this.#windows.size >= this.#capacity) this.#makeRoom(now);
    this.#windows.delete(key); // re-inserted: the map stays in order of window start
    this.#windows.set(key, { count: 1, resetAt: now + windowMs });
    return { count: 1, resetIn: windowMs };
  }

  #makeRoom(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
    if (this.#windows.size >= this.#capacity) this.#windows.delete(this.#windows.keys().next().value as string);
  }
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per window and key. */
  limit: number;
  /** The window, in seconds. */
  window: number;
  /**
   * What is counted: the client's address by default (`req.ip`, which follows `trustProxy`), or
   * a function of the request, such as the user name a log-in form or `Authorization` names.
   * `undefined` from it leaves the request uncounted.
   */
  key?: (req: Request) => string | undefined;
  /** The policy's name, in the headers and in the store's keys (default `default`). */
  name?: string;
  /** Where hits are counted (default: a {@link MemoryRateLimitStore} of this limiter's own). */
  store?: RateLimitStore;
  /**
   * When the store fails (a shared store's server is down): `'allow'` (the default) lets the
   * request through uncounted, `'refuse'` answers 503 with Retry-After (for log-in routes, where
   * an outage must not open the door to guessing). Either way one warning is logged an outage.
   */
  onStoreError?: 'allow' | 'refuse';
}

/** A rate limit: a guard to register (`app.before(limit)`, a route's `before`), with its policy. */
export interface RateLimitGuard {
  /** Counts the request; over the limit, throws the 429. */
  (req: Request): undefined | Promise<undefined>;
  /** The `RateLimit-Policy` value it sends (`"login";q=5;w=60`). */
  readonly policy: string;
  /** Where it counts. */
  readonly store: RateLimitStore;
}

/** A policy name as a structured-field string (RFC 8941 §3.3.3). */
function quoted(name: string): string {
  if (!/^[\x20-\x7e]*$/.test(name)) throw new TypeError(`rateLimit: the name '${name}' must be printable ASCII`);
  return `"${name.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Limits requests per key and window, as a guard (it runs before the body is read): over the
 * limit, a 429 with `Retry-After` and the `RateLimit`/`RateLimit-Policy` fields of the IETF
 * draft (draft-ietf-httpapi-ratelimit-headers). App-wide with `app.before(limit)`, on one
 * route with `{ before: [limit] }`, on a controller or a method with {@link rateLimited}.
 *
 * @example
 * const logins = rateLimit({ limit: 5, window: 60, name: 'login' });
 * app.route('/login', logIn, { methods: 'POST', before: [logins] });
 */
export function rateLimit(options: RateLimitOptions): RateLimitGuard {
  const { limit, window } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('rateLimit: limit must be a whole number above 0');
  if (!Number.isInteger(window) || window < 1) throw new TypeError('rateLimit: window must be whole seconds above 0');
  const name = options.name ?? 'default';
  const label = quoted(name);
  const policy = `${label};q=${limit};w=${window}`;
  const store = options.store ?? new MemoryRateLimitStore();
  const keyOf = options.key ?? ((req: Request) => req.ip);
  const windowMs = window * 1000;

  const refuseOnError = options.onStoreError === 'refuse';
  let outage = false;
  const failed = (req: Request, error: unknown): undefined => {
    if (!outage) {
      outage = true;
      const policy = refuseOnError ? 'answer 503' : 'pass uncounted';
      req.app.logger.warn(
        { err: error },
        `Poor: the rate limit store of '${name}' failed; requests ${policy} until it is back`,
      );
    }
    if (refuseOnError) {
      throw new HTTPException(503, { error: 'the rate limit store is unavailable', headers: { 'Retry-After': '5' } });
    }
    return undefined;
  };
  const judge = (counted: RateLimitCount): undefined => {
    outage = false;
    if (counted.count <= limit) return undefined;
    const seconds = Math.max(1, Math.ceil(counted.resetIn / 1000));
    throw new HTTPException(429, {
      error: `more than ${limit} requests in ${window} s`,
      headers: { 'Retry-After': String(seconds), 'RateLimit-Policy': policy, RateLimit: `${label};r=0;t=${seconds}` },
    });
  };
  const guard = (req: Request): undefined | Promise<undefined> => {
    const key = keyOf(req);
    if (key === undefined) return undefined;
    let counted: RateLimitCount | Promise<RateLimitCount>;
    try {
      counted = store.hit(`${name}:${key}`, windowMs);
    } catch (error) {
      return failed(req, error);
    }
    return counted instanceof Promise ? counted.then(judge, (error: unknown) => failed(req, error)) : judge(counted);
  };
  Object.defineProperty(guard, 'name', { value: `rateLimit(${name})` });
  return Object.assign(guard, { policy, store });
}

/**
 * {@link rateLimit} as a decorator, on a controller (every route of it) or a method (its
 * routes): `@rateLimited({ limit: 5, window: 60, name: 'login' })`.
 */
export function rateLimited(options: RateLimitOptions): ClassDecoratorFor & MethodDecoratorFor<never> {
  return createGuardDecorator('@rateLimited', rateLimit(options));
}
