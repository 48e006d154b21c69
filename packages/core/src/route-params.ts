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

/**
 * A method decorator usable in both TypeScript decorator modes (TC39 and
 * `experimentalDecorators`), which checks that the method accepts `Args`.
 */
export interface MethodDecoratorFor<Args extends unknown[]> {
  /** TC39 standard decorator form. */
  <This, F extends (this: This, ...args: Args) => unknown>(
    value: F,
    context: ClassMethodDecoratorContext<This, F>,
  ): void;
  /** Legacy (`experimentalDecorators`) form. */
  <F extends (...args: Args) => unknown>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void;
}

/** A class decorator usable in both TypeScript decorator modes. */
export type ClassDecoratorFor = <C extends abstract new (...args: never[]) => unknown>(
  value: C,
  context?: ClassDecoratorContext<C>,
) => void;
