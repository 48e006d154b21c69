import { builtinFilters, type FilterConverter, type RouteFilter } from './filters.js';

/** A function registered for a route (already bound to its controller). */
export type RouteFunction = (...args: never[]) => unknown;

/** One registered route: a pattern, its handlers per method and per upgrade protocol. */
export interface RouteEntry {
  /** The pattern as registered (`/user/<id:int>`). */
  readonly pattern: string;
  /** Handlers by method (`GET`, `POST`, `*` …). */
  readonly handlers: Map<string, RouteFunction>;
  /** Upgrade handlers by lower-case protocol token (`websocket`), completed by the protocol's add-on. */
  readonly upgrades: Map<string, RouteFunction>;
  /** Names of the parameters, in pattern order (empty for static routes). */
  readonly params: readonly string[];
}

interface PatternRoute extends RouteEntry {
  readonly regex: RegExp;
  readonly converters: ReadonlyArray<FilterConverter | undefined>;
  /** Index in the match array of each parameter's group (filters may add groups of their own). */
  readonly indexes: readonly number[];
}

/** Result of {@link Router.match}. */
export type RouteMatch =
  | {
      kind: 'found';
      route: RouteEntry;
      handler: RouteFunction;
      /** Converted values by parameter name (prototype-free). */
      params: Record<string, unknown>;
      /** Converted values in pattern order (handler arguments). */
      args: unknown[];
    }
  | {
      kind: 'method';
      /** The `Allow` header value. */
      allow: string;
      /** Upgrade protocols the path takes (`websocket`), for a 426 answer to a plain GET. */
      upgrade: string | undefined;
    }
  | { kind: 'none' };

const GROUP = /<([^<>]*)>/g;
const NAME = /^\w+$/u;
/**
 * Route parameters: objects without `Object.prototype` in their chain (a parameter named
 * `__proto__` or `constructor` is plain data), built fast by a constructor rather than by
 * `Object.create(null)`, which V8 makes a slow dictionary object.
 */
const Params = function Params() {} as unknown as new () => Record<string, unknown>;
Params.prototype = Object.create(null) as object;

/** Static routes' parameters: the same kind of object as a pattern route's, frozen. */
const EMPTY_PARAMS: Record<string, unknown> = Object.freeze(new Params());
const EMPTY_ARGS: unknown[] = [];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** True when a pattern has groups (`<name>`), i.e. is not a static path. */
export function isPattern(pattern: string): boolean {
  return pattern.includes('<');
}

/** The first path segment, which routes are grouped by (`/a/b` → `a`). */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

/**
 * The URI router: static paths in a Map (O(1)), pattern routes bucketed by their first
 * static segment and tried in registration order, converters applied by group name.
 */
export class Router {
  /** Filters by lower-case name. */
  readonly filters: Map<string, RouteFilter> = builtinFilters();
  #static = new Map<string, RouteEntry>();
  #patterns: PatternRoute[] = [];
  /** Pattern routes by first static segment; each bucket also holds the dynamic-first routes, in order. */
  #buckets = new Map<string, PatternRoute[]>();
  /** Pattern routes whose first segment is not static, in registration order. */
  #dynamic: PatternRoute[] = [];
  /** RFC 9110's methods are always known (405/404 for them); other tokens once a route uses them. */
  #methods = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']);
  #wildcard = 0;
  /** Static entries' 405 answers; dropped when the entry's methods change. */
  #allowCache = new WeakMap<RouteEntry, RouteMatch>();

  /** Every static route, in registration order. */
  get staticRoutes(): RouteEntry[] {
    return [...this.#static.values()];
  }

  /** Every pattern route, in matching order. */
  get patternRoutes(): RouteEntry[] {
    return [...this.#patterns];
  }

  /** Every route entry, static ones first, then patterns in matching order. */
  get entries(): RouteEntry[] {
    return [...this.#static.values(), ...this.#patterns];
  }

  /** Adds or replaces a filter (name is case-insensitive). */
  setFilter(name: string, regex: string | RegExp, convert?: FilterConverter): void {
    const key = name.replace(/^:/, '').toLowerCase();
    if (!NAME.test(key)) throw new TypeError(`invalid filter name '${name}'`);
    const source = typeof regex === 'string' ? regex : regex.source;
    try {
      new RegExp(source, 'u');
    } catch (error) {
      throw new TypeError(`invalid regular expression for filter '${name}': ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.filters.set(key, convert ? { regex: source, convert } : { regex: source });
  }

  #entry(pattern: string): RouteEntry {
    // `*` is the asterisk-form target of `OPTIONS *` (RFC 9110 §9.3.7): the server itself.
    if (!pattern.startsWith('/') && pattern !== '*') throw new TypeError(`route '${pattern}' must start with '/'`);
    const entry: RouteEntry | undefined = isPattern(pattern)
      ? this.#patterns.find((route) => route.pattern === pattern)
      : this.#static.get(pattern);
    return entry ?? (isPattern(pattern) ? this.#addPattern(pattern) : this.#addStatic(pattern));
  }

  /** The entry registered for exactly this pattern, if any. */
  get(pattern: string): RouteEntry | undefined {
    return isPattern(pattern) ? this.#patterns.find((route) => route.pattern === pattern) : this.#static.get(pattern);
  }

  /** Registers `handler` for `pattern` and each method; a duplicate throws `TypeError`. */
  add(pattern: string, methods: readonly string[], handler: RouteFunction): RouteEntry {
    const entry = this.#entry(pattern);
    this.#allowCache.delete(entry);
    for (const method of methods) {
      if (entry.handlers.has(method)) {
        throw new TypeError(`route '${pattern}' is already registered for ${method}`);
      }
    }
    for (const method of methods) {
      entry.handlers.set(method, handler);
      if (method === '*') this.#wildcard += 1;
      else this.#methods.add(method);
    }
    return entry;
  }

  /** Registers the upgrade handler of `protocol` (lower-case token) for `pattern`; a duplicate throws. */
  addUpgrade(pattern: string, protocol: string, handler: RouteFunction): RouteEntry {
    const entry = this.#entry(pattern);
    this.#allowCache.delete(entry);
    const token = protocol.toLowerCase();
    if (entry.upgrades.has(token)) throw new TypeError(`route '${pattern}' already has a ${token} handler`);
    entry.upgrades.set(token, handler);
    return entry;
  }

  /** Removes a route for one method, or for all methods; returns whether anything was removed. */
  remove(pattern: string, method?: string): boolean {
    const entry = this.get(pattern);
    if (!entry) return false;
    this.#allowCache.delete(entry);
    const targets = method === undefined ? [...entry.handlers.keys()] : [method];
    let removed = false;
    for (const target of targets) {
      if (entry.handlers.delete(target)) {
        removed = true;
        if (target === '*') this.#wildcard -= 1;
      }
    }
    if (method === undefined && entry.upgrades.size > 0) {
      entry.upgrades.clear();
      removed = true;
    }
    if (entry.handlers.size === 0 && entry.upgrades.size === 0) {
      if (isPattern(pattern)) this.#rebuild(this.#patterns.filter((route) => route !== entry));
      else this.#static.delete(pattern);
    }
    return removed;
  }

  /** Is the method standard, or taken by some route (or a `*` route)? Other tokens get 501. */
  knowsMethod(method: string): boolean {
    return this.#wildcard > 0 || this.#methods.has(method);
  }

  /** Registers a method as known without a route (default handlers, add-ons). */
  addMethod(method: string): void {
    this.#methods.add(method);
  }

  /**
   * Finds the handler for a method and a decoded path, or with `protocol` (an upgrade request)
   * the upgrade handler of that protocol.
   */
  match(method: string, path: string, protocol?: string): RouteMatch {
    const entry = this.#static.get(path);
    if (entry !== undefined) {
      const handler = protocol === undefined ? pick(entry.handlers, method) : entry.upgrades.get(protocol);
      if (handler !== undefined) {
        return { kind: 'found', route: entry, handler, params: EMPTY_PARAMS, args: EMPTY_ARGS };
      }
    }
    return this.#matchPattern(method, path, protocol, entry);
  }

  // Kept apart from match(): V8 optimizes the static-route look-up and this loop separately,
  // so an app that serves static routes first does not leave the pattern path unoptimized
  // (measured: a parameter route 2× slower after the same process had served /hello).
  #matchPattern(method: string, path: string, protocol: string | undefined, entry: RouteEntry | undefined): RouteMatch {
    const candidates = this.#buckets.get(firstSegment(path)) ?? this.#dynamic;
    let allowed: Set<string> | undefined;
    let upgrade: string | undefined;
    for (const route of candidates) {
      const found = route.regex.exec(path);
      if (found === null) continue;
      const handler = protocol === undefined ? pick(route.handlers, method) : route.upgrades.get(protocol);
      if (handler === undefined) {
        allowed ??= new Set();
        upgrade ??= addAllowed(allowed, route);
        continue;
      }
      const params = new Params();
      const args: unknown[] = [];
      for (let index = 0; index < route.params.length; index += 1) {
        const raw = found[route.indexes[index] as number] ?? '';
        const convert = route.converters[index];
        const value = convert ? convert(raw) : raw;
        params[route.params[index] as string] = value;
        args.push(value);
      }
      return { kind: 'found', route, handler, params, args };
    }
    if (entry !== undefined) {
      // The common 405: only the static route has the path. Its Allow value is kept.
      if (allowed === undefined) return this.#allowOf(entry);
      upgrade ??= addAllowed(allowed, entry);
    }
    if (allowed !== undefined) return { kind: 'method', allow: renderAllow(allowed), upgrade };
    return { kind: 'none' };
  }

  /** The 405 answer for one static entry, computed once per change of its methods. */
  #allowOf(entry: RouteEntry): RouteMatch {
    let found = this.#allowCache.get(entry);
    if (found === undefined) {
      const allowed = new Set<string>();
      const upgrade = addAllowed(allowed, entry);
      found = { kind: 'method', allow: renderAllow(allowed), upgrade };
      this.#allowCache.set(entry, found);
    }
    return found;
  }

  #addStatic(pattern: string): RouteEntry {
    const entry: RouteEntry = { pattern, handlers: new Map(), upgrades: new Map(), params: [] };
    this.#static.set(pattern, entry);
    return entry;
  }

  #addPattern(pattern: string): PatternRoute {
    const route = this.#compile(pattern);
    this.#rebuild([...this.#patterns, route]);
    return route;
  }

  #rebuild(patterns: PatternRoute[]): void {
    this.#patterns = patterns;
    this.#buckets = new Map();
    this.#dynamic = [];
    for (const route of patterns) {
      const segment = firstSegment(route.pattern);
      if (isPattern(segment)) {
        this.#dynamic.push(route);
        for (const bucket of this.#buckets.values()) bucket.push(route);
      } else {
        let bucket = this.#buckets.get(segment);
        if (!bucket) {
          bucket = [...this.#dynamic];
          this.#buckets.set(segment, bucket);
        }
        bucket.push(route);
      }
    }
  }

  #compile(pattern: string): PatternRoute {
    const params: string[] = [];
    const indexes: number[] = [];
    let groupCount = 0;
    const converters: Array<FilterConverter | undefined> = [];
    let source = '^';
    let last = 0;
    for (const found of pattern.matchAll(GROUP)) {
      const body = found[1] ?? '';
      if (/\s/.test(body)) {
        throw new TypeError(
          `invalid route '${pattern}': no spaces inside '<${body}>'; use '<name:filter>', e.g. '<id:int>'`,
        );
      }
      const colon = body.indexOf(':');
      const name = colon === -1 ? body : body.slice(0, colon);
      const filterText = colon === -1 ? '' : body.slice(colon + 1);
      if (!NAME.test(name)) throw new TypeError(`invalid parameter name '${name}' in route '${pattern}'`);
      if (params.includes(name)) throw new TypeError(`duplicate parameter '${name}' in route '${pattern}'`);
      let regex: string;
      let convert: FilterConverter | undefined;
      if (filterText === '') {
        regex = '[^/]+';
      } else if (filterText.startsWith('re:')) {
        regex = filterText.slice(3);
        if (regex === '') throw new TypeError(`empty regular expression in route '${pattern}'`);
      } else {
        const filter = this.filters.get(filterText.toLowerCase());
        if (!filter) throw new TypeError(`unknown route filter '${filterText}' in route '${pattern}'`);
        regex = filter.regex;
        convert = filter.convert;
      }
      // Plain numbered groups: cheaper than named ones, and the index of each parameter is
      // known here because the groups inside the filter's own regex are counted.
      source += `${escapeRegex(pattern.slice(last, found.index))}(${regex})`;
      indexes.push(groupCount + 1);
      groupCount += 1 + countGroups(regex, pattern);
      last = found.index + found[0].length;
      params.push(name);
      converters.push(convert);
    }
    const rest = pattern.slice(last);
    if (rest.includes('<') || rest.includes('>'))
      throw new TypeError(`invalid route '${pattern}': unbalanced '<' or '>'`);
    source += `${escapeRegex(rest)}$`;
    let regex: RegExp;
    try {
      regex = new RegExp(source, 'u');
    } catch (error) {
      throw new TypeError(`invalid route '${pattern}': ${(error as Error).message}`, { cause: error });
    }
    return { pattern, handlers: new Map(), upgrades: new Map(), params, regex, converters, indexes };
  }
}

/** Number of capturing groups in a regular expression source. */
function countGroups(regex: string, pattern: string): number {
  try {
    return (new RegExp(`${regex}|`, 'u').exec('') as RegExpExecArray).length - 1;
  } catch (error) {
    throw new TypeError(`invalid route '${pattern}': ${(error as Error).message}`, { cause: error });
  }
}

function pick(handlers: Map<string, RouteFunction>, method: string): RouteFunction | undefined {
  return handlers.get(method) ?? (method === 'HEAD' ? handlers.get('GET') : undefined) ?? handlers.get('*');
}

/** Adds an entry's methods to `allowed` (an upgrade is a GET); returns its upgrade protocols. */
function addAllowed(allowed: Set<string>, entry: RouteEntry): string | undefined {
  for (const method of entry.handlers.keys()) {
    allowed.add(method);
    if (method === 'GET') allowed.add('HEAD');
  }
  if (entry.upgrades.size === 0) return undefined;
  allowed.add('GET');
  return [...entry.upgrades.keys()].join(', ');
}

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Renders an `Allow` header value (OPTIONS is always allowed: Poor answers it itself). */
export function renderAllow(allowed: Set<string>): string {
  allowed.add('OPTIONS');
  allowed.delete('*');
  return [...allowed]
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b))
    .join(', ');
}

/** A route entry as lines `METHOD pattern` (an upgrade route as `websocket pattern`). */
export function routeLines(entry: RouteEntry): string[] {
  return [...entry.handlers.keys(), ...entry.upgrades.keys()].map((method) => `${method} ${entry.pattern}`);
}
