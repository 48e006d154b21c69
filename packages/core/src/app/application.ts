import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Controller } from '../decorators/decorators.js';
import { kLifecycle, kProtocols, kRequires, kSessions, kTables } from '../http/symbols.js';
import { nameOf } from '../http/util.js';
import { PRE_PHASES } from '../lifecycle/phases.js';
import { handleRequest, handleSocket } from '../lifecycle/pipeline.js';
import { NoContentResponse } from '../response/response.js';
import type { UpgradeProtocol } from '../routing/handlers.js';
import type { RouteFilter } from '../routing/filters.js';
import type { SessionOpener } from '../request/session-types.js';
import { debugEnabled, envText, type Settings, type SettingsOptions } from '../settings/settings.js';
import { bindController, compileController, type BoundController, type MemberRegistration } from './controllers.js';
import { debugInfoPage } from './debug-info.js';
import { injectRequest, type InjectOptions, type InjectResponse } from './inject.js';
import { Profiler } from './profile.js';
import { Registry } from './registry.js';
import { Lifecycle, type ListenOptions } from './server.js';

/** An add-on: a function that extends the application through its public API (`app.use(addOn)`). */
export interface AddOn {
  /** Installs the add-on on `app`. */
  (app: Application): void;
}

/** Options of {@link Application}; each setting is also a typed property. */
export interface ApplicationOptions extends SettingsOptions {
  /** Controller classes (instantiated with no arguments) or instances. */
  controllers?: Controller[] | undefined;
  /** Add-ons to install (the same as calling `app.use()`; order does not matter). */
  addOns?: AddOn[] | undefined;
  /** Extra route filters: name → regex or `{ regex, convert }`. */
  filters?: Record<string, string | RegExp | RouteFilter> | undefined;
}

/** A hook that checks the settings it needs at start-up (digest(): the secret key). */
type Demanding = ((...args: never[]) => unknown) & { [kRequires]?: (settings: Settings) => string | undefined };

/** What the hooks of the app's routes and of the whole app need and the settings lack, one line each. */
function unmetRequirements(app: Application): string[] {
  const tables = app[kTables];
  const found: string[] = [];
  const check = (hooks: readonly unknown[], where: string): void => {
    for (const hook of hooks as Demanding[]) {
      const lack = hook[kRequires]?.(app);
      if (lack !== undefined) found.push(`${nameOf(hook)} ${where} needs ${lack}`);
    }
  };
  for (const phase of PRE_PHASES) check(tables.app[phase], '(app-wide)');
  for (const entry of app.router.entries) {
    for (const handler of [...entry.handlers.values(), ...entry.upgrades.values()]) {
      const scope = tables.scopeOf(handler);
      for (const phase of PRE_PHASES) {
        check([...(scope?.parent?.[phase] ?? []), ...(scope?.[phase] ?? [])], `on ${entry.pattern}`);
      }
    }
  }
  return found;
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
export class Application extends Registry {
  /** The application's name (need not be unique). */
  readonly name: string;
  /** The bound Node request listener: `http.createServer(app.handler)`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The bound `'upgrade'` / `'connect'` listener; {@link Application.attach} installs it. */
  readonly socketHandler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  /** @internal */
  readonly [kLifecycle] = new Lifecycle();
  /** @internal Opens `req.session` (set by the sessions() add-on). */
  [kSessions]: SessionOpener | undefined = undefined;
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
   * For add-ons: takes upgrade requests of a protocol (the `Upgrade` token, e.g. `websocket`).
   * They are routed and hooked like any request; `protocol.accept` completes the handshake.
   */
  addProtocol(token: string, protocol: UpgradeProtocol): this {
    this[kProtocols].set(token.toLowerCase(), protocol);
    const server = this.server;
    if (server) this[kLifecycle].attach(this, server);
    return this;
  }

  /** The server started by `listen()`, if any. */
  get server(): Server | undefined {
    return this[kLifecycle].server;
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
    const problem = this.authMap?.problems()[0];
    if (problem !== undefined) throw new TypeError(`authMap: ${problem}`);
    const missing = unmetRequirements(this)[0];
    if (missing !== undefined) throw new TypeError(missing);
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
    if (debugEnabled(this.logger)) this.logger.debug?.(`Poor: ${this.name} serves ${this.routes().join(', ')}`);
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

export type { ListenOptions, MemberRegistration };
