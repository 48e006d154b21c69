import { HTTPException } from '../response/http-error.js';

/** Converts a raw field value; defaults are never converted. */
export type Converter<V, T> = (value: V) => T;

/**
 * An ordered, prototype-free multimap of named values: query arguments (`req.args`) and form
 * fields (`req.form`). A key named `__proto__` is just a key.
 *
 * @example
 * const page = req.args.getFirst('page', 1, Number);
 * const tags = req.args.getList('tag');
 */
export class Fields<V = string> implements Iterable<[string, V[]]> {
  #map: Map<string, V[]> = new Map();

  /** Appends a value for a key. */
  append(key: string, value: V): void {
    const list = this.#map.get(key);
    if (list) list.push(value);
    else this.#map.set(key, [value]);
  }

  /** Does the key exist? */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /** The keys, in first-seen order. */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.#map.size;
  }

  /** The first value of a key (converted), or the default. */
  getFirst(key: string): V | undefined;
  getFirst(key: string, defaultValue: V): V;
  getFirst<T, D = undefined>(key: string, defaultValue: D, convert: Converter<V, T>): T | D;
  getFirst<T>(key: string, defaultValue?: unknown, convert?: Converter<V, T>): unknown {
    const list = this.#map.get(key);
    if (!list || list.length === 0) return defaultValue;
    const value = list[0] as V;
    return convert ? convert(value) : value;
  }

  /** Every value of a key (converted), or the default (`[]` when none is given). */
  getList(key: string): V[];
  getList(key: string, defaultValue: V[]): V[];
  getList<T, D = T[]>(key: string, defaultValue: D, convert: Converter<V, T>): T[] | D;
  getList<T>(key: string, defaultValue?: unknown, convert?: Converter<V, T>): unknown {
    const list = this.#map.get(key);
    if (!list || list.length === 0) return defaultValue ?? [];
    return convert ? list.map((value) => convert(value)) : [...list];
  }

  /** The value of a key: one value, or a list when the key repeats; the default when missing. */
  getValue(key: string): V | V[] | undefined;
  getValue<D>(key: string, defaultValue: D): V | V[] | D;
  getValue<T, D = undefined>(key: string, defaultValue: D, convert: Converter<V, T>): T | T[] | D;
  getValue<T>(key: string, defaultValue?: unknown, convert?: Converter<V, T>): unknown {
    const list = this.#map.get(key);
    if (!list || list.length === 0) return defaultValue;
    if (list.length === 1) return convert ? convert(list[0] as V) : list[0];
    return convert ? list.map((value) => convert(value)) : [...list];
  }

  /** Iterates `[key, values]` pairs. */
  [Symbol.iterator](): IterableIterator<[string, V[]]> {
    return this.#map.entries();
  }

  /** A prototype-free plain object: single values as is, repeated keys as lists. */
  toJSON(): Record<string, V | V[]> {
    const result = Object.create(null) as Record<string, V | V[]>;
    for (const [key, list] of this.#map) result[key] = list.length === 1 ? (list[0] as V) : [...list];
    return result;
  }
}

/** Options of {@link parseQuery}. */
export interface QueryOptions {
  /** Keep `a=` as an empty string (default: dropped). */
  keepBlankValues?: boolean;
  /** A pair without `=` or with malformed percent-encoding is a 400 (default: tolerated). */
  strictParsing?: boolean;
  /** Most pairs accepted, repeated names included; one more is a 413 (forms: `limits.fields`). */
  maxPairs?: number;
}

function decodeComponent(text: string, strict: boolean): string {
  const plus = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    if (strict) throw new HTTPException(400, { error: 'malformed percent-encoding in the query or form' });
    // Lenient: decode what is valid, keep broken escapes as they are.
    return plus.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * Parses `application/x-www-form-urlencoded` text (a query string or a form body) in one pass,
 * counting every pair against `maxPairs` as it goes: no array of every pair is built first.
 */
export function parseQuery(text: string, options: QueryOptions = {}): Fields<string> {
  const fields = new Fields<string>();
  const strict = options.strictParsing === true;
  const maxPairs = options.maxPairs ?? Infinity;
  let pairs = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pair = text.slice(start, end);
    start = end + 1;
    if (pair === '') continue;
    pairs += 1;
    if (pairs > maxPairs) throw new HTTPException(413, { error: `more than ${maxPairs} form fields` });
    const eq = pair.indexOf('=');
    if (eq === -1 && strict) throw new HTTPException(400, { error: `malformed query pair '${pair}'` });
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq), strict);
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1), strict);
    if (value === '' && !options.keepBlankValues) continue;
    fields.append(key, value);
  }
  return fields;
}
