import { nameOf } from '../http/util.js';
import { escapeHtml, type DebugDetail } from './pages.js';
import type { Request } from '../request/request.js';
import { routeLines, type RouteEntry } from '../routing/router.js';

export const MASK = '******** (masked)';
const SECRET_NAME = /key|secret|token|pass|auth|cookie|credential|private/i;
/** `scheme://user:password@host` anywhere in a value: the user-info is a secret. */
const USER_INFO = /([a-z][\w+.-]*:\/\/)[^\s/@]*@/gi;

export type Cell = string | number | boolean | undefined | null;

export function table(headings: string[], rows: Cell[][]): string {
  const head = headings.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export function section(id: string, title: string, content: string): string {
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
}

export function upgradeRows(upgrades: ReadonlyMap<string, unknown>): Array<[string, unknown]> {
  return [...upgrades].map(([protocol, fn]) => [`upgrade: ${protocol}`, fn]);
}

export function methodRows<K>(
  table: ReadonlyMap<K, ReadonlyMap<string, unknown>>,
  label: (key: K) => string,
): Cell[][] {
  const rows: Cell[][] = [];
  for (const [key, handlers] of table) {
    for (const [method, fn] of handlers) rows.push([label(key), method, nameOf(fn)]);
  }
  return rows;
}

/**
 * Masks a value when its name looks secret (key, secret, token, pass, auth, cookie …), and the
 * user-info of every URL inside any value (`postgres://u:PASS@h/db` → `postgres://********@h/db`).
 */
export function maskSecret(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return MASK;
  return value.includes('@') ? value.replace(USER_INFO, '$1********@') : value;
}

/** The debug part of a 500: request details and the stack, as HTML (escaped inside) or problem members. */
export function debugErrorDetail(req: Request, error: unknown): DebugDetail {
  const fields = (): Array<[string, string | undefined]> => [
    ['Remote address', req.remoteAddr],
    ['Method', req.method],
    ['Path', req.path],
    ['Route', req.uriRule],
    ['Handler', req.uriHandler ? nameOf(req.uriHandler) : undefined],
  ];
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return {
    html: () =>
      `\n<h2>Request detail</h2>\n${table(['Field', 'Value'], fields())}\n` +
      `<h2>Exception</h2>\n<pre class="traceback">${escapeHtml(stack)}</pre>`,
    members: () => ({
      detail: error instanceof Error ? error.message : String(error),
      request: Object.fromEntries(fields().filter(([, value]) => value !== undefined)),
      stack: stack.split('\n'),
    }),
  };
}

/** Levenshtein distance of two short strings (one row of the table at a time). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + cost));
    }
    row = next;
  }
  return row[b.length] as number;
}

/** How far a path is from a pattern, segment by segment: a parameter matches any segment, a missing or extra segment counts 3. */
function distance(path: string[], pattern: string[]): number {
  let total = Math.abs(path.length - pattern.length) * 3;
  for (let index = 0; index < Math.min(path.length, pattern.length); index += 1) {
    const want = pattern[index] as string;
    if (!want.includes('<')) total += editDistance(path[index] as string, want);
  }
  return total;
}

/** The routes whose pattern is near a path (a typo, a segment too many or too few), nearest first, five at most. */
export function nearRoutes(path: string, entries: readonly RouteEntry[]): string[] {
  const segments = path.split('/');
  return entries
    .filter((entry) => entry.pattern.startsWith('/'))
    .map((entry, order) => ({ entry, order, far: distance(segments, entry.pattern.split('/')) }))
    .filter(({ far }) => far <= 3)
    .sort((a, b) => a.far - b.far || a.order - b.order)
    .slice(0, 5)
    .flatMap(({ entry }) => routeLines(entry));
}

/** The debug part of a 404 no route matched: the routes near the path, and the page that lists them all. */
export function debugNotFoundDetail(req: Request, entries: readonly RouteEntry[]): DebugDetail {
  const near = nearRoutes(req.path, entries);
  return {
    html: () =>
      (near.length === 0
        ? `\n<p>No route is near ${escapeHtml(req.path)}.</p>`
        : `\n<h2>Routes near ${escapeHtml(req.path)}</h2>\n<ul>${near.map((line) => `<li><code>${escapeHtml(line)}</code></li>`).join('')}</ul>`) +
      `\n<p>Every route, hook and handler: <a href="/debug-info">/debug-info</a></p>`,
    members: () => ({ nearRoutes: near, debugInfo: '/debug-info' }),
  };
}
