// Code-first OpenAPI: schemas written on routes (`@operation`, `api.route`) become operations of
// a generated OpenAPI 3.1 document, which the add-on merges with a hand-written one and then
// compiles like any other — one validation path. Their security comes from the guards that
// run before each handler.
import { createMemberDecorator, reasonPhrase, securityOf, type Application, type Methods } from '@poor/core';
import { isObject, SpecError, type Json } from './document.js';
import type {
  BodySpec,
  OperationDecoratorFor,
  OperationSpec,
  ResponseSpec,
  Schema,
  StandardJsonSchema,
} from './schema-types.js';

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
    const description = /^\d{3}$/.test(status) ? reasonPhrase(Number(status)) : `Status ${status}`;
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

/**
 * A route with its schemas, on a controller method: registers the route (as `@route` would),
 * documents it in the generated OpenAPI document and validates its requests. The method's
 * `req` is {@link ApiRequest}`<typeof spec>`; with 2xx response schemas, its return type must
 * match one of them (or be a `Response`).
 *
 * @example
 * const create = { body: NewItem, responses: { 201: Item } } as const;
 * class Items {
 *   \@operation('/items', 'POST', create)
 *   add(req: ApiRequest<typeof create>) { return { id: 1, ...req.api.body }; }
 * }
 */
export function operation<P extends string, const S extends OperationSpec>(
  pattern: P,
  methods: Methods,
  spec: S,
): OperationDecoratorFor<S, P> {
  return createMemberDecorator({
    kind: 'openapi',
    path: pattern,
    methods,
    options: spec,
    addOn: 'app.use(openapi(...)) from @poor/openapi',
  }) as unknown as OperationDecoratorFor<S, P>;
}

/** The document code-first operations go into when there is no hand-written one. */
export function generatedBase(app: Application, given: object | undefined): Json {
  const info = { title: app.name, version: '0.0.0', ...given };
  return { openapi: '3.1.0', info, paths: {} };
}

/**
 * A code-first operation whose spec names no security, with the schemes of the guards that run
 * before its handler (`digest`, `basic`, `apiKey` describe themselves): all of them required.
 * The schemes are collected into `schemes`.
 */
export function withGuardSecurity(app: Application, op: CodeOperation, schemes: Record<string, Json>): CodeOperation {
  if (op.spec.security !== undefined) return op;
  const handler = app.router.get(op.pattern)?.handlers.get(op.methods[0] ?? 'GET');
  const described = (handler === undefined ? [] : app.guardsOf(handler)).flatMap((guard) => securityOf(guard) ?? []);
  if (described.length === 0) return op;
  for (const { name, scheme } of described) schemes[name] = { ...scheme };
  return { ...op, spec: { ...op.spec, security: [Object.fromEntries(described.map(({ name }) => [name, []]))] } };
}

/** The document with the guards' security schemes (the document's own win) and the option's (which win over both). */
export function withSchemes(doc: Json, derived: Record<string, Json>, given: Record<string, Json>): Json {
  if (Object.keys(derived).length === 0 && Object.keys(given).length === 0) return doc;
  const components = isObject(doc.components) ? doc.components : {};
  const existing = isObject(components.securitySchemes) ? components.securitySchemes : {};
  return { ...doc, components: { ...components, securitySchemes: { ...derived, ...existing, ...given } } };
}
