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
