import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Controller } from '../decorators/decorators.js';
import type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  Handler,
  Methods,
  RouteOptions,
  StatusHandler,
  UpgradeProtocol,
} from '../routing/handlers.js';
import { injectRequest, type InjectOptions, type InjectResponse } from './inject.js';
import {
  bindController,
  compileController,
  type BoundController,
  type MemberRegistration,
} from '../decorators/controllers.js';
import { handleError } from '../lifecycle/errors.js';
import { handleRequest, handleSocket } from '../lifecycle/pipeline.js';
import { Profiler } from './profile.js';
import { Lifecycle, type ListenOptions } from './server.js';
import { HandlerTables } from '../lifecycle/tables.js';
import { kLifecycle, kProtocols, kTables } from '../http/symbols.js';
import { isStatus, nameOf } from '../http/util.js';
import { debugInfoPage } from '../pages/debug.js';
import type { Request } from '../request/request.js';
import type { CheckPattern, CheckReturn } from '../routing/route-params.js';
import { Router, type FilterConverter, type RouteFilter, type RouteFunction } from '../routing/router.js';
import { envText, Settings, type SettingsOptions } from '../settings/settings.js';
import { NoContentResponse, type Response } from '../response/response.js';

/** An add-on: a function that extends the application through its public API (`app.use(addOn)`). */
export interface AddOn {
  /** Installs the add-on on `app`. */
  (app: Application): void;
}

/** Options of {@link Application}; each setting is also a typed property. */
export interface ApplicationOptions extends SettingsOptions {
  /** Controller classes (instantiated with no arguments) or instances. */
  controllers?: Controller[];
  /** Add-ons to install (the same as calling `app.use()`; order does not matter). */
  addOns?: AddOn[];
  /** Extra route filters: name → regex or `{ regex, convert }`. */
  filters?: Record<string, string | RegExp | RouteFilter>;
}

function toMethods(methods: Methods | undefined, fallback: readonly string[]): string[] {
  if (methods === undefined) return [...fallback];
  const list = typeof methods === 'string' ? [methods] : [...methods];
  if (list.length === 0) throw new TypeError('at least one HTTP method is required');
  const upper = list.map((method) => method.toUpperCase());
  return upper.includes('*') ? ['*'] : upper;
}

/** Every method the server itself implements, for `OPTIONS *`. */
const SERVER_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * A Poor application: routes, handlers, hooks and options, usable as a Node request
 * listener (`app.handler`) or with its own server (`app.listen()`).
 *
 * @example
 * const app = new Application('hello', { controllers: [Hello] });
 * await app.listen(8080);
 */
export class Application extends Settings {
  /** The application's name (need not be unique). */
  readonly name: string;
  /** The URI router (routes and filters). */
  readonly router = new Router();
  /** The bound Node request listener: `http.createServer(app.handler)`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The bound `'upgrade'` / `'connect'` listener; {@link Application.attach} installs it. */
  readonly socketHandler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  /** @internal */
  readonly [kTables] = new HandlerTables();
  /** @internal */
  readonly [kLifecycle] = new Lifecycle();
  /** @internal */
  readonly [kProtocols] = new Map<string, UpgradeProtocol>();
  #pending: BoundController[] = [];
  #kinds = new Map<string, (item: MemberRegistration) => void>();
  #onReady: Array<(app: this) => unknown> = [];
  #compiled = false;
  #compileError: unknown;
  #ready: Promise<this> | undefined;
  #profiler: Profiler | undefined;

  constructor(name = 'poor', options: ApplicationOptions = {}) {
    super(options);
    this.name = name;
    this.handler = (req, res) => {
      if (!this.#compiled && !this.#startedOrRefused(res)) return;
      const profiler = this.#profiler;
      if (profiler) profiler.wrap(req, res, () => handleRequest(this, req, res));
      else handleRequest(this, req, res);
    };
    this.socketHandler = (req, socket, head) => {
      if (!this.#compiled && !this.#startedOrRefused(undefined)) return void socket.destroy();
      handleSocket(this, req, socket, head);
    };
    const profile = envText(process.env.poor_Profile);
    if (profile) this.setProfile(profile);
    for (const [filterName, filter] of Object.entries(options.filters ?? {})) {
      if (typeof filter === 'string' || filter instanceof RegExp) this.setFilter(filterName, filter);
      else this.setFilter(filterName, filter.regex, filter.convert);
    }
    for (const addOn of options.addOns ?? []) this.use(addOn);
    for (const controller of options.controllers ?? []) this.register(controller);
  }

  // ── registration ──────────────────────────────────────────────────────────

  /** Adds a controller class (instantiated with no arguments) or instance; its routes are resolved at `ready()`. */
  register(controller: Controller): this {
    const bound = bindController(controller, this[kTables]);
    if (this.#compiled) compileController(bound, this, this[kTables], this.#kinds);
    else this.#pending.push(bound);
    return this;
  }

  /** For add-ons: what a custom decorator kind (e.g. `websocket`) means. */
  registerMemberKind(kind: string, register: (item: MemberRegistration) => void): this {
    this.#kinds.set(kind, register);
    return this;
  }

  /** Installs an add-on. */
  use(addOn: AddOn): this {
    addOn(this);
    return this;
  }

  /**
   * Registers a route handler; methods default to GET (HEAD implied). The third argument is
   * the methods, or `{ methods, before }` with before hooks of this route only.
   */
  route<P extends string, F extends Handler<P>>(
    pattern: P & CheckPattern<P>,
    handler: F & CheckReturn<F>,
    methods?: Methods | RouteOptions,
  ): this {
    const options: RouteOptions = isRouteOptions(methods) ? methods : { methods };
    this.router.add(pattern, toMethods(options.methods, ['GET']), this.#guarded(handler as RouteFunction, options));
    return this;
  }

  #guarded(handler: RouteFunction, options: RouteOptions): RouteFunction {
    return options.before?.length ? this[kTables].guard(handler, options.before) : handler;
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

  /**
   * For add-ons: takes upgrade requests of a protocol (the `Upgrade` token, e.g. `websocket`).
   * They are routed and hooked like any request; `protocol.accept` completes the handshake.
   */
  addProtocol(token: string, protocol: UpgradeProtocol): this {
    this[kProtocols].set(token.toLowerCase(), protocol);
    const server = this.server;
    if (server) this[kLifecycle].attach(this, server);
    return this;
  }

  /** For add-ons: registers the handler of `pattern` for upgrade requests of a protocol (`before`: its own hooks). */
  upgrade(token: string, pattern: string, handler: RouteFunction, options: Pick<RouteOptions, 'before'> = {}): this {
    this.router.addUpgrade(pattern, token, this.#guarded(handler, options));
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

  /** Adds an app-wide before hook: it runs for every request (a function may be added once). */
  before(hook: BeforeHook): this {
    this[kTables].addHook(this[kTables].app.before, hook, 'before');
    return this;
  }

  /** Adds an app-wide after hook: it runs on every response (a function may be added once). */
  after(hook: AfterHook): this {
    this[kTables].addHook(this[kTables].app.after, hook, 'after');
    return this;
  }

  /** Removes a before hook, app-wide or a controller's (`app.popBefore(Admin.prototype.guard)`). */
  popBefore(hook: BeforeHook): this {
    if (!this[kTables].removeHook('before', hook)) throw new TypeError(`before hook ${nameOf(hook)} is not registered`);
    return this;
  }

  /** Removes an after hook, app-wide or a controller's. */
  popAfter(hook: AfterHook): this {
    if (!this[kTables].removeHook('after', hook)) throw new TypeError(`after hook ${nameOf(hook)} is not registered`);
    return this;
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

  /** For add-ons: awaited once by `ready()`, after the controllers are compiled (e.g. to read the routes). */
  onReady(callback: (app: this) => unknown): this {
    this.#onReady.push(callback);
    return this;
  }

  /** For add-ons: called with the server `listen()` creates. */
  onListen(callback: (server: Server) => void): this {
    this[kLifecycle].onListen(callback);
    return this;
  }

  /** For add-ons: awaited by `close()` after the server stops accepting connections. */
  onClose(callback: () => unknown): this {
    this[kLifecycle].onClose(callback);
    return this;
  }

  /**
   * For add-ons: the response the application gives for `error` raised while serving `req`
   * (status handlers, exception-class handlers, built-in pages), as for any request.
   */
  async errorResponse(req: Request, error: unknown): Promise<Response> {
    return handleError(req, error);
  }

  /** Profiles each request with `node:inspector` into `.cpuprofile` files in `dir`. */
  setProfile(dir: string): this {
    this.#profiler = new Profiler(dir, this.logger);
    return this;
  }

  /** Stops per-request profiling. */
  delProfile(): this {
    this.#profiler = undefined;
    return this;
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

  /** App-wide before hooks in order (controllers' own hooks are listed on the debug page). */
  get beforeHooks(): readonly BeforeHook[] {
    return this[kTables].app.before;
  }

  /** App-wide after hooks in order. */
  get afterHooks(): readonly AfterHook[] {
    return this[kTables].app.after;
  }

  /** Fallbacks in order. */
  get fallbacks(): readonly Fallback[] {
    return this[kTables].fallbacks;
  }

  /** The server started by `listen()`, if any. */
  get server(): Server | undefined {
    return this[kLifecycle].server;
  }

  /** Does any add-on take upgrade requests? */
  get takesUpgrades(): boolean {
    return this[kProtocols].size > 0;
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────

  /**
   * For a server that skipped `ready()`: compiles on the first request. A registration mistake
   * is then logged once and every request is a plain 500 (the process never crashes on it).
   */
  #startedOrRefused(res: ServerResponse | undefined): boolean {
    try {
      this.#compile();
      return true;
    } catch {
      if (res && !res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The application failed to start.\n');
      }
      return false;
    }
  }

  /** Resolves the controllers' members (routes, handlers, add-on kinds) and the built-in routes, once. */
  #compile(): void {
    if (this.#compileError !== undefined) throw this.#compileError;
    if (this.#compiled) return;
    try {
      this.#compileOnce();
    } catch (error) {
      this.#compileError = error;
      this.logger.error({ err: error }, `Poor: application ${this.name} cannot start`);
      throw error;
    }
    this.#compiled = true;
  }

  #compileOnce(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const bound of pending) compileController(bound, this, this[kTables], this.#kinds);
    if (this.debug && !this.router.get('/debug-info')?.handlers.has('GET')) {
      this.route('/debug-info', (req) => debugInfoPage(req, this));
    }
    if (!this.router.get('*')?.handlers.has('OPTIONS')) {
      this.router.add('*', ['OPTIONS'], () => new NoContentResponse({ headers: { Allow: SERVER_METHODS } }));
    }
  }

  /**
   * Gets the application ready, once: compiles the controllers, loads `@poor/static` when the
   * `documentRoot` option is set, runs the add-ons' `onReady` callbacks. `listen()` and
   * `inject()` call it; call it yourself when you use `app.handler` with your own server.
   */
  ready(): Promise<this> {
    this.#ready ??= this.#prepare();
    return this.#ready;
  }

  async #prepare(): Promise<this> {
    if (this.documentRoot) await this.#loadStatic(this.documentRoot);
    this.#compile();
    for (const callback of this.#onReady) await callback(this);
    return this;
  }

  async #loadStatic(dir: string): Promise<void> {
    const name = '@poor/static';
    let module: { documentRoot?: (dir: string, options: { index: boolean }) => AddOn };
    try {
      module = (await import(name)) as typeof module;
    } catch (error) {
      throw new Error(
        `documentRoot is set (${dir}) but @poor/static is not installed: run "npm install @poor/static"`,
        {
          cause: error,
        },
      );
    }
    if (typeof module.documentRoot !== 'function') throw new Error('@poor/static does not export documentRoot()');
    this.use(module.documentRoot(dir, { index: this.documentIndex }));
  }

  /** Routes a server's upgrade and CONNECT requests through the application (`listen()` does it). */
  attach(server: Server): this {
    this[kLifecycle].attach(this, server);
    return this;
  }

  /** Starts an HTTP server; resolves with its address. */
  async listen(portOrOptions: number | ListenOptions = 8080, host = '127.0.0.1'): Promise<AddressInfo> {
    const options = typeof portOrOptions === 'number' ? { port: portOrOptions, host } : portOrOptions;
    await this.ready();
    return this[kLifecycle].listen(this, options);
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (up to `closeTimeout`
   * milliseconds), closes idle keep-alive connections and add-on resources, then resolves.
   */
  close(): Promise<void> {
    return this[kLifecycle].close(this.closeTimeout);
  }

  /** Sends a request through the application without a network socket (for tests). */
  async inject(options: InjectOptions | string): Promise<InjectResponse> {
    await this.ready();
    return injectRequest(this.handler, typeof options === 'string' ? { url: options } : options);
  }
}

function isRouteOptions(value: Methods | RouteOptions | undefined): value is RouteOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addTo<K, H>(table: Map<K, Map<string, H>>, key: K, methods: readonly string[], handler: H): void {
  const handlers = table.get(key) ?? new Map<string, H>();
  for (const method of methods) handlers.set(method, handler);
  table.set(key, handlers);
}

export type { ListenOptions, MemberRegistration };
