// The types of code-first OpenAPI: what a route's spec holds, the static type of a schema
// (TypeBox, a plain JSON Schema `as const`, a Standard Schema), and the handler types the
// decorator and `api.route` check against the spec.
import type { MethodDecoratorFor, Request, Response, RouteParams, RouteParamsObject } from '@poor/core';

/**
 * The part of a Standard JSON Schema (Zod 4, ArkType, Valibot's `toStandardJsonSchema`) this
 * package reads: the static types, and the conversion to JSON Schema.
 */
export interface StandardJsonSchema {
  /** The Standard Schema properties. */
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly types?: { readonly input: unknown; readonly output: unknown } | undefined;
    readonly jsonSchema: {
      /** The JSON Schema of the input type, for a target such as `draft-2020-12`. */
      readonly input: (options: { readonly target: string }) => Record<string, unknown>;
    };
  };
}

/**
 * A schema on a route: a JSON Schema object (TypeBox builds them, typed; a plain object
 * `as const` is typed too), or a Standard JSON Schema (Zod 4 …).
 */
export type Schema = object;

type Primitive<T> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? unknown[]
          : T extends 'object'
            ? Record<string, unknown>
            : unknown;

type Deeper<D extends unknown[]> = [...D, 0];

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<P, R, D extends unknown[]> = Flatten<
  { -readonly [K in keyof P & string as K extends R ? K : never]: FromJsonSchema<P[K], Deeper<D>> } & {
    -readonly [K in keyof P & string as K extends R ? never : K]?: FromJsonSchema<P[K], Deeper<D>>;
  }
>;

/**
 * The static type of a JSON Schema written `as const` (or built by TypeBox): `type`,
 * `properties` with `required`, `items`, `enum`, `const`, `anyOf`/`oneOf`; `unknown` past
 * what it reads (eight levels deep at most).
 */
export type FromJsonSchema<S, D extends unknown[] = []> = D['length'] extends 8
  ? unknown
  : S extends { readonly const: infer C }
    ? C
    : S extends { readonly enum: ReadonlyArray<infer E> }
      ? E
      : S extends { readonly anyOf: ReadonlyArray<infer A> }
        ? FromJsonSchema<A, Deeper<D>>
        : S extends { readonly oneOf: ReadonlyArray<infer A> }
          ? FromJsonSchema<A, Deeper<D>>
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? ObjectOf<P, S extends { readonly required: ReadonlyArray<infer R> } ? R : never, D>
            : S extends { readonly type: 'array'; readonly items: infer I }
              ? Array<FromJsonSchema<I, Deeper<D>>>
              : S extends { readonly type: infer T }
                ? T extends ReadonlyArray<infer U>
                  ? Primitive<U>
                  : Primitive<T>
                : unknown;

/**
 * The type a schema validates: a Standard Schema's output type, a `@sinclair/typebox` 0.34
 * schema's `static`, else what {@link FromJsonSchema} reads of the JSON Schema.
 */
export type Infer<S> = S extends { readonly '~standard': { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O }
    ? O
    : unknown
  : S extends { readonly static: infer T }
    ? unknown extends T
      ? FromJsonSchema<S>
      : T
    : FromJsonSchema<S>;

/** A response with more than a schema: its description, a schema per media type, headers. */
export interface ResponseSpec {
  /** The response's description in the document (default: the status's reason phrase). */
  description?: string;
  /** The JSON body's schema. */
  schema?: Schema;
  /** Schemas by media type (instead of `schema`). */
  content?: Readonly<Record<string, Schema>>;
}

/** A request body with more than a JSON schema: schemas per media type, required or not. */
export interface BodySpec {
  /** Schemas by media type (`application/json`, `application/x-www-form-urlencoded`, `text/plain` …). */
  content: Readonly<Record<string, Schema>>;
  /** Whether a body is required (default true). */
  required?: boolean;
  /** The body's description in the document. */
  description?: string;
}

/** What a route's schemas say: its parameters by location, its body, its responses, its documentation. */
export interface OperationSpec {
  /** One line for the docs page. */
  summary?: string;
  /** Longer text (CommonMark). */
  description?: string;
  /** Default: `Controller.method` for a decorated method, else none. */
  operationId?: string;
  /** Default: the controller's name for a decorated method. */
  tags?: readonly string[];
  /** Marks the operation deprecated in the document. */
  deprecated?: boolean;
  /** An object schema of the path parameters (default: from the route's filters: `int` → integer …). */
  params?: Schema;
  /** An object schema of the query parameters (strings coerced to the schema's types). */
  query?: Schema;
  /** An object schema of request headers (names lower-case). */
  headers?: Schema;
  /** An object schema of cookies. */
  cookies?: Schema;
  /** The JSON body's schema, or schemas by media type. */
  body?: Schema | BodySpec;
  /** By status (`200`, `'2XX'`, `'default'`): the JSON body's schema, a {@link ResponseSpec}, or `null` for no body. */
  responses?: Readonly<Record<number | string, Schema | ResponseSpec | null>>;
  /** Security requirements (`[{ digest: [] }]`), as in OpenAPI; the schemes go into `components.securitySchemes`. */
  security?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
}

type IsBodySpec<B> = B extends { readonly content: object }
  ? B extends { readonly type: unknown }
    ? false
    : true
  : false;

/** The type of a spec's body: its JSON schema's, or the union over its media types. */
export type BodyOf<S extends OperationSpec> = S['body'] extends infer B
  ? undefined extends B
    ? unknown
    : IsBodySpec<B> extends true
      ? B extends { readonly content: infer C }
        ? Infer<C[keyof C]>
        : unknown
      : Infer<B>
  : unknown;

type SuccessKey<K> = K extends number ? (`${K}` extends `2${string}` ? K : never) : K extends `2${string}` ? K : never;

type ResponseBody<R> = R extends null
  ? undefined
  : R extends { readonly schema: infer S }
    ? Infer<S>
    : R extends { readonly content: infer C }
      ? Infer<C[keyof C]>
      : Infer<R>;

/** What a handler may return given its 2xx response schemas (`never` when there are none). */
export type SuccessOf<S extends OperationSpec> = S['responses'] extends infer R
  ? undefined extends R
    ? never
    : { [K in keyof R]: K extends SuccessKey<K> ? ResponseBody<R[K]> : never }[keyof R]
  : never;

/** `req.api` typed from a spec. */
export interface TypedApi<S extends OperationSpec> {
  /** Path parameters, validated. */
  path: S['params'] extends object ? Infer<S['params']> : Record<string, unknown>;
  /** Query parameters, coerced and validated. */
  query: S['query'] extends object ? Infer<S['query']> : Record<string, unknown>;
  /** Header parameters, validated. */
  headers: S['headers'] extends object ? Infer<S['headers']> : Record<string, unknown>;
  /** Cookie parameters, validated. */
  cookies: S['cookies'] extends object ? Infer<S['cookies']> : Record<string, unknown>;
  /** The validated body. */
  body: BodyOf<S>;
  /** Security schemes that accepted the request, with what their verifiers returned. */
  security: Record<string, unknown>;
  /** The body's media type. */
  mediaType: string | undefined;
}

/**
 * The request of an operation: `req.api` typed from its spec, `req.params` from its pattern.
 *
 * @example
 * const create = { body: NewItem, responses: { 201: Item } } as const;
 * class Items {
 *   \@operation('/items', 'POST', create)
 *   add(req: ApiRequest<typeof create>) { return { id: 1, ...req.api.body }; }
 * }
 */
export type ApiRequest<S extends OperationSpec, P extends string = string> = Request<
  string extends P ? Record<string, unknown> : RouteParamsObject<P>
> & { api: TypedApi<S> };

/** What a handler of `S` returns: a 2xx body its schemas describe (or any `Response`), or any handler value without them. */
export type OperationReturn<S extends OperationSpec> = [SuccessOf<S>] extends [never]
  ? unknown
  : SuccessOf<S> | Response;

/** The decorator {@link operation} returns: checks the method's parameters and return type, in both decorator modes. */
export interface OperationDecorator<Args extends unknown[], R> {
  /**
   * TC39 standard decorator form.
   *
   * @typeParam F - the decorated method.
   */
  <This, F extends (this: This, ...args: Args) => R | Promise<R>>(
    value: F,
    context: ClassMethodDecoratorContext<This, F>,
  ): void;
  /**
   * Legacy (`experimentalDecorators`) form.
   *
   * @typeParam F - the decorated method.
   */
  <F extends (...args: Args) => R | Promise<R>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void;
}

/** The arguments of an operation's handler: the typed request, then the route parameters. */
export type OperationArgs<S extends OperationSpec, P extends string> = [
  req: ApiRequest<S, P>,
  ...params: RouteParams<P>,
];

/** Either decorator type, by whether the spec has 2xx schemas. */
export type OperationDecoratorFor<S extends OperationSpec, P extends string> = [SuccessOf<S>] extends [never]
  ? MethodDecoratorFor<OperationArgs<S, P>>
  : OperationDecorator<OperationArgs<S, P>, OperationReturn<S>>;
