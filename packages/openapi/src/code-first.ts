// Code-first OpenAPI: schemas written on routes (`@operation`, `api.route`) become operations of
// a generated OpenAPI 3.1 document, which the add-on merges with a hand-written one and then
// compiles like any other — one validation path. The types here give handlers their arguments
// and their return type from the same schemas.
import type { MethodDecoratorFor, Request, Response, RouteParams, RouteParamsObject } from '@poor/core';
import { isObject, SpecError, type Json } from './document.js';

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

// ── the generated document ─────────────────────────────────────────────────

/** One operation registered in code: where, which methods, what its spec says. */
export interface CodeOperation {
  pattern: string;
  methods: readonly string[];
  spec: OperationSpec;
  /** The controller's name, for the default tag and operationId. */
  controller: string | undefined;
  /** The handler's name (`Items.add`), for the default operationId. */
  handlerName: string | undefined;
}

const FILTER_SCHEMAS: Record<string, Json> = {
  int: { type: 'integer' },
  float: { type: 'number' },
  hex: { type: 'string', pattern: '^[0-9a-fA-F]+$' },
  uuid: { type: 'string', format: 'uuid' },
};
const REASONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '422': 'Unprocessable Content',
};

function isStandard(value: object): value is StandardJsonSchema {
  const standard = (value as Partial<StandardJsonSchema>)['~standard'];
  return typeof standard === 'object' && standard !== null;
}

/** A schema as a JSON Schema object: a Standard Schema converted (draft 2020-12), a JSON Schema copied. */
export function toJsonSchema(schema: Schema, where: string): Json {
  if (isStandard(schema)) {
    const convert = schema['~standard'].jsonSchema as StandardJsonSchema['~standard']['jsonSchema'] | undefined;
    if (typeof convert?.input !== 'function') {
      throw new SpecError(
        where,
        `a ${schema['~standard'].vendor} schema that cannot emit JSON Schema (no ~standard.jsonSchema)`,
      );
    }
    const { $schema: _, ...json } = convert.input({ target: 'draft-2020-12' });
    return json;
  }
  if (!isObject(schema)) throw new SpecError(where, 'a schema must be a JSON Schema object or a Standard JSON Schema');
  // JSON drops TypeBox's symbol keys and copies what the document holds.
  return JSON.parse(JSON.stringify(schema)) as Json;
}

/** `/items/<id:int>` → `/items/{id}`, and the path parameters with their filters. */
export function templateOf(pattern: string): { template: string; params: Array<[name: string, filter: string]> } {
  const params: Array<[string, string]> = [];
  const template = pattern.replace(/<([^<>:]+)(?::([^<>]*))?>/g, (_, name: string, filter: string | undefined) => {
    params.push([name, (filter ?? '').toLowerCase()]);
    return `{${name}}`;
  });
  return { template, params };
}

/** The parameters of one location from an object schema: one entry per property. */
function parametersOf(location: string, schema: Schema | undefined, where: string): Json[] {
  if (schema === undefined) return [];
  const json = toJsonSchema(schema, where);
  const properties = json.properties;
  if (json.type !== 'object' || !isObject(properties)) {
    throw new SpecError(where, `the ${location} schema must be an object schema with properties`);
  }
  const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
  return Object.entries(properties).map(([name, property]) => {
    const parameter: Json = { name, in: location, schema: property };
    if (required.has(name) || location === 'path') parameter.required = true;
    if (isObject(property) && typeof property.description === 'string') parameter.description = property.description;
    return parameter;
  });
}

function isBodySpec(body: Schema | BodySpec): body is BodySpec {
  return isObject((body as BodySpec).content) && !isStandard(body) && !('type' in body);
}

function isResponseSpec(value: Schema | ResponseSpec): value is ResponseSpec {
  return !isStandard(value) && ('schema' in value || 'content' in value) && !('type' in value);
}

function contentOf(schemas: Readonly<Record<string, Schema>>, where: string): Json {
  const content: Json = {};
  for (const [media, schema] of Object.entries(schemas))
    content[media] = { schema: toJsonSchema(schema, `${where}/${media}`) };
  return content;
}

function responsesOf(spec: OperationSpec, where: string): Json {
  const responses: Json = {};
  for (const [status, value] of Object.entries(spec.responses ?? {})) {
    const at = `${where}/responses/${status}`;
    const description = REASONS[status] ?? `Status ${status}`;
    if (value === null) responses[status] = { description };
    else if (isResponseSpec(value)) {
      const content = value.content ?? (value.schema === undefined ? undefined : { 'application/json': value.schema });
      responses[status] = {
        description: value.description ?? description,
        ...(content === undefined ? {} : { content: contentOf(content, at) }),
      };
    } else responses[status] = { description, content: contentOf({ 'application/json': value }, at) };
  }
  if (Object.keys(responses).length === 0) responses.default = { description: 'The answer' };
  return responses;
}

/** One OpenAPI operation object from a code-first spec. */
function operationObject(op: CodeOperation, method: string, params: Array<[string, string]>, where: string): Json {
  const { spec } = op;
  const declared = spec.params === undefined ? undefined : toJsonSchema(spec.params, `${where}/params`);
  const declaredProps = isObject(declared?.properties) ? declared.properties : {};
  const path = params.map(([name, filter]) => ({
    name,
    in: 'path',
    required: true,
    schema: declaredProps[name] ?? FILTER_SCHEMAS[filter] ?? { type: 'string' },
  }));
  const parameters = [
    ...path,
    ...parametersOf('query', spec.query, `${where}/query`),
    ...parametersOf('header', spec.headers, `${where}/headers`),
    ...parametersOf('cookie', spec.cookies, `${where}/cookies`),
  ];
  const result: Json = {};
  const tags = spec.tags ?? (op.controller === undefined ? undefined : [op.controller]);
  if (tags !== undefined) result.tags = [...tags];
  if (spec.summary !== undefined) result.summary = spec.summary;
  if (spec.description !== undefined) result.description = spec.description;
  const id = spec.operationId ?? op.handlerName;
  if (id !== undefined)
    result.operationId = op.methods.length > 1 && spec.operationId === undefined ? `${id}.${method}` : id;
  if (spec.deprecated) result.deprecated = true;
  if (parameters.length > 0) result.parameters = parameters;
  if (spec.body !== undefined) {
    const body = spec.body;
    result.requestBody = isBodySpec(body)
      ? {
          required: body.required ?? true,
          ...(body.description === undefined ? {} : { description: body.description }),
          content: contentOf(body.content, `${where}/body`),
        }
      : { required: true, content: contentOf({ 'application/json': body }, `${where}/body`) };
  }
  result.responses = responsesOf(spec, where);
  if (spec.security !== undefined) result.security = spec.security.map((item) => ({ ...item }));
  return result;
}

/**
 * Adds the code-first operations to a document's `paths` (a copy of the document is returned).
 * An operation the document already has is a `SpecError`: one place describes each.
 */
export function mergeOperations(document: Json, operations: readonly CodeOperation[]): Json {
  const merged: Json = { ...document, paths: { ...(isObject(document.paths) ? document.paths : {}) } };
  const paths = merged.paths as Json;
  for (const op of operations) {
    const { template, params } = templateOf(op.pattern);
    const item: Json = { ...(isObject(paths[template]) ? paths[template] : {}) };
    const methods = op.methods
      .map((method) => method.toLowerCase())
      .filter((method) => method !== 'head' && method !== 'options');
    for (const method of methods) {
      const where = `#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}`;
      if (item[method] !== undefined) {
        throw new SpecError(
          where,
          `${method.toUpperCase()} ${template} is both in the document and on the route ${op.pattern}`,
        );
      }
      item[method] = operationObject(op, method, params, where);
    }
    paths[template] = item;
  }
  return merged;
}

/**
 * The status a plain answer of an operation gets: its one 2xx response status with a body
 * when the spec does not list 200 (`{ 201: Item }` → 201), else none (200 stays).
 */
export function defaultStatus(spec: OperationSpec): number | undefined {
  const success = Object.keys(spec.responses ?? {}).filter((status) => /^2\d\d$/.test(status));
  if (success.length !== 1 || success[0] === '200') return undefined;
  const status = Number(success[0]);
  return status === 204 || status === 205 ? undefined : status;
}
