import type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  HookScope,
  StatusHandler,
} from '../routing/handlers.js';
import type { RouteFunction } from '../routing/router.js';
import { nameOf } from '../http/util.js';

type Hook = BeforeHook | AfterHook;

function lookUp<K, H>(table: Map<K, Map<string, H>>, key: K, method: string): H | undefined {
  const handlers = table.get(key);
  return handlers === undefined ? undefined : (handlers.get(method) ?? handlers.get('*'));
}

/**
 * What an application dispatches to besides the router: status and exception-class
 * handlers, default handlers, fallbacks and the hooks of each scope, with the look-ups the
 * pipeline needs.
 */
export class HandlerTables {
  /** Status → method → handler. */
  readonly status = new Map<number, Map<string, StatusHandler>>();
  /** Exception class → method → handler. */
  readonly classes = new Map<ErrorClass, Map<string, ClassHandler>>();
  /** Default handlers by method. */
  readonly defaults = new Map<string, RouteFunction>();
  /** Fallbacks in order (static files). */
  readonly fallbacks: Fallback[] = [];
  /** App-wide hooks: every request. */
  readonly app: HookScope = { name: 'application', before: [], after: [] };
  /** Controller scopes, in registration order. */
  readonly scopes: HookScope[] = [];
  /** The scope of each controller handler (route, default, upgrade). */
  readonly #scopeOf = new WeakMap<RouteFunction, HookScope>();
  /** A bound controller method → the method it was bound from (for `popBefore(Class.prototype.x)`). */
  readonly #sources = new WeakMap<Hook, unknown>();

  /** The status handler for `status` and `method` (or `*`). */
  statusHandler(status: number, method: string): StatusHandler | undefined {
    return lookUp(this.status, status, method);
  }

  /** The handler of the nearest class in `error`'s prototype chain, for `method` (or `*`). */
  classHandler(error: object, method: string): ClassHandler | undefined {
    for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
      const handler = lookUp(this.classes, (proto as { constructor: ErrorClass }).constructor, method);
      if (handler) return handler;
    }
    return undefined;
  }

  /** The default handler for `method` (HEAD falls back to GET, then `*`). */
  defaultHandler(method: string): RouteFunction | undefined {
    const defaults = this.defaults;
    return defaults.get(method) ?? (method === 'HEAD' ? defaults.get('GET') : undefined) ?? defaults.get('*');
  }

  /** Does any controller scope hold a hook? (Until one does, handlers need no scope look-up.) */
  #scoped = false;

  /** Does some route have hooks of its own (`before` option, `@checkDigest` on a method)? */
  #guarded = false;

  /** The scope a handler was registered with, if any (when some scope has hooks). */
  scopeOf(handler: RouteFunction): HookScope | undefined {
    return this.#scoped || this.#guarded ? this.#scopeOf.get(handler) : undefined;
  }

  /**
   * A handler of its own for one route, whose scope adds `guards` after the hooks of the
   * controller the handler came from (so the same function may serve another route unguarded).
   */
  guard(handler: RouteFunction, guards: readonly BeforeHook[]): RouteFunction {
    const wrapped = ((...args: never[]) => handler(...args)) as RouteFunction;
    Object.defineProperty(wrapped, 'name', { value: handler.name });
    const parent = this.#scopeOf.get(handler);
    // The controller's lists are shared, not copied: a hook popped from it is gone here too.
    const scope: HookScope = parent
      ? { name: parent.name, before: [...guards], after: parent.after, parent }
      : { name: nameOf(handler), before: [...guards], after: [] };
    this.#scopeOf.set(wrapped, scope);
    this.#guarded = true;
    return wrapped;
  }

  #rescan(): void {
    this.#scoped = this.scopes.some((scope) => scope.before.length > 0 || scope.after.length > 0);
  }

  /** A new, empty controller scope. */
  createScope(name: string): HookScope {
    const scope: HookScope = { name, before: [], after: [] };
    this.scopes.push(scope);
    return scope;
  }

  /** Ties a controller handler to its scope. */
  bindScope(handler: RouteFunction, scope: HookScope): void {
    this.#scopeOf.set(handler, scope);
  }

  /** Adds a hook to a scope's list (once); `source` is the method a bound hook came from. */
  addHook(list: Hook[], hook: Hook, kind: 'before' | 'after', source?: unknown): void {
    if (list.includes(hook)) throw new TypeError(`${kind} hook ${nameOf(hook)} is already registered`);
    list.push(hook);
    if (source !== undefined) this.#sources.set(hook, source);
    this.#rescan();
  }

  /** Removes a hook, given as registered or as the controller method it came from, from every scope. */
  removeHook(kind: 'before' | 'after', hook: unknown): boolean {
    let removed = false;
    for (const scope of [this.app, ...this.scopes]) {
      const list: Hook[] = scope[kind];
      const index = list.findIndex((item) => item === hook || this.#sources.get(item) === hook);
      if (index !== -1) {
        list.splice(index, 1);
        removed = true;
      }
    }
    this.#rescan();
    return removed;
  }
}
