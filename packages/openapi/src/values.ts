// Parameter values arrive as text; OpenAPI says how they are serialised (`style`, `explode`)
// and the schema says what they are. A `Shape` is what the schema allows, computed once at
// start-up; `deserialize` splits the text by style and `coerce` turns text into the types the
// shape allows, before Ajv validates the result.
import { deref, isObject, type Json } from './document.js';

/** What a schema allows, as far as turning text into values needs to know. */
export interface Shape {
  /** JSON types the schema allows (`string`, `number`, `integer`, `boolean`, `null`, `array`, `object`); empty = any. */
  types: ReadonlySet<string>;
  /** The shape of array items. */
  items?: Shape;
  /** The shapes of known object properties. */
  properties?: ReadonlyMap<string, Shape>;
  /** The shape of other object properties. */
  additional?: Shape;
}

const ANY: Shape = { types: new Set() };

/** The shape of a schema (`$ref`s followed, `oneOf`/`anyOf`/`allOf` merged), depth-limited. */
export function shapeOf(doc: Json, schema: unknown, depth = 0): Shape {
  if (!isObject(schema) || depth > 8) return ANY;
  let node: Json;
  try {
    node = deref(doc, schema, '#').node;
  } catch {
    return ANY;
  }
  const types = new Set<string>();
  let items: Shape | undefined;
  const properties = new Map<string, Shape>();
  let additional: Shape | undefined;
  const merge = (shape: Shape): void => {
    for (const type of shape.types) types.add(type);
    items ??= shape.items;
    for (const [name, inner] of shape.properties ?? []) if (!properties.has(name)) properties.set(name, inner);
    additional ??= shape.additional;
  };
  if (typeof node.type === 'string') types.add(node.type);
  else if (Array.isArray(node.type)) for (const type of node.type) types.add(String(type));
  for (const listed of [node.enum, node.const === undefined ? undefined : [node.const]]) {
    if (Array.isArray(listed)) for (const value of listed) types.add(jsonType(value));
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    const list = node[key];
    if (Array.isArray(list)) for (const part of list) merge(shapeOf(doc, part, depth + 1));
  }
  if (node.items !== undefined) items = shapeOf(doc, node.items, depth + 1);
  if (isObject(node.properties)) {
    for (const [name, inner] of Object.entries(node.properties)) properties.set(name, shapeOf(doc, inner, depth + 1));
  }
  if (isObject(node.additionalProperties)) additional = shapeOf(doc, node.additionalProperties, depth + 1);
  if (types.size === 0) {
    if (items !== undefined) types.add('array');
    if (properties.size > 0 || additional !== undefined) types.add('object');
  }
  return { types, items, properties, additional };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Candidate values for one piece of text, most specific first: a number when the shape allows
 * numbers and the text is one, a boolean for `true`/`false`, `null` for an empty text where
 * null is allowed, and the text itself where strings (or anything) are allowed.
 */
export function candidates(text: string, shape: Shape): unknown[] {
  const types = shape.types;
  const any = types.size === 0;
  const result: unknown[] = [];
  if ((types.has('integer') || types.has('number')) && NUMBER.test(text)) result.push(Number(text));
  if (types.has('boolean') && (text === 'true' || text === 'false')) result.push(text === 'true');
  if (types.has('null') && (text === '' || text === 'null')) result.push(null);
  if (any || types.has('string') || result.length === 0) result.push(text);
  return result;
}

/** A value whose parts are texts, turned into the first-choice types of its shape. */
export function coerce(value: unknown, shape: Shape): unknown {
  if (typeof value === 'string') return candidates(value, shape)[0];
  if (typeof value === 'number' && !shape.types.has('number') && !shape.types.has('integer')) {
    // A route filter already converted it (`<id:int>`) but the document says string.
    return shape.types.has('string') ? String(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => coerce(item, shape.items ?? ANY));
  if (isObject(value)) {
    const result = Object.create(null) as Json;
    for (const [key, inner] of Object.entries(value)) {
      result[key] = coerce(inner, shape.properties?.get(key) ?? shape.additional ?? ANY);
    }
    return result;
  }
  return value;
}

/** How a parameter is serialised. */
export interface Serialization {
  location: 'path' | 'query' | 'header' | 'cookie';
  style: string;
  explode: boolean;
  name: string;
}

/** The default style of a location (OpenAPI 3 §4.8.12.4). */
export function defaultStyle(location: Serialization['location']): string {
  return location === 'query' || location === 'cookie' ? 'form' : 'simple';
}

/** Splits `a,b,c` pairs into an object: `k,v,k,v` (not exploded) or `k=v,k=v` (exploded). */
function pairs(parts: string[], exploded: boolean): Json {
  const result = Object.create(null) as Json;
  if (exploded) {
    for (const part of parts) {
      const equals = part.indexOf('=');
      if (equals > 0) result[part.slice(0, equals)] = part.slice(equals + 1);
    }
  } else {
    for (let index = 0; index + 1 < parts.length; index += 2) result[parts[index] as string] = parts[index + 1];
  }
  return result;
}

/**
 * One serialised text (a path segment, a header, a cookie, a not-exploded query value) into
 * a text, a list of texts or an object of texts, by style and the shape's type. Undefined
 * when the text does not follow the style (a label value without its leading dot).
 */
export function deserialize(text: string, how: Serialization, shape: Shape): unknown {
  const kind = shape.types.has('array') ? 'array' : shape.types.has('object') ? 'object' : 'primitive';
  let body = text;
  let separator = ',';
  if (how.style === 'label') {
    if (!body.startsWith('.')) return undefined;
    body = body.slice(1);
    if (how.explode && kind !== 'primitive') separator = '.';
  } else if (how.style === 'matrix') {
    return fromMatrix(body, how, kind);
  } else if (how.style === 'spaceDelimited') {
    separator = ' ';
  } else if (how.style === 'pipeDelimited') {
    separator = '|';
  }
  if (kind === 'primitive') return body;
  let parts = body === '' ? [] : body.split(separator);
  // A header list may have spaces after its commas (RFC 9110 §5.6.1).
  if (how.location === 'header') parts = parts.map((part) => part.trim());
  return kind === 'array' ? parts : pairs(parts, how.explode);
}

function fromMatrix(text: string, how: Serialization, kind: string): unknown {
  if (!text.startsWith(';')) return undefined;
  const entries = text
    .slice(1)
    .split(';')
    .map((entry) => {
      const equals = entry.indexOf('=');
      return equals === -1 ? [entry, ''] : [entry.slice(0, equals), entry.slice(equals + 1)];
    }) as Array<[string, string]>;
  if (kind === 'object' && how.explode)
    return pairs(
      entries.map(([key, value]) => `${key}=${value}`),
      true,
    );
  const own = entries.filter(([key]) => key === how.name).map(([, value]) => value);
  if (own.length === 0) return undefined;
  if (kind === 'primitive') return own[0];
  if (kind === 'array') return how.explode ? own : (own[0] as string).split(',');
  return pairs((own[0] as string).split(','), false);
}

/** A deepObject query parameter: `filter[color]=red&filter[size]=2` → `{ color, size }`. */
export function deepObject(entries: Iterable<[string, string[]]>, name: string): Json | undefined {
  let result: Json | undefined;
  const prefix = `${name}[`;
  for (const [key, values] of entries) {
    if (!key.startsWith(prefix) || !key.endsWith(']')) continue;
    result ??= Object.create(null) as Json;
    result[key.slice(prefix.length, -1)] = values.length === 1 ? values[0] : values;
  }
  return result;
}
