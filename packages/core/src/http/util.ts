// Small helpers shared across core: one copy of each.

/** Is `value` a promise or any other thenable? */
export function isThenable<T = unknown>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A function's name for logs and the debug page (`Class.method` for controller members). */
export function nameOf(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

/** An object literal or a prototype-free object (not an array, class instance or buffer). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Does a comma-separated header value (`Vary`, `Cache-Control`) list `token` (case-insensitive)? */
export function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const wanted = token.toLowerCase();
  return value.split(',').some((item) => item.trim().toLowerCase() === wanted);
}

/** Adds `name` to a response's `Vary` unless it is there already (or `Vary: *`). */
export function addVary(
  headers: { get(name: string): string | undefined; set(name: string, value: string): unknown },
  name: string,
): void {
  const vary = headers.get('vary');
  if (vary === undefined) headers.set('Vary', name);
  else if (vary.trim() !== '*' && !listsToken(vary, name)) headers.set('Vary', `${vary}, ${name}`);
}

/** Is `status` a valid HTTP status code (an integer from 100 to 999)? */
export function isStatus(status: unknown): status is number {
  return Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999;
}

/** A `Content-Range` value: `bytes 0-99/1000`, or `bytes *\/1000` for an unsatisfiable range. */
export function contentRange(
  window: { start: number; end: number } | undefined,
  full: number | '*',
  units = 'bytes',
): string {
  return window ? `${units} ${window.start}-${window.end}/${full}` : `${units} */${full}`;
}

/** A `Host` value split into name and port (IPv6 brackets removed). */
export function splitHostPort(host: string): { name: string; port: number | undefined } {
  // IPv6 literals come bracketed: [::1]:8080.
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) return { name: host, port: undefined };
    const port = host.slice(close + 1).startsWith(':') ? Number(host.slice(close + 2)) : Number.NaN;
    return { name: host.slice(1, close), port: Number.isInteger(port) && host.length > close + 2 ? port : undefined };
  }
  const colon = host.lastIndexOf(':');
  if (colon === -1) return { name: host, port: undefined };
  const port = Number(host.slice(colon + 1));
  return { name: host.slice(0, colon), port: Number.isInteger(port) ? port : undefined };
}

/** The first of a repeated header's values. */
export function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
