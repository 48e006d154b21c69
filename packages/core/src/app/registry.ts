// What an application dispatches to, and the calls that register into it: routes, filters,
// error and default handlers, fallbacks, and hooks by lifecycle phase. `Application` extends it
// with controllers, add-ons and the server's life.
import { kProtocols, kTables } from '../http/symbols.js';
import { isStatus, nameOf } from '../http/util.js';
import type { Exchange } from '../lifecycle/exchange.js';
import { handleError } from '../lifecycle/errors.js';
import { HandlerTables } from '../lifecycle/tables.js';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  Handler,
  Methods,
  Phase,
  PhaseHooks,
  RouteHooks,
  RouteOptions,
  StatusHandler,
  UpgradeProtocol,
} from '../routing/handlers.js';
import type { CheckPattern, CheckReturn } from '../routing/route-params.js';
import { Router, routeLines, type RouteFunction } from '../routing/router.js';
import { type FilterConverter } from '../routing/filters.js';
import { Settings } from '../settings/settings.js';

/** The routes, handlers and hooks of an application, with the calls that register them. */
export class Registry extends Settings {
  /** The URI router (routes and filters). */
  readonly router = new Router();
  /** @internal */
  readonly [kTables] = new HandlerTables();
  /** @internal */
  readonly [kProtocols] = new Map<string, UpgradeProtocol>();

  /**
   * Registers a route handler; methods default to GET (HEAD implied). The third argument is
   * the methods, or `{ methods, before, hooks }` with hooks of this route only.
   */
  route<P extends string, F extends Handler<P>>(
    pattern: P & CheckPattern<P>,
    handler: F & CheckReturn<F>,
    methods?: Methods | RouteOptions,
  ): this {
    const options: RouteOptions = isRouteOptions(methods) ? methods : { methods };
    this.router.add(pattern, toMethods(options.methods, ['GET']), this.#withHooks(handler as RouteFunction, options));
    return this;
  }

  /** The handler itself, or a handler of its own carrying the route's hooks. */
  #withHooks(handler: RouteFunction, options: Pick<RouteOptions, 'before' | 'hooks'>): RouteFunction {
    const before = options.before ?? [];
    const hooks = options.hooks;
    if (before.length === 0 && (hooks === undefined || Object.keys(hooks).length === 0)) return handler;
    const all: RouteHooks = { ...hooks, guard: [...before, ...(hooks?.guard ?? [])] };
    return this[kTables].withHooks(handler, all);
  }

  /** Removes a route for one method or all (upgrade handlers included); returns whether something was removed. */
  popRoute(pattern: string, method?: string): boolean {
    return this.router.remove(pattern, method?.toUpperCase());
  }

  /** Adds a route filter usable as `<name:filter>`. */
  setFilter(name: string, regex: string | RegExp, convert?: FilterConverter): this {
    this.router.setFilter(name, regex, convert);
    return this;
  }

  /** For add-ons: registers the handler of `pattern` for upgrade requests of a protocol (`before`, `hooks`: its own). */
  upgrade(
    token: string,
    pattern: string,
    handler: RouteFunction,
    options: Pick<RouteOptions, 'before' | 'hooks'> = {},
  ): this {
    this.router.addUpgrade(pattern, token, this.#withHooks(handler, options));
    return this;
  }

  /** Registers a handler for a status code or an exception class (nearest class wins). */
  errorHandler(target: number, handler: StatusHandler, methods?: Methods): this;
  errorHandler<E>(target: abstract new (...args: never[]) => E, handler: ClassHandler<E>, methods?: Methods): this;
  errorHandler(target: number | ErrorClass, handler: StatusHandler | ClassHandler<never>, methods?: Methods): this {
    const list = toMethods(methods, ['*']);
    if (typeof target === 'number') {
      if (!isStatus(target)) throw new TypeError(`invalid status ${target}`);
      addTo(this[kTables].status, target, list, handler as StatusHandler);
    } else if (typeof target === 'function') {
      addTo(this[kTables].classes, target, list, handler as ClassHandler);
    } else {
      throw new TypeError('errorHandler needs a status code or an exception class');
    }
    return this;
  }

  /** Removes an error handler for one method or all. */
  popErrorHandler(target: number | ErrorClass, method?: string): boolean {
    const tables = this[kTables];
    const table = typeof target === 'number' ? tables.status.get(target) : tables.classes.get(target);
    if (!table) return false;
    if (method === undefined) table.clear();
    else table.delete(method.toUpperCase());
    return true;
  }

  /**
   * Adds an app-wide hook for a lifecycle phase (`onRequest`, `guard`, `preValidation`,
   * `validation`, `preHandler`, `onSend`, `onResponse`); a function may be added once per phase.
   *
   * @example
   * app.addHook('preHandler', (req) => { req.db = pool; });
   */
  addHook<P extends Phase>(phase: P, hook: PhaseHooks[P]): this {
    this[kTables].addHook(this[kTables].app, phase, hook);
    return this;
  }

  /** Removes a hook of a phase, app-wide, a controller's or a route's (also given as `Class.prototype.method`). */
  popHook(phase: Phase, hook: unknown): this {
    if (!this[kTables].removeHook(phase, hook)) throw new TypeError(`${phase} hook ${nameOf(hook)} is not registered`);
    return this;
  }

  /** Adds an app-wide guard (phase `guard`): it runs for every request, before any byte of the body is read. */
  before(hook: BeforeHook): this {
    return this.addHook('guard', hook);
  }

  /** Adds an app-wide after hook (phase `onSend`): it runs on every response and returns the response to send. */
  after(hook: AfterHook): this {
    return this.addHook('onSend', hook);
  }

  /** Removes a guard, app-wide or a controller's (`app.popBefore(Admin.prototype.guard)`). */
  popBefore(hook: BeforeHook): this {
    return this.popHook('guard', hook);
  }

  /** Removes an after hook (phase `onSend`), app-wide or a controller's. */
  popAfter(hook: AfterHook): this {
    return this.popHook('onSend', hook);
  }

  /** Registers the handler for requests no route matched (default GET). */
  defaultHandler(handler: Handler, methods?: Methods): this {
    for (const method of toMethods(methods, ['GET'])) {
      this[kTables].defaults.set(method, handler as RouteFunction);
      if (method !== '*') this.router.addMethod(method);
    }
    return this;
  }

  /** Removes the default handler for one method or all. */
  popDefaultHandler(method?: string): boolean {
    const defaults = this[kTables].defaults;
    if (method !== undefined) return defaults.delete(method.toUpperCase());
    const had = defaults.size > 0;
    defaults.clear();
    return had;
  }

  /** For add-ons: serves requests no route matched, before the default handler. */
  addFallback(fallback: Fallback): this {
    this[kTables].fallbacks.push(fallback);
    return this;
  }

  /**
   * For add-ons: the response the application gives for `error` raised while serving `req`
   * (status handlers, exception-class handlers, built-in pages), as for any request.
   */
  async errorResponse(req: Request, error: unknown): Promise<Response> {
    if ((req as Partial<Exchange>).host !== (this as unknown))
      throw new TypeError('errorResponse: the request is not served by this application');
    return handleError(req as Exchange, error);
  }

  // ── read-only views (debug page, add-ons) ─────────────────────────────────

  /** Default handlers by method. */
  get defaultHandlers(): ReadonlyMap<string, RouteFunction> {
    return this[kTables].defaults;
  }

  /** Status handlers: status → method → handler. */
  get statusHandlers(): ReadonlyMap<number, ReadonlyMap<string, StatusHandler>> {
    return this[kTables].status;
  }

  /** Exception class handlers: class → method → handler. */
  get classHandlers(): ReadonlyMap<ErrorClass, ReadonlyMap<string, ClassHandler>> {
    return this[kTables].classes;
  }

  /** App-wide guards (phase `guard`) in order (controllers' own hooks are listed on the debug page). */
  get beforeHooks(): readonly BeforeHook[] {
    return this[kTables].app.guard;
  }

  /** App-wide after hooks (phase `onSend`) in order. */
  get afterHooks(): readonly AfterHook[] {
    return this[kTables].app.onSend;
  }

  /** App-wide hooks of one phase, in order. */
  hooksOf<P extends Phase>(phase: P): ReadonlyArray<PhaseHooks[P]> {
    const tables = this[kTables];
    return tables.listOf(tables.app, phase);
  }

  /**
   * Every route as `METHOD pattern` (an upgrade route as `websocket pattern`): static routes
   * first, then patterns in the order they are tried. Logged at debug level at start-up.
   */
  routes(): string[] {
    return this.router.entries.flatMap(routeLines);
  }

  /**
   * The guards (phase `guard`) that run before a route handler, in order: the app's, its
   * controller's, its route's own. For tools that read the routes (security in API documents).
   */
  guardsOf(handler: RouteFunction): BeforeHook[] {
    const tables = this[kTables];
    const scopes = [];
    for (let scope = tables.scopeOf(handler); scope !== undefined; scope = scope.parent) scopes.unshift(scope);
    return [tables.app, ...scopes].flatMap((scope) => tables.listOf(scope, 'guard'));
  }

  /** Fallbacks in order. */
  get fallbacks(): readonly Fallback[] {
    return this[kTables].fallbacks;
  }

  /** Does any add-on take upgrade requests? */
  get takesUpgrades(): boolean {
    return this[kProtocols].size > 0;
  }
}

/** Methods as upper-case names; `*` alone when it is among them. */
export function toMethods(methods: Methods | undefined, fallback: readonly string[]): string[] {
  if (methods === undefined) return [...fallback];
  const list = typeof methods === 'string' ? [methods] : [...methods];
  if (list.length === 0) throw new TypeError('at least one HTTP method is required');
  const upper = list.map((method) => method.toUpperCase());
  return upper.includes('*') ? ['*'] : upper;
}

function isRouteOptions(value: Methods | RouteOptions | undefined): value is RouteOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addTo<K, H>(table: Map<K, Map<string, H>>, key: K, methods: readonly string[], handler: H): void {
  const handlers = table.get(key) ?? new Map<string, H>();
  for (const method of methods) handlers.set(method, handler);
  table.set(key, handlers);
}
