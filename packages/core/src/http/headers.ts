/** A header value: strings, or numbers converted to strings. */
export type HeaderValue = string | number;

/** What a {@link Headers} can be built from. */
export type HeadersInit =
  Headers | Iterable<readonly [string, HeaderValue]> | Record<string, HeaderValue | readonly HeaderValue[]>;

// RFC 9110 §5.6.2 token characters.
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_VALUE = /[\r\n\0]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** Internal: appends a header the framework itself made (constant name, safe value) unchecked. */
export const kTrustedAppend = Symbol('poor.trustedAppend');

function checkName(name: string): string {
  if (typeof name !== 'string' || !TOKEN.test(name))
    throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
  return name;
}

function checkValue(name: string, value: HeaderValue): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw new TypeError(`header ${name}: value must be a string or a number`);
  if (FORBIDDEN_VALUE.test(text)) throw new TypeError(`header ${name}: CR, LF and NUL are not allowed in values`);
  return text;
}

/**
 * An ordered, case-insensitive multimap of HTTP headers. Names and values are validated:
 * a name that is not a token or a value with CR, LF or NUL throws `TypeError` (no header
 * injection). Values with non-ASCII characters are sent as UTF-8 bytes.
 */
export class Headers implements Iterable<[string, string]> {
  /** Flat `[name, value, …]`, the form `res.writeHead()` takes. */
  #raw: string[] = [];
  /** Lower-case names, parallel to the names in `#raw`. */
  #lower: string[] = [];
  #nonAscii = false;

  constructor(init?: HeadersInit) {
    if (init === undefined) return;
    if (init instanceof Headers) {
      for (const [name, value] of init) this.add(name, value, true);
    } else if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, HeaderValue]>) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('headers must be [name, value] pairs');
        this.add(pair[0], pair[1], true);
      }
    } else {
      for (const [name, value] of Object.entries(init)) {
        if (Array.isArray(value)) for (const item of value as HeaderValue[]) this.add(name, item, true);
        else this.add(name, value as HeaderValue, true);
      }
    }
  }

  /** Builds headers from `IncomingMessage.rawHeaders`, trusting Node's parser. */
  static fromRaw(raw: readonly string[]): Headers {
    const headers = new Headers();
    headers.#raw = [...raw];
    for (let index = 0; index < raw.length; index += 2) headers.#lower.push((raw[index] as string).toLowerCase());
    return headers;
  }

  #index(name: string): number {
    const lower = name.toLowerCase();
    return this.#lower.indexOf(lower);
  }

  #push(name: string, value: string): void {
    this.#raw.push(name, value);
    this.#lower.push(name.toLowerCase());
    if (!this.#nonAscii && NON_ASCII.test(value)) this.#nonAscii = true;
  }

  /** @internal Appends without validation: only for framework constants. */
  [kTrustedAppend](name: string, lower: string, value: string): void {
    this.#raw.push(name, value);
    this.#lower.push(lower);
  }

  /** Is any of these lower-case names present? */
  hasAny(lowerNames: readonly string[]): boolean {
    const lower = this.#lower;
    for (let index = 0; index < lower.length; index += 1) {
      if (lowerNames.includes(lower[index] as string)) return true;
    }
    return false;
  }

  /** The first value of a header. */
  get(name: string): string | undefined {
    const index = this.#index(name);
    return index === -1 ? undefined : this.#raw[index * 2 + 1];
  }

  /** Every value of a header, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const values: string[] = [];
    for (let index = 0; index < this.#lower.length; index += 1) {
      if (this.#lower[index] === lower) values.push(this.#raw[index * 2 + 1] as string);
    }
    return values;
  }

  /** Is the header present? */
  has(name: string): boolean {
    return this.#index(name) !== -1;
  }

  /** Replaces every value of a header with one value. */
  set(name: string, value: HeaderValue): this {
    const text = checkValue(checkName(name), value);
    const index = this.#index(name);
    if (index === -1) {
      this.#push(name, text);
      return this;
    }
    this.#raw[index * 2 + 1] = text;
    if (!this.#nonAscii && NON_ASCII.test(text)) this.#nonAscii = true;
    this.#removeFrom(name.toLowerCase(), index + 1);
    return this;
  }

  #removeFrom(lower: string, start: number): number {
    let removed = 0;
    for (let index = this.#lower.length - 1; index >= start; index -= 1) {
      if (this.#lower[index] === lower) {
        this.#lower.splice(index, 1);
        this.#raw.splice(index * 2, 2);
        removed += 1;
      }
    }
    return removed;
  }

  /**
   * Adds a header; a name already present throws `TypeError`, except `Set-Cookie`
   * (use {@link Headers.addHeader} to append duplicates on purpose).
   */
  add(name: string, value: HeaderValue, allowDuplicate = false): this {
    const text = checkValue(checkName(name), value);
    if (!allowDuplicate && name.toLowerCase() !== 'set-cookie' && this.has(name)) {
      throw new TypeError(`header ${name} is already set`);
    }
    this.#push(name, text);
    return this;
  }

  /**
   * Appends a header (duplicates allowed). A list value is rendered as a negotiation list;
   * `params` are appended as `; key="value"` (underscores become dashes) or `; key` for null.
   */
  addHeader(
    name: string,
    value?: HeaderValue | ReadonlyArray<readonly [string, number]>,
    params?: Record<string, string | null | undefined>,
  ): this {
    const parts: string[] = [];
    if (Array.isArray(value)) parts.push(renderNegotiation(value as ReadonlyArray<readonly [string, number]>));
    else if (value !== undefined && value !== '') parts.push(String(value));
    for (const [key, param] of Object.entries(params ?? {})) {
      const attribute = key.replace(/_/g, '-');
      if (param === undefined) continue;
      parts.push(param === null ? attribute : `${attribute}="${param.replace(/(["\\])/g, '\\$1')}"`);
    }
    if (parts.length === 0) throw new TypeError(`header ${name}: a value or parameters are required`);
    return this.add(name, parts.join('; '), true);
  }

  /** Removes every value of a header; returns whether any was present. */
  delete(name: string): boolean {
    return this.#removeFrom(name.toLowerCase(), 0) > 0;
  }

  /** Number of header lines. */
  get size(): number {
    return this.#lower.length;
  }

  /** `[name, value]` pairs in order. */
  *entries(): IterableIterator<[string, string]> {
    for (let index = 0; index < this.#raw.length; index += 2) {
      yield [this.#raw[index] as string, this.#raw[index + 1] as string];
    }
  }

  /** Header names in order (duplicates repeated). */
  *keys(): IterableIterator<string> {
    for (let index = 0; index < this.#raw.length; index += 2) yield this.#raw[index] as string;
  }

  /** Header values in order. */
  *values(): IterableIterator<string> {
    for (let index = 1; index < this.#raw.length; index += 2) yield this.#raw[index] as string;
  }

  /** `[name, value]` pairs in order. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /**
   * The flat `[name, value, …]` list for `res.writeHead()`. Returned without copying when every
   * value is ASCII; otherwise values are re-encoded so their UTF-8 bytes go on the wire.
   */
  toRaw(): readonly string[] {
    if (!this.#nonAscii) return this.#raw;
    return this.#raw.map((item, index) =>
      index % 2 === 1 && NON_ASCII.test(item) ? Buffer.from(item, 'utf8').toString('latin1') : item,
    );
  }

  /** A plain object: repeated headers become lists. */
  toJSON(): Record<string, string | string[]> {
    const result = Object.create(null) as Record<string, string | string[]>;
    for (const [name, value] of this) {
      const current = result[name];
      if (current === undefined) result[name] = value;
      else result[name] = Array.isArray(current) ? [...current, value] : [current, value];
    }
    return result;
  }
}

/** Splits on a separator outside double-quoted strings (every other character is kept as is). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\' && quoted) index += 1;
    else if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, '$1')
    : value;
}

/**
 * Parses a header with parameters: `text/html; charset="utf-8"` →
 * `{ value: 'text/html', params: { charset: 'utf-8' } }` (names lower-cased, prototype-free).
 */
export function parseHeader(value: string): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = splitOutsideQuotes(value, ';');
  const params = Object.create(null) as Record<string, string>;
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) {
      const key = part.trim().toLowerCase();
      if (key) params[key] = '';
      continue;
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    if (key) params[key] = unquote(part.slice(eq + 1).trim());
  }
  return { value: first.trim(), params };
}

const QUALITY = /;\s*q\s*=\s*([^;]*?)\s*(?=;|$)/i;

/**
 * Parses a negotiation header (`Accept`, `Accept-Language` …) into `[value, quality]` pairs in
 * header order; a missing or unparseable quality is 1. An empty header gives `[['', 1]]`.
 */
export function parseNegotiation(value: string | undefined): Array<[string, number]> {
  if (!value) return [['', 1]];
  const result: Array<[string, number]> = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const found = QUALITY.exec(item);
    let quality = 1;
    let text = item;
    if (found) {
      const parsed = found[1] === '' ? Number.NaN : Number(found[1]);
      if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) quality = parsed;
      text = (item.slice(0, found.index) + item.slice(found.index + found[0].length)).trim();
    }
    result.push([text.replace(/\s*;\s*/g, ';'), quality]);
  }
  return result.length > 0 ? result : [['', 1]];
}

/** Renders `[value, quality]` pairs (or plain values) as a negotiation header. */
export function renderNegotiation(list: ReadonlyArray<readonly [string, number] | string>): string {
  return list.map((item) => (typeof item === 'string' ? item : `${item[0]};q=${item[1]}`)).join(', ');
}
