// Loading an OpenAPI document: files (JSON or YAML) and objects, `$ref`s across files bundled
// into one document once, OpenAPI 3.0's schema dialect rewritten into JSON Schema, and the
// JSON-pointer helpers the compiler uses to name what is wrong.
import { bundle, parse } from '@apidevtools/json-schema-ref-parser';

/** A JSON object as found in an OpenAPI document. */
export type Json = Record<string, unknown>;

/** A loaded document: its major.minor version and the bundled tree (internal `$ref`s only). */
export interface LoadedDocument {
  version: '3.0' | '3.1';
  doc: Json;
}

/** A mistake in the document, with the JSON pointer where it is. */
export class SpecError extends Error {
  /** The JSON pointer (`#/paths/~1pets/get`) of the offending part. */
  readonly pointer: string;

  constructor(pointer: string, message: string) {
    super(`invalid OpenAPI document at ${pointer}: ${message}`);
    this.name = 'SpecError';
    this.pointer = pointer;
  }
}

/** Is `value` a plain JSON object (not an array, not null)? */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One JSON-pointer token, escaped (`/` → `~1`, `~` → `~0`). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A pointer one level deeper. */
export function child(pointer: string, token: string | number): string {
  return `${pointer}/${escapeToken(String(token))}`;
}

/** The value a local pointer (`#/components/schemas/Pet`) names in `doc`, or undefined. */
export function resolvePointer(doc: Json, pointer: string): unknown {
  if (pointer === '#') return doc;
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/**
 * Follows `$ref`s (local ones: the document is bundled) from an object at `pointer` to the
 * object it stands for; returns it with its own pointer. A dangling or looping `$ref` is a
 * SpecError naming where it was found.
 */
export function deref(doc: Json, value: unknown, pointer: string): { node: Json; pointer: string } {
  let node = value;
  let at = pointer;
  for (let hops = 0; isObject(node) && typeof node.$ref === 'string'; hops += 1) {
    if (hops > 32) throw new SpecError(pointer, 'a $ref loop');
    const target = node.$ref;
    const found = resolvePointer(doc, target);
    if (found === undefined) throw new SpecError(at, `$ref '${target}' points nowhere`);
    node = found;
    at = target;
  }
  if (!isObject(node)) throw new SpecError(at, 'expected an object');
  return { node, pointer: at };
}

/**
 * Loads a document: a file path (JSON or YAML, `$ref`s to other files followed) or an object
 * (never modified: it is copied). Checks the `openapi` version and rewrites 3.0 schemas.
 */
export async function loadDocument(source: string | object): Promise<LoadedDocument> {
  let bundled: Json;
  try {
    const input = typeof source === 'string' ? source : (structuredClone(source) as Json);
    // Local $refs first, so a dangling one is reported where it is (the bundler cannot say).
    const root = typeof input === 'string' ? ((await parse(input)) as unknown) : input;
    if (isObject(root)) checkLocalRefs(root, root, '#', 0);
    bundled = (await bundle(input as never)) as unknown as Json;
  } catch (error) {
    if (error instanceof SpecError) throw error;
    const name = typeof source === 'string' ? source : 'the document object';
    throw new SpecError('#', `could not load ${name}: ${(error as Error).message}`);
  }
  if (!isObject(bundled)) throw new SpecError('#', 'the document is not an object');
  const declared = bundled.openapi;
  if (typeof declared !== 'string' || !/^3\.[01]\.\d+/.test(declared)) {
    const found = typeof declared === 'string' ? `'${declared}'` : 'no openapi field';
    throw new SpecError('#/openapi', `expected OpenAPI 3.0.x or 3.1.x, found ${found}`);
  }
  const version = declared.startsWith('3.0') ? '3.0' : '3.1';
  if (bundled.paths !== undefined && !isObject(bundled.paths)) {
    throw new SpecError('#/paths', 'paths must be an object');
  }
  if (version === '3.0') rewrite30(bundled, 0);
  return { version, doc: bundled };
}

/** Every local `$ref` of the root document must point somewhere. */
function checkLocalRefs(root: Json, node: unknown, pointer: string, depth: number): void {
  if (depth > 512 || typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((item, index) => checkLocalRefs(root, item, child(pointer, index), depth + 1));
    return;
  }
  const ref = (node as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#') && resolvePointer(root, ref) === undefined) {
    throw new SpecError(pointer, `$ref '${ref}' points nowhere`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (!DATA_KEYS.has(key)) checkLocalRefs(root, value, child(pointer, key), depth + 1);
  }
}

// Keys whose values are data, not schemas: left as written.
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const']);

/**
 * OpenAPI 3.0's schema object is JSON Schema draft 5 with extras; Ajv compiles draft 7. So:
 * boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, and `nullable: true` becomes
 * a `null` type (or an `anyOf` with `null` where there is no `type`). In place, on the copy.
 */
function rewrite30(node: unknown, depth: number): void {
  if (depth > 512) return;
  if (Array.isArray(node)) {
    for (const item of node) rewrite30(item, depth + 1);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (!DATA_KEYS.has(key)) rewrite30(value, depth + 1);
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] === true && typeof node[bound] === 'number') {
      node[flag] = node[bound];
      delete node[bound];
    } else {
      delete node[flag];
    }
  }
  if (node.nullable === true) {
    delete node.nullable;
    if (typeof node.type === 'string') {
      node.type = [node.type, 'null'];
      if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...(node.enum as unknown[]), null];
    } else if (node.type === undefined && typeof node.$ref !== 'string') {
      const rest = { ...node };
      for (const key of Object.keys(node)) delete node[key];
      node.anyOf = [{ type: 'null' }, rest];
    } else if (typeof node.$ref === 'string') {
      // 3.0 ignores siblings of $ref, but `nullable` next to one is common: honour it.
      node.anyOf = [{ type: 'null' }, { $ref: node.$ref }];
      delete node.$ref;
    }
  } else if (node.nullable === false) {
    delete node.nullable;
  }
}
