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
