import type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  Phase,
  PhaseHooks,
  ResponseHook,
  RouteHooks,
  StatusHandler,
} from '../routing/handlers.js';
import { HookScope, isPhase, isScoped, PHASES, SCOPED_PHASES } from './phases.js';
import type { RouteFunction } from '../routing/router.js';
import { nameOf } from '../http/util.js';

type Hook = BeforeHook | AfterHook | ResponseHook;

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
  /** App-wide hooks of the scoped phases: every request. */
  readonly app = new HookScope('application');
  /** Phase onRequest: every request, before routing. */
  readonly onRequest: BeforeHook[] = [];
  /** Phase onResponse: every request, once answered. */
  readonly onResponse: ResponseHook[] = [];
  /** Controller scopes, in registration order. */
  readonly scopes: HookScope[] = [];
  /** Scopes of routes with hooks of their own. */
  readonly routeScopes: HookScope[] = [];
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

  /** Does any controller or route scope hold a hook? (Until one does, handlers need no scope look-up.) */
  #scoped = false;

  /** The scope a handler was registered with, if any (when some scope has hooks). */
  scopeOf(handler: RouteFunction): HookScope | undefined {
    return this.#scoped ? this.#scopeOf.get(handler) : undefined;
  }

  /**
   * A handler of its own for one route, whose scope adds `hooks` after the hooks of the
   * controller the handler came from (so the same function may serve another route unguarded).
   */
  withHooks(handler: RouteFunction, hooks: RouteHooks): RouteFunction {
    const wrapped = ((...args: never[]) => handler(...args)) as RouteFunction;
    Object.defineProperty(wrapped, 'name', { value: handler.name });
    const parent = this.#scopeOf.get(handler);
    // The controller's lists are not copied: a hook popped from it is gone for this route too.
    const scope = new HookScope(parent?.name ?? nameOf(handler), parent);
    for (const phase of SCOPED_PHASES) for (const hook of hooks[phase] ?? []) this.addHook(scope, phase, hook);
    this.#scopeOf.set(wrapped, scope);
    this.routeScopes.push(scope);
    this.#rescan();
    return wrapped;
  }

  /** A new, empty controller scope. */
  createScope(name: string): HookScope {
    const scope = new HookScope(name);
    this.scopes.push(scope);
    return scope;
  }

  /** Ties a controller handler to its scope. */
  bindScope(handler: RouteFunction, scope: HookScope): void {
    this.#scopeOf.set(handler, scope);
  }

  /** The list of `phase` in `scope` (app-only phases live on the tables). */
  listOf<P extends Phase>(scope: HookScope, phase: P): Array<PhaseHooks[P]> {
    if (isScoped(phase)) return scope[phase] as Array<PhaseHooks[P]>;
    return (phase === 'onRequest' ? this.onRequest : this.onResponse) as Array<PhaseHooks[P]>;
  }

  /** Adds a hook to a scope's list of `phase` (once); `source` is the method a bound hook came from. */
  addHook<P extends Phase>(scope: HookScope, phase: P, hook: PhaseHooks[P], source?: unknown): void {
    if (!isPhase(phase))
      throw new TypeError(`unknown lifecycle phase '${String(phase)}' (phases: ${PHASES.join(', ')})`);
    if (typeof hook !== 'function') throw new TypeError(`a ${phase} hook must be a function`);
    const list = this.listOf(scope, phase);
    if (list.includes(hook)) throw new TypeError(`${phase} hook ${nameOf(hook)} is already registered`);
    list.push(hook);
    if (source !== undefined) this.#sources.set(hook, source);
    this.#rescan();
  }

  /** Removes a hook of `phase`, given as registered or as the controller method it came from, from every scope. */
  removeHook(phase: Phase, hook: unknown): boolean {
    let removed = false;
    // An app-only phase has one list, whatever the scope: look there once.
    for (const scope of isScoped(phase) ? [this.app, ...this.scopes, ...this.routeScopes] : [this.app]) {
      const list: unknown[] = this.listOf(scope, phase);
      const index = list.findIndex((item) => item === hook || this.#sources.get(item as Hook) === hook);
      if (index !== -1) {
        list.splice(index, 1);
        removed = true;
      }
    }
    this.#rescan();
    return removed;
  }

  /** Keeps each scope's fast-path flags true to its lists (registration time only). */
  #rescan(): void {
    // Controller scopes before route scopes: a route scope's flags include its parent's.
    for (const scope of [this.app, ...this.scopes, ...this.routeScopes]) scope.rescan();
    this.#scoped = [...this.scopes, ...this.routeScopes].some((scope) => scope.pre || scope.post);
  }
}
