// Start-up: every operation of the document compiled once into plain data and Ajv validator
// functions. Nothing here runs per request; a mistake in the document is a SpecError with the
// JSON pointer of the part at fault.
import { Ajv, type ErrorObject, type Format, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Logger } from '@poor/core';
import { child, deref, isObject, SpecError, type Json, type LoadedDocument } from './document.js';
import { defaultStyle, shapeOf, type Serialization, type Shape } from './values.js';

/** A compiled validator: true, or the first error. */
export type Check = (value: unknown) => ErrorObject | undefined;

/** One parameter of an operation. */
export interface ParameterRule extends Serialization {
  required: boolean;
  shape: Shape;
  check: Check;
  /** `content: { 'application/json': … }` instead of a style: the text is JSON. */
  json: boolean;
  defaultValue: unknown;
  /** `allowEmptyValue` (query only): `?name=` is accepted as `''` without validation. */
  allowEmpty: boolean;
}

/** How a media type's body is read. */
export type BodyKind = 'json' | 'form' | 'text' | 'other';

/** One declared media type (of a request body or a response). */
export interface MediaRule {
  /** `type/subtype`, either part may be `*`. */
  range: string;
  kind: BodyKind;
  shape: Shape;
  check: Check | undefined;
}

/** A security scheme, reduced to where its credential is found. */
export interface SchemeRule {
  name: string;
  where: 'header' | 'query' | 'cookie' | 'authorization' | 'tls';
  /** Header (lower-case), query or cookie name; for `authorization`, the lower-case auth scheme. */
  key: string;
  /** The name as the document writes it, for messages. */
  label: string;
  scopes: readonly string[];
}

/** One compiled operation. */
export interface Operation {
  method: string;
  /** The path template as written in the document (`/pets/{id}`). */
  template: string;
  operationId: string | undefined;
  pointer: string;
  /** Path template parameter names, in order. */
  pathNames: readonly string[];
  parameters: readonly ParameterRule[];
  body: { required: boolean; media: readonly MediaRule[] } | undefined;
  /** By status code, `2XX` or `default`. */
  responses: ReadonlyMap<string, { pointer: string; media: readonly MediaRule[] }>;
  /** Alternatives (any one suffices), each a list of schemes (all needed); undefined: none. */
  security: ReadonlyArray<readonly SchemeRule[]> | undefined;
}

/** The compiled document: operations by normalised template (`/pets/{}`) and method. */
export interface CompiledDocument {
  operations: Map<string, Map<string, Operation>>;
  /** Base paths of `servers` (`''` for the root). */
  bases: string[];
  /** Milliseconds the compilation took. */
  millis: number;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Header parameters OpenAPI says to ignore (they are described elsewhere). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const DOC_ID = 'poor-openapi-document';

/** Options that shape compilation. */
export interface CompileOptions {
  formats?: Record<string, Format>;
  logger: Logger;
}

/** `{a}` → `{}`: templates and route patterns compared by shape, not by parameter names. */
export function normalizeTemplate(template: string): string {
  return template.replace(/\{[^{}]*\}/g, '{}');
}

/** Compiles every operation; throws a SpecError for the first mistake. */
export function compileDocument(loaded: LoadedDocument, options: CompileOptions): CompiledDocument {
  const started = performance.now();
  const { doc } = loaded;
  const ajv = newAjv(loaded.version, options);
  const checks = new Map<string, Check>();
  const compile = (schema: unknown, pointer: string): Check => {
    // A schema that is only a $ref shares the validator of its target.
    const ref = isObject(schema) && typeof schema.$ref === 'string' && Object.keys(schema).length === 1;
    const target = ref ? (schema.$ref as string) : pointer;
    let check = checks.get(target);
    if (check === undefined) {
      check = compileAt(ajv, doc, schema, target, pointer);
      checks.set(target, check);
    }
    return check;
  };
  const schemes = securitySchemes(doc);
  const operations = new Map<string, Map<string, Operation>>();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [template, rawItem] of Object.entries(paths)) {
    const itemPointer = child('#/paths', template);
    const item = deref(doc, rawItem, itemPointer);
    const byMethod = new Map<string, Operation>();
    for (const method of METHODS) {
      if (item.node[method] === undefined) continue;
      const pointer = child(item.pointer, method);
      const op = deref(doc, item.node[method], pointer).node;
      byMethod.set(method.toUpperCase(), {
        method: method.toUpperCase(),
        template,
        operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
        pointer,
        pathNames: [...template.matchAll(/\{([^{}]*)\}/g)].map((found) => found[1] as string),
        parameters: parameters(doc, item, op, pointer, compile),
        body: requestBody(doc, op.requestBody, child(pointer, 'requestBody'), compile),
        responses: responses(doc, op.responses, child(pointer, 'responses'), compile),
        security: security(op.security ?? doc.security, pointer, schemes),
      });
    }
    const key = normalizeTemplate(template);
    if (operations.has(key)) throw new SpecError(itemPointer, `the same path as another template (${key})`);
    operations.set(key, byMethod);
  }
  return { operations, bases: basePaths(doc), millis: performance.now() - started };
}

function newAjv(version: LoadedDocument['version'], options: CompileOptions): Ajv {
  const logger = options.logger;
  // strict: false — OpenAPI documents carry keywords JSON Schema does not know (`example`,
  // `xml`, `discriminator`, `x-…` extensions); Ajv ignores them instead of refusing the document.
  const settings = {
    strict: false,
    allErrors: false,
    validateFormats: true,
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => logger.warn(`Poor openapi: ${args.map(String).join(' ')}`),
      error: (...args: unknown[]) => logger.error(`Poor openapi: ${args.map(String).join(' ')}`),
    },
    formats: options.formats,
  };
  const ajv = version === '3.0' ? new Ajv(settings) : (new Ajv2020(settings) as unknown as Ajv);
  addFormats.default(ajv);
  // int64 with its range (ajv-formats checks only that it is an integer). A double cannot
  // tell 2^63 - 1 from 2^63, so the bound is 2^63 itself, on both sides.
  ajv.addFormat('int64', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && Math.abs(value) <= 2 ** 63,
  });
  // OpenAPI's own formats that ajv-formats leaves out.
  for (const name of ['int32', 'int64', 'float', 'double', 'password', 'binary', 'byte']) {
    if (!ajv.formats[name]) ajv.addFormat(name, true);
  }
  return ajv;
}

function compileAt(ajv: Ajv, doc: Json, schema: unknown, target: string, pointer: string): Check {
  if (!isObject(schema) && typeof schema !== 'boolean') throw new SpecError(pointer, 'a schema must be an object');
  if (isObject(schema) && !(ajv.validateSchema(schema) as boolean)) {
    const error = ajv.errors?.[0];
    throw new SpecError(`${pointer}${error?.instancePath ?? ''}`, `invalid schema: ${error?.message ?? 'rejected'}`);
  }
  let validate: ValidateFunction;
  try {
    if (ajv.getSchema(DOC_ID) === undefined) ajv.addSchema(doc, DOC_ID);
    const fragment = target
      .slice(1)
      .split('/')
      .map((token) => encodeURIComponent(token))
      .join('/');
    validate = ajv.compile({ $ref: `${DOC_ID}#${fragment}` });
  } catch (error) {
    throw new SpecError(pointer, `invalid schema: ${(error as Error).message}`);
  }
  return (value) => (validate(value) ? undefined : mainError(validate.errors ?? []));
}

/**
 * The error worth showing. Ajv reports the failures of each `oneOf`/`anyOf` branch before the
 * summary: "must be number" for a value that may also be a uuid would mislead, so the summary wins.
 */
function mainError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const summary = errors.findLast((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
  return summary ?? errors[0];
}

type Compile = (schema: unknown, pointer: string) => Check;

function parameters(
  doc: Json,
  item: { node: Json; pointer: string },
  op: Json,
  pointer: string,
  compile: Compile,
): ParameterRule[] {
  const byKey = new Map<string, ParameterRule>();
  for (const [list, at] of [
    [item.node.parameters, child(item.pointer, 'parameters')],
    [op.parameters, child(pointer, 'parameters')],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new SpecError(at, 'parameters must be an array');
    list.forEach((raw, index) => {
      const rule = parameter(doc, raw, child(at, index), compile);
      // An operation's parameter overrides the path item's of the same name and location.
      if (rule !== undefined)
        byKey.set(`${rule.location}:${rule.location === 'header' ? rule.name.toLowerCase() : rule.name}`, rule);
    });
  }
  return [...byKey.values()];
}

function parameter(doc: Json, raw: unknown, at: string, compile: Compile): ParameterRule | undefined {
  const { node, pointer } = deref(doc, raw, at);
  const location = node.in;
  if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') {
    throw new SpecError(child(pointer, 'in'), `'in' must be path, query, header or cookie`);
  }
  if (typeof node.name !== 'string' || node.name === '')
    throw new SpecError(child(pointer, 'name'), 'a parameter needs a name');
  if (location === 'header' && IGNORED_HEADERS.has(node.name.toLowerCase())) return undefined;
  let schema = node.schema;
  let schemaPointer = child(pointer, 'schema');
  let json = false;
  if (schema === undefined && isObject(node.content)) {
    const [media, value] = Object.entries(node.content)[0] ?? [];
    if (media === undefined || !isObject(value)) throw new SpecError(child(pointer, 'content'), 'an empty content map');
    json = /json/i.test(media);
    schema = value.schema ?? {};
    schemaPointer = child(child(child(pointer, 'content'), media), 'schema');
  }
  const style = typeof node.style === 'string' ? node.style : defaultStyle(location);
  const resolved = isObject(schema) ? deref(doc, schema, schemaPointer).node : {};
  return {
    location,
    name: node.name,
    style,
    explode: typeof node.explode === 'boolean' ? node.explode : style === 'form',
    required: location === 'path' || node.required === true,
    shape: shapeOf(doc, schema ?? {}),
    check: compile(schema ?? {}, schemaPointer),
    json,
    defaultValue: resolved.default,
    allowEmpty: location === 'query' && node.allowEmptyValue === true,
  };
}

/** What a media range's body is read as. */
export function kindOf(range: string): BodyKind {
  const type = range.toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') return 'form';
  if (type.startsWith('text/')) return 'text';
  return 'other';
}

function mediaRules(doc: Json, content: unknown, at: string, compile: Compile): MediaRule[] {
  if (content === undefined) return [];
  if (!isObject(content)) throw new SpecError(at, 'content must be an object');
  return Object.entries(content).map(([range, raw]) => {
    const pointer = child(at, range);
    if (!isObject(raw)) throw new SpecError(pointer, 'a media type object must be an object');
    if (!/^[\w.+*-]+\/[\w.+*-]+/.test(range)) throw new SpecError(pointer, `'${range}' is not a media range`);
    const kind = kindOf(range.split(';')[0]?.trim() ?? range);
    const schema = raw.schema;
    const check = schema === undefined || kind === 'other' ? undefined : compile(schema, child(pointer, 'schema'));
    return { range: range.split(';')[0]?.trim().toLowerCase() ?? range, kind, shape: shapeOf(doc, schema), check };
  });
}

function requestBody(doc: Json, raw: unknown, at: string, compile: Compile): Operation['body'] {
  if (raw === undefined) return undefined;
  const { node, pointer } = deref(doc, raw, at);
  return { required: node.required === true, media: mediaRules(doc, node.content, child(pointer, 'content'), compile) };
}

function responses(doc: Json, raw: unknown, at: string, compile: Compile): Operation['responses'] {
  const result = new Map<string, { pointer: string; media: MediaRule[] }>();
  if (raw === undefined) return result;
  if (!isObject(raw)) throw new SpecError(at, 'responses must be an object');
  for (const [status, value] of Object.entries(raw)) {
    if (status.startsWith('x-')) continue;
    if (!/^(?:[1-5](?:\d\d|XX)|default)$/.test(status))
      throw new SpecError(child(at, status), `'${status}' is not a status code`);
    const { node, pointer } = deref(doc, value, child(at, status));
    result.set(status, { pointer, media: mediaRules(doc, node.content, child(pointer, 'content'), compile) });
  }
  return result;
}

function securitySchemes(doc: Json): Map<string, Omit<SchemeRule, 'scopes'>> {
  const result = new Map<string, Omit<SchemeRule, 'scopes'>>();
  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, raw] of Object.entries(schemes)) {
    const { node, pointer } = deref(doc, raw, child('#/components/securitySchemes', name));
    if (node.type === 'apiKey') {
      if (node.in !== 'header' && node.in !== 'query' && node.in !== 'cookie') {
        throw new SpecError(child(pointer, 'in'), 'an apiKey is in a header, the query or a cookie');
      }
      if (typeof node.name !== 'string') throw new SpecError(child(pointer, 'name'), 'an apiKey needs a name');
      const key = node.in === 'header' ? node.name.toLowerCase() : node.name;
      result.set(name, { name, where: node.in, key, label: node.name });
    } else if (node.type === 'http') {
      if (typeof node.scheme !== 'string')
        throw new SpecError(child(pointer, 'scheme'), 'an http scheme needs a scheme');
      result.set(name, { name, where: 'authorization', key: node.scheme.toLowerCase(), label: 'Authorization' });
    } else if (node.type === 'oauth2' || node.type === 'openIdConnect') {
      result.set(name, { name, where: 'authorization', key: 'bearer', label: 'Authorization' });
    } else if (node.type === 'mutualTLS') {
      result.set(name, { name, where: 'tls', key: '', label: 'client certificate' });
    } else {
      throw new SpecError(child(pointer, 'type'), `unknown security scheme type '${String(node.type)}'`);
    }
  }
  return result;
}

function security(
  raw: unknown,
  pointer: string,
  schemes: Map<string, Omit<SchemeRule, 'scopes'>>,
): Operation['security'] {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw new SpecError(child(pointer, 'security'), 'security must be an array');
  // `{}` among the alternatives makes the operation's credentials optional.
  if (raw.length === 0 || raw.some((alternative) => isObject(alternative) && Object.keys(alternative).length === 0)) {
    return undefined;
  }
  return raw.map((alternative, index) => {
    if (!isObject(alternative))
      throw new SpecError(child(child(pointer, 'security'), index), 'a security requirement is an object');
    return Object.entries(alternative).map(([name, scopes]) => {
      const scheme = schemes.get(name);
      if (!scheme)
        throw new SpecError(child(child(pointer, 'security'), index), `no security scheme '${name}' in components`);
      return { ...scheme, scopes: Array.isArray(scopes) ? scopes.map(String) : [] };
    });
  });
}

/** The base paths of `servers` (variables take their defaults); the root when there are none. */
function basePaths(doc: Json): string[] {
  const servers = Array.isArray(doc.servers) && doc.servers.length > 0 ? doc.servers : [{ url: '/' }];
  const bases = new Set<string>();
  servers.forEach((server: unknown, index) => {
    if (!isObject(server) || typeof server.url !== 'string')
      throw new SpecError(`#/servers/${index}`, 'a server needs a url');
    const variables = isObject(server.variables) ? server.variables : {};
    const url = server.url.replace(/\{([^{}]+)\}/g, (_all, name: string) => {
      const variable = variables[name];
      return isObject(variable) && typeof variable.default === 'string' ? variable.default : '';
    });
    let path: string;
    try {
      path = new URL(url, 'http://localhost').pathname;
    } catch {
      throw new SpecError(`#/servers/${index}/url`, `'${server.url}' is not a URL`);
    }
    bases.add(path.replace(/\/+$/, ''));
  });
  return [...bases].sort((a, b) => b.length - a.length);
}
