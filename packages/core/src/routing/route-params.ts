import type { Request } from '../request/request.js';

/**
 * Filter name → the TypeScript type handlers receive. Augment it for your own filters:
 *
 * @example
 * declare module '@poor/core' { interface PoorFilters { email: string } }
 */
export interface PoorFilters {
  /** `-?\d+`, converted to a number. */
  int: number;
  /** `-?\d+(\.\d+)?`, converted to a number. */
  float: number;
  /** Unicode word characters. */
  word: string;
  /** Hexadecimal digits (kept as a string). */
  hex: string;
  /** A UUID, lower-cased. */
  uuid: string;
}

type FilterType<Filter extends string> = Filter extends `re:${string}`
  ? string
  : Lowercase<Filter> extends keyof PoorFilters
    ? PoorFilters[Lowercase<Filter>]
    : string;

type GroupType<Group extends string> = Group extends `${string}:${infer Filter}` ? FilterType<Filter> : string;

type GroupName<Group extends string> = Group extends `${infer Name}:${string}` ? Name : Group;

/**
 * The converted parameter types of a route pattern, in pattern order:
 * `RouteParams<'/a/<id:int>/<name>'>` is `[number, string]`.
 */
export type RouteParams<P extends string> = string extends P
  ? string[]
  : P extends `${string}<${infer Group}>${infer Rest}`
    ? [GroupType<Group>, ...RouteParams<Rest>]
    : [];

type ParamEntries<P extends string> = P extends `${string}<${infer Group}>${infer Rest}`
  ? { [K in GroupName<Group>]: GroupType<Group> } & ParamEntries<Rest>
  : unknown;

/** The parameters of a pattern by name: `RouteParamsObject<'/a/<id:int>'>` is `{ id: number }`. */
export type RouteParamsObject<P extends string> = string extends P
  ? Record<string, unknown>
  : { [K in keyof ParamEntries<P>]: ParamEntries<P>[K] };

type GroupFilterError<Group extends string> = Group extends `${string}:${infer Filter}`
  ? Filter extends `re:${string}`
    ? never
    : Lowercase<Filter> extends keyof PoorFilters
      ? never
      : Filter
  : never;

type UnknownFilters<P extends string> = P extends `${string}<${infer Group}>${infer Rest}`
  ? GroupFilterError<Group> | UnknownFilters<Rest>
  : never;

/**
 * `unknown` when every filter of the pattern is known (built in, `re:…`, or added to
 * {@link PoorFilters}); else a type naming the unknown ones, which makes `pattern` a
 * compile error: `route('/a/<id:nosuch>')` does not compile.
 */
export type CheckPattern<P extends string> = string extends P
  ? unknown
  : [UnknownFilters<P>] extends [never]
    ? unknown
    : { 'unknown route filter (declare it in PoorFilters)': UnknownFilters<P> };

/**
 * What a handler may return, as {@link makeResponse} takes it: a string (HTML), bytes, an
 * object or array (JSON), a Poor or fetch `Response`, a stream or iterable, or nothing (204).
 */
export type HandlerValue = string | Uint8Array | object | null | undefined | void;

/** A handler's result: a {@link HandlerValue} or a promise of one. */
export type HandlerResult = HandlerValue | PromiseLike<HandlerValue>;

/**
 * `unknown` when `F` returns a {@link HandlerValue} (or a promise of one, or is declared to
 * return `unknown`); else a type that makes the route a compile error: `() => 42` does not compile.
 */
export type CheckReturn<F> = F extends (...args: never[]) => infer R
  ? [Awaited<R>] extends [HandlerValue]
    ? unknown
    : unknown extends Awaited<R> // declared `unknown` (or `any`): the author opted out
      ? unknown
      : { 'a handler returns a string, bytes, an object, a Response, a stream or nothing, not': Awaited<R> }
  : unknown;

/** The request of a route: `RouteRequest<'/user/<id:int>'>` has `params: { id: number }`. */
export type RouteRequest<P extends string> = Request<RouteParamsObject<P>>;

/**
 * A method decorator usable in both TypeScript decorator modes (TC39 and
 * `experimentalDecorators`), which checks that the method accepts `Args` and returns what
 * a response can be made of.
 *
 * @typeParam Args - the parameters the decorated method must accept.
 */
export interface MethodDecoratorFor<Args extends unknown[]> {
  /**
   * TC39 standard decorator form.
   *
   * @typeParam F - the decorated method.
   */
  <This, F extends (this: This, ...args: Args) => unknown>(
    value: F & CheckReturn<F>,
    context: ClassMethodDecoratorContext<This, F>,
  ): void;
  /**
   * Legacy (`experimentalDecorators`) form.
   *
   * @typeParam F - the decorated method.
   */
  <F extends (...args: Args) => unknown>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F> & CheckReturn<F>,
  ): void;
}

/** A class decorator usable in both TypeScript decorator modes. */
export type ClassDecoratorFor = <C extends abstract new (...args: never[]) => unknown>(
  value: C,
  context?: ClassDecoratorContext<C>,
) => void;
