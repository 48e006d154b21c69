import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { Writable } from 'node:stream';
import { readControllerMetadata, type Controller } from './decorators.js';
import { settleRemovals } from './form.js';
import type { HTTPExceptionExtra } from './http-error.js';
import { injectRequest, type InjectOptions, type InjectResponse } from './inject.js';
import { handleError, handleRequest } from './internal/pipeline.js';
import { Profiler } from './internal/profile.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import type { RouteParams } from './route-params.js';
import { Router, type FilterConverter, type RouteFilter, type RouteFunction } from './router.js';

/** Console-compatible logger (console, pino, …). */
export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

/** Request body limits in bytes (or counts). */
export interface Limits {
  /** Whole body read into memory (JSON, `req.body()`), default 1 MiB. */
  body: number;
  /** One uploaded file, default 200 MiB. */
  fileSize: number;
  /** Number of uploaded files, default 100. */
  files: number;
  /** Number of form fields, default 1000. */
  fields: number;
  /** Total size of form field values, default 20 MiB. */
  fieldsSize: number;
}

/** What a custom upload storage receives for each file. */
export interface UploadInfo {
  /** Form field name. */
  fieldName: string;
  /** File name sent by the client. */
  filename: string;
  /** MIME type sent by the client. */
  type: string;
}

/** Returns the `Writable` an uploaded file is streamed into (custom storage). */
export type FileCallback = (file: UploadInfo) => Writable;

/** A route handler: the request, then the route parameters in pattern order. */
export type Handler<P extends string = string> = (req: Request, ...params: RouteParams<P>) => unknown;
/** Handles a status: `(req, extra)`. */
export type StatusHandler = (req: Request, extra: HTTPExceptionExtra) => unknown;
/** Handles an exception class: `(req, error)`. */
export type ClassHandler<E = unknown> = (req: Request, error: E) => unknown;
/** Runs before every handler; returning a value (not null/undefined) answers immediately. */
export type BeforeHook = (req: Request) => unknown;
/** Runs on every response and returns the response to send. */
export type AfterHook = (req: Request, response: Response) => unknown;
/** Serves what no route matched (static files); `undefined` passes on. */
export type Fallback = (req: Request) => unknown;
/** An add-on: a function that extends the application through its public API. */
export type AddOn = (app: Application) => void;
/** HTTP methods: one, a list, or `'*'` for all. */
export type Methods = string | readonly string[];
/** An exception class. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Options of {@link Application}; each is also a typed property. */
export interface ApplicationOptions {
  /** Controller classes (instantiated with no arguments) or instances. */
  controllers?: Controller[];
  /** Add-ons installed before the controllers (so their decorators, e.g. `@websocket`, are known). */
  addOns?: AddOn[];
  /** Extra route filters, added before the controllers: name → regex or `{ regex, convert }`. */
  filters?: Record<string, string | RegExp | RouteFilter>;
  /** Debug pages (stack traces, `/debug-info`); never on by itself. */
  debug?: boolean;
  /** Secret for sessions and digest nonces. */
  secretKey?: string;
  /** Folder served by `@poor/static` (loaded on demand). */
  documentRoot?: string;
  /** Directory listings for `documentRoot`. */
  documentIndex?: boolean;
  /** Parse the query into `req.args` (default true). */
  autoArgs?: boolean;
  /** Parse form bodies before the handler (default true). */
  autoForm?: boolean;
  /** Parse JSON bodies before the handler (default true). */
  autoJson?: boolean;
  /** Parse the Cookie header into `req.cookies` (default true). */
  autoCookies?: boolean;
  /** Keep empty query/form values (default false). */
  keepBlankValues?: boolean;
  /** Malformed query/form pairs answer 400 (default false). */
  strictParsing?: boolean;
  /** MIME types parsed as forms. */
  formMimeTypes?: string[];
  /** MIME types parsed as JSON. */
  jsonMimeTypes?: string[];
  /** Body limits. */
  limits?: Partial<Limits>;
  /** Folder for uploaded files (default the OS temp dir). */
  uploadDir?: string;
  /** Custom storage for uploaded files. */
  fileCallback?: FileCallback;
  /** `X-Powered-By` value, or false for none (default `Poor`). */
  poweredBy?: string | false;
  /** Logger, or false to log nothing (default console). */
  logger?: Logger | false;
  /** Milliseconds `close()` waits for in-flight requests (default 10 000). */
  closeTimeout?: number;
}

/** Options of {@link Application.listen}. */
export interface ListenOptions {
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Host (default 127.0.0.1). */
  host?: string;
  /** Close gracefully on SIGINT and SIGTERM. */
  signals?: boolean;
  /** Milliseconds a client has to send a whole request (Node's `requestTimeout`, default 300 000); 408 after. */
  requestTimeout?: number;
  /** Milliseconds a client has to send the headers (Node's `headersTimeout`, default 60 000). */
  headersTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (Node's default 5 000). */
  keepAliveTimeout?: number;
}

const SILENT: Logger = { error() {}, warn() {}, info() {}, debug() {} };

function envFlag(value: string | undefined): boolean | undefined {
  return value === undefined || value === '' ? undefined : value.toLowerCase() === 'on';
}

function envText(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function toMethods(methods: Methods | undefined, fallback: readonly string[]): string[] {
  if (methods === undefined) return [...fallback];
  const list = typeof methods === 'string' ? [methods] : [...methods];
  if (list.length === 0) throw new TypeError('at least one HTTP method is required');
  return list.map((method) => method.toUpperCase());
}

function nameOf(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

const ALL_METHODS = ['*'];

/**
 * A Poor application: routes, handlers, hooks and options, usable as a Node request
 * listener (`app.handler`) or with its own server (`app.listen()`).
 *
 * @example
 * const app = new Application('hello', { controllers: [Hello] });
 * await app.listen(8080);
 */
export class Application {
  /** The application's name (need not be unique). */
  readonly name: string;
  /** The URI router (routes and filters). */
  readonly router = new Router();
  /** Debug pages on/off. */
  debug: boolean;
  /** Secret key for sessions and digest nonces. */
  secretKey: string | undefined;
  /** Static document root (served by `@poor/static`). */
  documentRoot: string | undefined;
  /** Directory listings on/off. */
  documentIndex: boolean;
  /** See {@link ApplicationOptions.autoArgs}. */
  autoArgs: boolean;
  /** See {@link ApplicationOptions.autoForm}. */
  autoForm: boolean;
  /** See {@link ApplicationOptions.autoJson}. */
  autoJson: boolean;
  /** See {@link ApplicationOptions.autoCookies}. */
  autoCookies: boolean;
  /** See {@link ApplicationOptions.keepBlankValues}. */
  keepBlankValues: boolean;
  /** See {@link ApplicationOptions.strictParsing}. */
  strictParsing: boolean;
  /** MIME types parsed as forms. */
  formMimeTypes: string[];
  /** MIME types parsed as JSON. */
  jsonMimeTypes: string[];
  /** Body limits. */
  limits: Limits;
  /** Folder for uploaded files. */
  uploadDir: string;
  /** Custom upload storage. */
  fileCallback: FileCallback | undefined;
  /** `X-Powered-By` value or false. */
  poweredBy: string | false;
  /** The logger in use. */
  logger: Logger;
  /** Milliseconds `close()` waits for in-flight requests. */
  closeTimeout: number;
  /** The bound Node request listener: `http.createServer(app.handler)`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;

  #before: BeforeHook[] = [];
  #after: AfterHook[] = [];
  #fallbacks: Fallback[] = [];
  #defaults = new Map<string, RouteFunction>();
  #status = new Map<number, Map<string, StatusHandler>>();
  #classes = new Map<ErrorClass, Map<string, ClassHandler>>();
  #onListen: Array<(server: Server) => void> = [];
  #onClose: Array<() => unknown> = [];
  #server: Server | undefined;
  #ready: Promise<this> | undefined;
  #profiler: Profiler | undefined;
  #memberHandlers = new Map<string, (item: MemberRegistration) => void>();

  constructor(name = 'poor', options: ApplicationOptions = {}) {
    const env = process.env;
    this.name = name;
    this.debug = options.debug ?? envFlag(env.poor_Debug) ?? false;
    this.secretKey = options.secretKey ?? envText(env.poor_SecretKey);
    this.documentRoot = options.documentRoot ?? envText(env.poor_DocumentRoot);
    this.documentIndex = options.documentIndex ?? envFlag(env.poor_DocumentIndex) ?? false;
    this.autoArgs = options.autoArgs ?? true;
    this.autoForm = options.autoForm ?? true;
    this.autoJson = options.autoJson ?? true;
    this.autoCookies = options.autoCookies ?? true;
    this.keepBlankValues = options.keepBlankValues ?? false;
    this.strictParsing = options.strictParsing ?? false;
    this.formMimeTypes = options.formMimeTypes ?? ['application/x-www-form-urlencoded', 'multipart/form-data'];
    this.jsonMimeTypes = options.jsonMimeTypes ?? ['application/json', 'application/merge-patch+json'];
    this.limits = {
      body: 1_048_576,
      fileSize: 200 * 2 ** 20,
      files: 100,
      fields: 1000,
      fieldsSize: 20 * 2 ** 20,
      ...options.limits,
    };
    this.uploadDir = options.uploadDir ?? tmpdir();
    this.fileCallback = options.fileCallback;
    this.poweredBy = options.poweredBy ?? 'Poor';
    this.logger = options.logger === false ? SILENT : (options.logger ?? console);
    this.closeTimeout = options.closeTimeout ?? 10_000;
    this.handler = (req, res) => this.#handle(req, res);
    const profile = envText(env.poor_Profile);
    if (profile) this.setProfile(profile);
    for (const [filterName, filter] of Object.entries(options.filters ?? {})) {
      if (typeof filter === 'string' || filter instanceof RegExp) this.setFilter(filterName, filter);
      else this.setFilter(filterName, filter.regex, filter.convert);
    }
    for (const addOn of options.addOns ?? []) this.use(addOn);
    for (const controller of options.controllers ?? []) this.register(controller);
  }

  /** Every `app_*` environment variable, prefix removed and name lower-cased. */
  static getOptions(): Record<string, string> {
    const result = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(process.env)) {
      if (key.slice(0, 4).toLowerCase() === 'app_' && value !== undefined)
        result[key.slice(4).toLowerCase()] = value.trim();
    }
    return result;
  }

  /** Same as the static {@link Application.getOptions}. */
  getOptions(): Record<string, string> {
    return Application.getOptions();
  }

  // ── registration ──────────────────────────────────────────────────────────

  /** Adds a controller class (instantiated with no arguments) or instance. */
  register(controller: Controller): this {
    const instance = typeof controller === 'function' ? new (controller as new () => object)() : controller;
    const metadata = readControllerMetadata(instance.constructor as new () => object);
    const source = instance as Record<string | symbol, unknown>;
    for (const item of metadata.members) {
      const method = source[item.key];
      if (typeof method !== 'function') {
        throw new TypeError(`${metadata.name}.${String(item.key)} is decorated but is not a method`);
      }
      const bound = method.bind(instance) as RouteFunction;
      Object.defineProperty(bound, 'name', { value: `${metadata.name}.${String(item.key)}` });
      switch (item.kind) {
        case 'route':
          this.route(metadata.prefix + item.path, bound as Handler, item.methods);
          break;
        case 'error':
          this.errorHandler(item.target as number, bound as StatusHandler, item.methods);
          break;
        case 'before':
          this.before(bound as BeforeHook);
          break;
        case 'after':
          this.after(bound as AfterHook);
          break;
        case 'default':
          this.defaultHandler(bound as Handler, item.methods);
          break;
        default:
          this.#extra(item.kind, {
            pattern: metadata.prefix + item.path,
            handler: bound,
            methods: item.methods,
            options: item.options,
          });
      }
    }
    return this;
  }

  /** For add-ons: registers what a custom decorator kind (e.g. `websocket`) means. */
  registerMemberKind(kind: string, register: (item: MemberRegistration) => void): void {
    this.#memberHandlers.set(kind, register);
  }

  #extra(kind: string, item: MemberRegistration): void {
    const register = this.#memberHandlers.get(kind);
    if (!register) throw new TypeError(`no add-on handles '@${kind}' members; install it with app.use(...) first`);
    register(item);
  }

  /** Installs an add-on. */
  use(addOn: AddOn): this {
    addOn(this);
    return this;
  }

  /** Registers a route handler; methods default to GET (HEAD implied). */
  route<P extends string>(pattern: P, handler: Handler<P>, methods?: Methods): this {
    const list = toMethods(methods, ['GET']);
    this.router.add(pattern, list.includes('*') ? ALL_METHODS : list, handler as RouteFunction);
    return this;
  }

  /** Removes a route for one method or all; returns whether something was removed. */
  popRoute(pattern: string, method?: string): boolean {
    return this.router.remove(pattern, method?.toUpperCase());
  }

  /** Adds a route filter usable as `<name:filter>`. */
  setFilter(name: string, regex: string | RegExp, convert?: FilterConverter): this {
    this.router.setFilter(name, regex, convert);
    return this;
  }

  /** Registers a handler for a status code or an exception class (nearest class wins). */
  errorHandler(target: number, handler: StatusHandler, methods?: Methods): this;
  errorHandler<E>(target: abstract new (...args: never[]) => E, handler: ClassHandler<E>, methods?: Methods): this;
  errorHandler(target: number | ErrorClass, handler: StatusHandler | ClassHandler<never>, methods?: Methods): this {
    const list = toMethods(methods, ALL_METHODS);
    if (typeof target === 'number') {
      if (!Number.isInteger(target) || target < 100 || target > 999) throw new TypeError(`invalid status ${target}`);
      const table = this.#status.get(target) ?? new Map<string, StatusHandler>();
      for (const method of list) table.set(method, handler as StatusHandler);
      this.#status.set(target, table);
    } else if (typeof target === 'function') {
      const table = this.#classes.get(target) ?? new Map<string, ClassHandler>();
      for (const method of list) table.set(method, handler as ClassHandler);
      this.#classes.set(target, table);
    } else {
      throw new TypeError('errorHandler needs a status code or an exception class');
    }
    return this;
  }

  /** Removes an error handler for one method or all. */
  popErrorHandler(target: number | ErrorClass, method?: string): boolean {
    const table = typeof target === 'number' ? this.#status.get(target) : this.#classes.get(target);
    if (!table) return false;
    if (method === undefined) table.clear();
    else table.delete(method.toUpperCase());
    return true;
  }

  /** Adds a before hook (a function may be added once). */
  before(hook: BeforeHook): this {
    if (this.#before.includes(hook)) throw new TypeError(`before hook ${nameOf(hook)} is already registered`);
    this.#before.push(hook);
    return this;
  }

  /** Adds an after hook (a function may be added once). */
  after(hook: AfterHook): this {
    if (this.#after.includes(hook)) throw new TypeError(`after hook ${nameOf(hook)} is already registered`);
    this.#after.push(hook);
    return this;
  }

  /** Removes a before hook. */
  popBefore(hook: BeforeHook): this {
    const index = this.#before.indexOf(hook);
    if (index === -1) throw new TypeError(`before hook ${nameOf(hook)} is not registered`);
    this.#before.splice(index, 1);
    return this;
  }

  /** Removes an after hook. */
  popAfter(hook: AfterHook): this {
    const index = this.#after.indexOf(hook);
    if (index === -1) throw new TypeError(`after hook ${nameOf(hook)} is not registered`);
    this.#after.splice(index, 1);
    return this;
  }

  /** Registers the handler for requests no route matched (default GET). */
  defaultHandler(handler: Handler, methods?: Methods): this {
    for (const method of toMethods(methods, ['GET'])) {
      this.#defaults.set(method, handler as RouteFunction);
      if (method !== '*') this.router.addMethod(method);
    }
    return this;
  }

  /** Removes the default handler for one method or all. */
  popDefaultHandler(method?: string): boolean {
    if (method === undefined) {
      const had = this.#defaults.size > 0;
      this.#defaults.clear();
      return had;
    }
    return this.#defaults.delete(method.toUpperCase());
  }

  /** For add-ons: serves requests no route matched, before the default handler. */
  addFallback(fallback: Fallback): this {
    this.#fallbacks.push(fallback);
    return this;
  }

  /** For add-ons: called with the server `listen()` creates (e.g. to handle upgrades). */
  onListen(callback: (server: Server) => void): this {
    this.#onListen.push(callback);
    if (this.#server) callback(this.#server);
    return this;
  }

  /** For add-ons: awaited by `close()` after the server stops accepting connections. */
  onClose(callback: () => unknown): this {
    this.#onClose.push(callback);
    return this;
  }

  /**
   * For add-ons: the response the application gives for `error` raised while serving `req`
   * (status handlers, exception-class handlers, built-in pages), as for any request.
   */
  async errorResponse(req: Request, error: unknown): Promise<Response> {
    return handleError(this, req, error);
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
    return this.#defaults;
  }

  /** Status handlers: status → method → handler. */
  get statusHandlers(): ReadonlyMap<number, ReadonlyMap<string, StatusHandler>> {
    return this.#status;
  }

  /** Exception class handlers: class → method → handler. */
  get classHandlers(): ReadonlyMap<ErrorClass, ReadonlyMap<string, ClassHandler>> {
    return this.#classes;
  }

  /** Before hooks in order. */
  get beforeHooks(): readonly BeforeHook[] {
    return this.#before;
  }

  /** After hooks in order. */
  get afterHooks(): readonly AfterHook[] {
    return this.#after;
  }

  /** The server started by `listen()`, if any. */
  get server(): Server | undefined {
    return this.#server;
  }

  /** Fallbacks in order. */
  get fallbacks(): readonly Fallback[] {
    return this.#fallbacks;
  }

  // ── serving ───────────────────────────────────────────────────────────────

  #handle(raw: IncomingMessage, res: ServerResponse): void {
    const profiler = this.#profiler;
    if (profiler) profiler.wrap(raw, res, () => handleRequest(this, raw, res));
    else handleRequest(this, raw, res);
  }

  /**
   * Finishes asynchronous set-up (once): when the `documentRoot` option is set,
   * loads `@poor/static` on demand (failing with a clear message when it is not installed).
   * `listen()` calls it; call it yourself when you use `app.handler` with your own server.
   */
  ready(): Promise<this> {
    this.#ready ??= this.#loadStatic();
    return this.#ready;
  }

  async #loadStatic(): Promise<this> {
    if (this.documentRoot) {
      const name = '@poor/static';
      let module: { documentRoot?: (dir: string, options: { index: boolean }) => AddOn };
      try {
        module = (await import(name)) as typeof module;
      } catch (error) {
        throw new Error(
          `documentRoot is set (${this.documentRoot}) but @poor/static is not installed: run "npm install @poor/static"`,
          { cause: error },
        );
      }
      if (typeof module.documentRoot !== 'function') throw new Error('@poor/static does not export documentRoot()');
      this.use(module.documentRoot(this.documentRoot, { index: this.documentIndex }));
    }
    return this;
  }

  /** Starts an HTTP server; resolves with its address. */
  async listen(portOrOptions: number | ListenOptions = 8080, host = '127.0.0.1'): Promise<AddressInfo> {
    const options = typeof portOrOptions === 'number' ? { port: portOrOptions, host } : portOrOptions;
    if (this.#server) throw new Error(`application ${this.name} is already listening`);
    await this.ready();
    const server = createServer(
      {
        ...(options.requestTimeout !== undefined && {
          requestTimeout: options.requestTimeout,
          // Node checks the timeouts this often (30 s by default): keep it below the timeout.
          connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(options.requestTimeout / 4))),
        }),
        ...(options.headersTimeout !== undefined && {
          headersTimeout: Math.min(options.headersTimeout, options.requestTimeout ?? Infinity),
        }),
        ...(options.keepAliveTimeout !== undefined && { keepAliveTimeout: options.keepAliveTimeout }),
      },
      this.handler,
    );
    if (options.requestTimeout !== undefined && options.headersTimeout === undefined) {
      server.headersTimeout = Math.min(server.headersTimeout, options.requestTimeout);
    }
    this.#server = server;
    for (const callback of this.#onListen) callback(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (options.signals) {
      const stop = (): void => {
        this.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    return server.address() as AddressInfo;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (up to `closeTimeout`
   * milliseconds), closes idle keep-alive connections and add-on resources, then resolves.
   */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    server?.closeIdleConnections();
    for (const callback of this.#onClose) await callback();
    if (!server) return;
    // Connections that finish their last request become idle: keep closing them until done.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, this.closeTimeout);
    });
    await Promise.race([closed, timeout]);
    clearInterval(sweep);
    clearTimeout(timer);
    await closed;
    await settleRemovals(); // a process that exits next keeps no temporary upload
  }

  /** Sends a request through the application without a network socket (for tests). */
  async inject(options: InjectOptions | string): Promise<InjectResponse> {
    await this.ready();
    return injectRequest(this.handler, typeof options === 'string' ? { url: options } : options);
  }
}

/** What an add-on receives for a member decorated with its own decorator kind. */
export interface MemberRegistration {
  /** Route pattern, controller prefix included. */
  pattern: string;
  /** The bound method. */
  handler: RouteFunction;
  /** Methods given to the decorator. */
  methods: Methods | undefined;
  /** Decorator options. */
  options: unknown;
}
