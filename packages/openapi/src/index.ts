// @poor/openapi: requests (and, opt-in, responses) validated against an OpenAPI 3.0 or 3.1
// document. The document is loaded and every operation compiled once, when the app gets
// ready; a request finds its operation through the route the app's own router matched
// (`req.uriRule`), so there is no second router and no cache keyed by URL.
import {
  Declined,
  FileResponse,
  GeneratorResponse,
  JSONGeneratorResponse,
  ProblemResponse,
  StreamResponse,
  HTTPException,
  type AddOn,
  type Application,
  type Methods,
  type Request,
  type Response,
  type RouteFunction,
  type RouteOptions,
  type RouteParams,
} from '@poor/core';
import type { Format } from 'ajv';
import {
  defaultStatus,
  generatedBase,
  mergeOperations,
  withGuardSecurity,
  withSchemes,
  type CodeOperation,
} from './code-first.js';
import type { ApiRequest, OperationReturn, OperationSpec } from './schema-types.js';
import { compileDocument, type CompiledDocument, type Operation } from './compile.js';
import { serveDocsPage } from './docs-page.js';
import { isObject, loadDocument, SpecError, type Json } from './document.js';
import {
  checkSecurity,
  emptyApi,
  failure,
  readBody,
  readParameters,
  type ApiData,
  type SecurityVerifier,
  type ValidationIssue,
} from './request.js';
import { checkResponse } from './response.js';

export { SpecError, type Json } from './document.js';
export type {
  ApiRequest,
  BodyOf,
  BodySpec,
  FromJsonSchema,
  Infer,
  OperationArgs,
  OperationDecorator,
  OperationDecoratorFor,
  OperationReturn,
  OperationSpec,
  ResponseSpec,
  Schema,
  StandardJsonSchema,
  SuccessOf,
  TypedApi,
} from './schema-types.js';
export { operation } from './code-first.js';
export type { ApiData, SecurityVerifier, ValidationIssue } from './request.js';

/** Options of {@link openapi}. */
export interface OpenAPIOptions {
  /** Check responses too (status, content type, JSON and text bodies): logged, and a 500 in debug mode. Default false. */
  validateResponses?: boolean;
  /** Routes the document does not describe answer 404 (a method it does not describe, 405). Default false: they pass through. */
  strict?: boolean;
  /** Verifiers by security scheme name: a truthy result accepts the credential and lands in `api.security`. */
  security?: Record<string, SecurityVerifier>;
  /** Extra string formats for Ajv, by name. */
  formats?: Record<string, Format>;
  /** Serve the document (the hand-written one with the code-first operations merged in) as JSON at this path, e.g. `/openapi.json`. */
  documentPath?: string | undefined;
  /**
   * Serve an API docs page (Swagger UI, from the `swagger-ui-dist` package you install; its
   * files served by the app, no CDN) at this path, e.g. `/docs`. It shows the document at
   * `documentPath` (default: `<docsPath>/openapi.json`).
   */
  docsPath?: string | undefined;
  /** The generated document's `info` when there is no hand-written one (default: the app's name, version 0.0.0). */
  info?: { title?: string; version?: string; description?: string } | undefined;
  /** Security schemes the code-first operations name, for the document's `components.securitySchemes`. */
  securitySchemes?: Record<string, Json> | undefined;
}

/** The add-on returned by {@link openapi}: install it with `app.use()`. */
export interface OpenAPIAddOn extends AddOn {
  /** Loads and compiles the document (once; `app.ready()` does it): rejects with a SpecError naming the JSON pointer. */
  load(): Promise<void>;
  /** Milliseconds the compilation of every operation took (after `load()`). */
  readonly compileMillis: number;
  /** The document validated against (after `load()`): the hand-written one with the code-first operations. */
  readonly document: Json | undefined;
  /**
   * A route with its schemas (the function form of {@link operation}): registers the handler
   * and documents and validates it. `req.api` is typed from `spec`.
   */
  route<P extends string, const S extends OperationSpec>(
    pattern: P,
    spec: S,
    handler: (req: ApiRequest<S, P>, ...params: RouteParams<P>) => OperationReturn<S> | Promise<OperationReturn<S>>,
    options?: Methods | RouteOptions,
  ): this;
}

/** The types of `req.api`, for {@link apiOf}: each part is what that location holds. */
export interface ApiShape {
  path?: object;
  query?: object;
  headers?: object;
  cookies?: object;
  body?: unknown;
}

/** `req.api` typed: what {@link apiOf} returns. */
export type TypedApiData<T extends ApiShape> = Omit<ApiData, keyof ApiShape> & {
  [K in keyof ApiShape]-?: K extends keyof T ? T[K] : ApiData[K];
};

/**
 * The validated data of a request, typed as the caller says:
 * `apiOf<{ query: { limit: number } }>(req).query.limit`. Throws when the request was not
 * validated (its route is not in the document).
 */
export function apiOf<T extends ApiShape = ApiShape>(req: Request): TypedApiData<T> {
  if (operationOf(req) === undefined)
    throw new TypeError(`${req.method} ${req.uriRule ?? req.path} was not validated by @poor/openapi`);
  return req.api as TypedApiData<T>;
}

/**
 * The operation a request was validated against: kept on its `req.api` under a symbol (a
 * WeakMap keyed by every request would make each one an ephemeron for the collector).
 */
const kOperation = Symbol('poor.openapi.operation');

function operationOf(req: Request): Operation | undefined {
  const api = req.api as (ApiData & { [kOperation]?: Operation }) | undefined;
  return typeof api === 'object' && api !== null ? api[kOperation] : undefined;
}

/** Where a route pattern's operations are, and how its parameter names map to the document's. */
interface RouteOperations {
  byMethod: Map<string, Operation>;
  /** Document parameter name → route parameter name. */
  names: Array<[string, string]>;
}

/**
 * Installs OpenAPI validation: `app.use(openapi('openapi.json', { validateResponses: true }))`.
 * `source` is a file path (JSON or YAML; `$ref`s to other files are followed) or the document
 * as an object. A hook of phase `validation` (after every guard, on the parsed body) checks
 * security, parameters and the body of every request whose
 * route the document describes; failures are answered 401/400/415 with RFC 9457 problem
 * details whose `errors` member lists the issues (`[{ in, name, message }]`), which an
 * `errorHandler(400)` may reshape.
 */
export function openapi(source?: string | object | OpenAPIOptions, givenOptions?: OpenAPIOptions): OpenAPIAddOn {
  // openapi(options): code-first only (an object that is no document: it has no `openapi` field).
  const onlyOptions =
    isObject(source) && givenOptions === undefined && !('openapi' in source) && !('swagger' in source);
  const document = onlyOptions ? undefined : (source as string | object | undefined);
  const options: OpenAPIOptions = onlyOptions ? (source as OpenAPIOptions) : (givenOptions ?? {});
  const verifiers = options.security ?? {};
  const operations: CodeOperation[] = [];
  /** Code-first operations' default statuses by `METHOD pattern` (`{ 201: Item }` → 201). */
  const statuses = new Map<string, number>();
  /** The add-on's own routes (the document, the docs page): not validated, not refused by `strict`. */
  const own = new Set<string>();
  let served: Json | undefined;
  let compiled: CompiledDocument | undefined;
  let loading: Promise<void> | undefined;
  let app: Application | undefined;
  const routes = new Map<string, RouteOperations | null>();
  const skippedStreams = new Set<Operation>();

  const load = (): Promise<void> => {
    loading ??= (async () => {
      const target = app as Application;
      const logger = target.logger;
      const loaded = await loadDocument(document ?? generatedBase(target, options.info));
      const derived: Record<string, Json> = {};
      if (operations.length > 0) {
        if (loaded.version !== '3.1')
          throw new SpecError('#/openapi', 'code-first operations (JSON Schema 2020-12) need an OpenAPI 3.1 document');
        loaded.doc = mergeOperations(
          loaded.doc,
          operations.map((op) => withGuardSecurity(target, op, derived)),
        );
      }
      loaded.doc = withSchemes(loaded.doc, derived, options.securitySchemes ?? {});
      served = loaded.doc;
      compiled = compileDocument(loaded, { formats: options.formats, logger });
      const used = usedSchemes(compiled);
      for (const name of Object.keys(verifiers)) {
        if (!used.has(name))
          throw new TypeError(`@poor/openapi: a verifier for '${name}', but no operation uses that security scheme`);
      }
      reportUnrouted(app as Application, compiled);
    })();
    return loading;
  };

  /** The operations of a route pattern (memoised: patterns are few, unlike URLs). */
  const operationsOf = (pattern: string): RouteOperations | null => {
    let found = routes.get(pattern);
    if (found === undefined) {
      const params = (app as Application).router.get(pattern)?.params ?? [];
      found = matchRoute(compiled as CompiledDocument, pattern, params);
      routes.set(pattern, found);
    }
    return found;
  };

  const validate = (req: Request): void | Promise<void> => {
    const pattern = req.uriRule;
    if (pattern === undefined || pattern === '/*') return; // no route: the app's 404/405, fallbacks
    if (own.has(pattern)) return; // the document and the docs page: never in the document, never refused
    const route = operationsOf(pattern);
    const method = req.method;
    const op = route?.byMethod.get(method) ?? (method === 'HEAD' ? route?.byMethod.get('GET') : undefined);
    if (op === undefined) {
      if (options.strict && method !== 'OPTIONS') {
        if (route === null || route === undefined) throw new HTTPException(404);
        throw new HTTPException(405, { headers: { Allow: [...route.byMethod.keys()].join(', ') } });
      }
      return;
    }
    const api = emptyApi(op);
    const secured = checkSecurity(req, op, verifiers, api);
    if (secured instanceof Promise) return secured.then(() => afterSecurity(req, op, route as RouteOperations, api));
    return afterSecurity(req, op, route as RouteOperations, api);
  };

  const afterSecurity = (req: Request, op: Operation, route: RouteOperations, api: ApiData): void | Promise<void> => {
    const issues: ValidationIssue[] = [];
    const pathValues = Object.create(null) as Json;
    for (const [documentName, routeName] of route.names) pathValues[documentName] = req.params[routeName];
    readParameters(req, op, pathValues, api, issues);
    if (issues.length > 0) throw failure(400, issues);
    const done = (): void => {
      if (issues.length > 0) throw failure(400, issues);
      (api as ApiData & { [kOperation]?: Operation })[kOperation] = op;
      req.api = api;
    };
    if (op.body === undefined) return done();
    return readBody(req, op, api, issues).then(done);
  };

  // A hook answers when it returns a value; validation returns nothing (or a promise
  // of nothing) and answers by throwing.
  const hook = (req: Request): void | Promise<void> =>
    compiled === undefined ? load().then(() => validate(req)) : validate(req);

  const afterHook = (req: Request, given: Response): Response => {
    const response = answerStatus(req, given); // the status the document says, before checking it
    const op = operationOf(req);
    if (op === undefined || response instanceof Declined) return response;
    if (isStreamed(response)) {
      if (!skippedStreams.has(op)) {
        skippedStreams.add(op);
        req.app.logger.info(`Poor openapi: streamed responses of ${op.method} ${op.template} are not validated`);
      }
      return response;
    }
    const problem = checkResponse(req, response, op);
    if (problem === undefined) return response;
    req.app.logger.error(
      `Poor openapi: the response to ${req.method} ${req.path} breaks ${problem.in}: ${problem.message}`,
    );
    if (!req.app.debug) return response;
    const issue: ValidationIssue = { in: 'response', name: problem.in, message: problem.message };
    return new ProblemResponse(500, { detail: 'the response does not match the OpenAPI document', errors: [issue] });
  };

  const addOn = ((target: Application) => {
    app = target;
    // Phase validation: after every guard of every scope and after the body is parsed.
    target.addHook('validation', hook);
    if (options.validateResponses) target.after(afterHook);
    target.registerMemberKind('openapi', (item) => {
      target.route(item.pattern, item.handler as never, item.methods ?? 'GET');
      record(item.pattern, item.methods, item.options as OperationSpec, item.controller, item.handler.name);
    });
    const documentPath =
      options.documentPath ??
      (options.docsPath === undefined ? undefined : `${options.docsPath.replace(/\/+$/, '')}/openapi.json`);
    if (documentPath !== undefined) {
      target.route(documentPath, () => served ?? {});
      own.add(documentPath);
    }
    if (options.docsPath !== undefined && documentPath !== undefined) {
      const page = serveDocsPage(target, options.docsPath, documentPath, () => {
        const info = served?.info;
        return isObject(info) && typeof info.title === 'string' ? info.title : target.name;
      });
      for (const pattern of page) own.add(pattern);
    }
    target.onReady(() => load());
  }) as OpenAPIAddOn;

  const record = (
    pattern: string,
    methods: Methods | undefined,
    spec: OperationSpec,
    controller: string | undefined,
    handlerName: string | undefined,
  ): void => {
    if (loading !== undefined)
      throw new TypeError(`@poor/openapi: ${pattern} is registered after the document was compiled`);
    const list = (methods === undefined ? ['GET'] : typeof methods === 'string' ? [methods] : [...methods]).map(
      (method) => method.toUpperCase(),
    );
    operations.push({ pattern, methods: list, spec, controller, handlerName });
    const status = defaultStatus(spec);
    if (status === undefined) return;
    for (const method of list) statuses.set(`${method} ${pattern}`, status);
    // With response validation, its hook sets the status first; without, a hook of its own.
    if (statuses.size === 1 && !options.validateResponses) app?.after(answerStatus);
  };

  /** A plain answer (200) of an operation whose one 2xx response is another status gets that status. */
  const answerStatus = (req: Request, response: Response): Response => {
    if (response.status === 200 && req.uriRule !== undefined) {
      const status = statuses.get(`${req.method === 'HEAD' ? 'GET' : req.method} ${req.uriRule}`);
      if (status !== undefined) response.status = status;
    }
    return response;
  };

  addOn.load = load;
  addOn.route = function route(pattern, spec, handler, routeOptions) {
    if (!app) throw new TypeError('install the add-on first: app.use(openapi(...))');
    app.route(pattern, handler as unknown as RouteFunction as never, routeOptions as never);
    const methods =
      typeof routeOptions === 'object' && !Array.isArray(routeOptions)
        ? (routeOptions as RouteOptions).methods
        : (routeOptions as Methods | undefined);
    record(pattern, methods, spec, undefined, undefined);
    return this;
  };
  Object.defineProperty(addOn, 'compileMillis', { get: () => compiled?.millis ?? 0 });
  Object.defineProperty(addOn, 'document', { get: () => served });
  return addOn;
}

/** Names of the security schemes some operation requires. */
function usedSchemes(compiled: CompiledDocument): Set<string> {
  const used = new Set<string>();
  for (const ops of compiled.operations.values()) {
    for (const op of ops.values()) for (const scheme of op.security?.flat() ?? []) used.add(scheme.name);
  }
  return used;
}

function isStreamed(response: Response): boolean {
  return (
    response instanceof StreamResponse ||
    response instanceof GeneratorResponse ||
    response instanceof FileResponse ||
    response instanceof JSONGeneratorResponse
  );
}

/** `/arg/<arg:int>` → `/arg/{}` (then compared with the document's templates). */
function routeKey(pattern: string): string {
  return pattern.replace(/<[^<>]*>/g, '{}');
}

function matchRoute(compiled: CompiledDocument, pattern: string, params: readonly string[]): RouteOperations | null {
  for (const base of compiled.bases) {
    if (base !== '' && pattern !== base && !pattern.startsWith(`${base}/`)) continue;
    const rest = pattern.slice(base.length) || '/';
    const byMethod = compiled.operations.get(routeKey(rest));
    if (byMethod === undefined) continue;
    const first = byMethod.values().next().value as Operation | undefined;
    // Parameters pair up by position: `<id:int>` serves `{petId}` as well as `{id}`.
    const names = (first?.pathNames ?? []).map((name, index) => [name, params[index] ?? name] as [string, string]);
    return { byMethod, names };
  }
  return null;
}

/** One start-up line naming the operations no route serves (a typo in a pattern, a missing controller). */
function reportUnrouted(app: Application, compiled: CompiledDocument): void {
  const keys = new Set<string>();
  for (const entry of app.router.entries) {
    for (const base of compiled.bases) {
      if (base === '' || entry.pattern === base || entry.pattern.startsWith(`${base}/`)) {
        keys.add(routeKey(entry.pattern.slice(base.length) || '/'));
      }
    }
  }
  const unrouted = [...compiled.operations.entries()]
    .filter(([key]) => !keys.has(key))
    .flatMap(([, ops]) => [...ops.values()].map((op) => `${op.method} ${op.template}`));
  if (unrouted.length > 0) app.logger.warn(`Poor openapi: no route serves ${unrouted.join(', ')}`);
}
