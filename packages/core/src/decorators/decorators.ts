import { createRequire } from 'node:module';
import type { AfterHook, BeforeHook, Phase, PhaseHooks, ScopedPhase } from '../routing/handlers.js';
import type { HTTPExceptionExtra } from '../response/http-error.js';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import type {
  CheckPattern,
  ClassDecoratorFor,
  MethodDecoratorFor,
  RouteParams,
  RouteParamsObject,
} from '../routing/route-params.js';

// TC39 decorators keep metadata on `Symbol.metadata`, which Node 20/22 do not define yet.
// Use the same registry symbol as TypeScript's and esbuild's helpers, so class metadata
// objects exist whichever compiler produced the user's code.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/** The part of `reflect-metadata` that legacy decorators use. */
interface MetadataReflect {
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
}

/** `Reflect` with `reflect-metadata` loaded: only legacy decorators need it, so it loads on first use. */
function legacyStore(): MetadataReflect {
  if (typeof (Reflect as Partial<MetadataReflect>).defineMetadata !== 'function') {
    createRequire(import.meta.url)('reflect-metadata');
  }
  return Reflect as unknown as MetadataReflect;
}

/** What a legacy decorator recorded under `key` on `target` (nothing when none ever ran). */
function legacyOwn<T>(key: symbol, target: object): T | undefined {
  const store = Reflect as Partial<MetadataReflect>;
  return store.getOwnMetadata ? (store.getOwnMetadata(key, target) as T | undefined) : undefined;
}

const MEMBERS = Symbol.for('poor:members');
const PREFIX = Symbol.for('poor:prefix');
const GUARDS = Symbol.for('poor:guards');

/** A controller: a class instantiated with no arguments, or a ready instance. */
export type Controller = object | (new () => object);

/** Methods accepted by method decorators: one, a list, or `'*'`. */
export type DecoratorMethods = string | readonly string[];

/** What one decorator recorded about a class member. */
export interface MemberMetadata {
  /** `route`, `error`, `before`, `after`, `default`, or an add-on's kind (e.g. `websocket`). */
  kind: string;
  /** The decorated method's name. */
  key: string | symbol;
  /** Route pattern (route-like kinds). */
  path: string;
  /** Methods given to the decorator. */
  methods: DecoratorMethods | undefined;
  /** Status code or exception class (`error` kind). */
  target?: unknown;
  /** Add-on options. */
  options?: unknown;
  /** For an add-on's kind: how to install the add-on, said when it is missing (e.g. `app.use(websockets()) from @poor/ws`). */
  addOn?: string;
}

/** Everything the decorators recorded on a controller class. */
export interface ControllerMetadata {
  /** Class name, for messages. */
  name: string;
  /** Route prefix from `@controller(prefix)`. */
  prefix: string;
  /** Decorated members, base classes first, in declaration order. */
  members: MemberMetadata[];
  /** Hooks a class decorator (`@checkDigest` on the class) put on every route, base classes first. */
  guards: PhaseHook[];
}

/** A hook recorded for one phase by a class or method decorator made with {@link createGuardDecorator}. */
export interface PhaseHook {
  /** The phase it runs in (`guard` for authentication). */
  phase: ScopedPhase;
  /** The hook. */
  hook: BeforeHook | AfterHook;
}

type MetadataBag = Record<PropertyKey, unknown>;

function isStandardContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

function ownList(bag: MetadataBag): MemberMetadata[] {
  if (!Object.hasOwn(bag, MEMBERS)) bag[MEMBERS] = [];
  return bag[MEMBERS] as MemberMetadata[];
}

/** What {@link createMemberDecorator} records for each decorated method (the method name is added). */
export type MemberRecord = Omit<MemberMetadata, 'key'>;

/**
 * Builds a method decorator that records `record` for the decorated method, in either
 * TypeScript decorator mode. Add-ons use it for their own kinds (e.g. `@websocket`).
 */
export function createMemberDecorator<Args extends unknown[]>(record: MemberRecord): MethodDecoratorFor<Args> {
  const label = `@${record.kind}`;
  const decorator = (target: unknown, context: unknown, descriptor?: PropertyDescriptor): void => {
    if (isStandardContext(context)) {
      if (context.kind !== 'method') {
        throw new TypeError(`${label} decorates methods only, not the ${context.kind} '${String(context.name)}'`);
      }
      const methodContext = context as ClassMethodDecoratorContext;
      if (methodContext.static)
        throw new TypeError(`${label} cannot decorate the static method '${String(methodContext.name)}'`);
      if (!methodContext.metadata) throw new TypeError(`${label}: this runtime gives decorators no metadata object`);
      ownList(methodContext.metadata as MetadataBag).push({ ...record, key: methodContext.name });
      return;
    }
    const key = context as string | symbol;
    const owner = typeof target === 'function' ? target : (target as { constructor: object }).constructor;
    const className = (owner as { name?: string }).name ?? 'anonymous';
    if (typeof target === 'function')
      throw new TypeError(`${label} cannot decorate the static method ${className}.${String(key)}`);
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new TypeError(`${label} decorates methods only, not ${className}.${String(key)}`);
    }
    let list = legacyOwn<MemberMetadata[]>(MEMBERS, owner);
    if (!list) {
      list = [];
      legacyStore().defineMetadata(MEMBERS, list, owner);
    }
    list.push({ ...record, key });
  };
  return decorator as unknown as MethodDecoratorFor<Args>;
}

/**
 * Marks a class as a controller with an optional route prefix for its routes.
 *
 * @example
 * @controller('/api') class Users { @route('/user/<id:int>') user(req: Request, id: number) {} }
 */
export function controller(prefix = ''): ClassDecoratorFor {
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new TypeError(`controller prefix '${prefix}' must start with '/' and not end with it`);
  }
  const decorator = (target: unknown, context?: unknown): void => {
    if (isStandardContext(context)) {
      if (context.kind !== 'class') throw new TypeError('@controller decorates classes only');
      (context.metadata as MetadataBag)[PREFIX] = prefix;
      return;
    }
    if (typeof target !== 'function') throw new TypeError('@controller decorates classes only');
    legacyStore().defineMetadata(PREFIX, prefix, target);
  };
  return decorator as unknown as ClassDecoratorFor;
}

/**
 * Routes requests matching `pattern` (and methods, default GET; HEAD implied) to the method.
 * Parameters are typed from the pattern: `'/user/<id:int>'` passes `id: number`.
 */
export function route<P extends string>(
  pattern: P & CheckPattern<P>,
  methods?: DecoratorMethods,
): MethodDecoratorFor<[req: Request<RouteParamsObject<P>>, ...params: RouteParams<P>]> {
  return createMemberDecorator({ kind: 'route', path: pattern, methods });
}

/** Handles a status code (`(req, extra)`) or an exception class (`(req, error)`, nearest class wins). */
export function errorHandler(
  status: number,
  methods?: DecoratorMethods,
): MethodDecoratorFor<[req: Request, extra: HTTPExceptionExtra]>;
export function errorHandler<E>(
  errorClass: abstract new (...args: never[]) => E,
  methods?: DecoratorMethods,
): MethodDecoratorFor<[req: Request, error: E]>;
export function errorHandler(target: unknown, methods?: DecoratorMethods): unknown {
  if (typeof target !== 'number' && typeof target !== 'function') {
    throw new TypeError('@errorHandler needs a status code or an exception class');
  }
  return createMemberDecorator({ kind: 'error', path: '', methods, target });
}

/** Options of {@link before}, {@link after} and {@link hook}. */
export interface HookOptions {
  /** `'controller'` (default): this controller's routes only; `'app'`: every request, as `app.before()`. */
  scope?: 'controller' | 'app';
}

/** What `@hook(phase)` records: the phase besides the scope. */
export interface PhaseHookOptions extends HookOptions {
  /** The lifecycle phase the method runs in. */
  phase: Phase;
}

/**
 * Runs the method in a lifecycle phase for this controller's routes (or every request with
 * `{ scope: 'app' }`): `@hook('preHandler')`, `@hook('validation')`. `@before()` is
 * `@hook('guard')` and `@after()` is `@hook('onSend')`; `onRequest` and `onResponse` hooks are
 * always app-wide.
 */
export function hook<P extends Phase>(
  phase: P,
  options: HookOptions = {},
): MethodDecoratorFor<Parameters<PhaseHooks[P]>> {
  return createMemberDecorator({ kind: 'hook', path: '', methods: undefined, options: { ...options, phase } });
}

/**
 * Runs the method before the handlers of this controller (HTTP and upgrade routes, its default
 * handler), or before every request with `{ scope: 'app' }`; returning a value answers at once.
 */
export function before(options: HookOptions = {}): MethodDecoratorFor<[req: Request]> {
  return createMemberDecorator({ kind: 'before', path: '', methods: undefined, options });
}

/**
 * Runs the method on the responses of this controller's handlers, or on every response with
 * `{ scope: 'app' }`; it returns the response to send.
 */
export function after(options: HookOptions = {}): MethodDecoratorFor<[req: Request, response: Response]> {
  return createMemberDecorator({ kind: 'after', path: '', methods: undefined, options });
}

/** Handles requests no route matched (default GET). */
export function defaultHandler(methods?: DecoratorMethods): MethodDecoratorFor<[req: Request]> {
  return createMemberDecorator({ kind: 'default', path: '', methods });
}

function collect(ctor: object): { prefix: string | undefined; members: MemberMetadata[]; guards: PhaseHook[] } {
  const bag = (ctor as { [Symbol.metadata]?: MetadataBag | null })[Symbol.metadata as typeof Symbol.metadata];
  const own = <T>(key: symbol): T | undefined =>
    (bag && Object.hasOwn(bag, key) ? (bag[key] as T) : undefined) ?? legacyOwn<T>(key, ctor);
  const standard = bag && Object.hasOwn(bag, MEMBERS) ? (bag[MEMBERS] as MemberMetadata[]) : [];
  const legacy = legacyOwn<MemberMetadata[]>(MEMBERS, ctor) ?? [];
  return { prefix: own<string>(PREFIX), members: [...standard, ...legacy], guards: own<PhaseHook[]>(GUARDS) ?? [] };
}

/**
 * Builds a decorator that puts a hook on one method's route (`@checkDigest` on a method) or on
 * every route of a controller (on the class), in either decorator mode. The hook runs in phase
 * `guard` (before the body is read) unless `phase` says another.
 */
export function createGuardDecorator(
  label: string,
  hook: BeforeHook,
  phase: Exclude<ScopedPhase, 'onSend'> = 'guard',
): ClassDecoratorFor & MethodDecoratorFor<never> {
  const record: PhaseHook = { phase, hook };
  const onMethod = createMemberDecorator({
    kind: 'guard',
    path: '',
    methods: undefined,
    options: record,
  }) as unknown as (...args: unknown[]) => void;
  const decorator = (target: unknown, context?: unknown, descriptor?: PropertyDescriptor): void => {
    const isClass = isStandardContext(context) ? context.kind === 'class' : context === undefined;
    if (!isClass) return onMethod(target, context, descriptor);
    if (isStandardContext(context)) {
      const bag = context.metadata as MetadataBag;
      if (!Object.hasOwn(bag, GUARDS)) bag[GUARDS] = [];
      (bag[GUARDS] as PhaseHook[]).push(record);
      return;
    }
    if (typeof target !== 'function') throw new TypeError(`${label} decorates classes and methods only`);
    const list = legacyOwn<PhaseHook[]>(GUARDS, target) ?? [];
    legacyStore().defineMetadata(GUARDS, [...list, record], target);
  };
  return decorator as unknown as ClassDecoratorFor & MethodDecoratorFor<never>;
}

/**
 * Puts `check` in phase `guard` of every route of a controller (on the class) or of one
 * method's routes (on the method): `@guard(requireAdmin)`. It runs before the body is read;
 * returning a value or throwing (`throw new HTTPException(403)`) answers at once.
 */
export function guard(check: BeforeHook): ClassDecoratorFor & MethodDecoratorFor<never> {
  const name = check.name || 'anonymous';
  return createGuardDecorator(`@guard(${name})`, check);
}

/** Reads what the decorators recorded on a class and its base classes. */
export function readControllerMetadata(ctor: new () => object): ControllerMetadata {
  const chain: object[] = [];
  for (
    let current: object | null = ctor;
    current && current !== Function.prototype;
    current = Object.getPrototypeOf(current) as object | null
  ) {
    chain.unshift(current);
  }
  let prefix = '';
  let members: MemberMetadata[] = [];
  const guards: PhaseHook[] = [];
  for (const klass of chain) {
    const own = collect(klass);
    if (own.prefix !== undefined) prefix = own.prefix;
    guards.push(...own.guards);
    // A subclass that decorates a method again replaces the base class's records for it.
    const overridden = new Set(own.members.map((member) => member.key));
    members = [...members.filter((member) => !overridden.has(member.key)), ...own.members];
  }
  return { name: ctor.name || 'anonymous', prefix, members, guards };
}
