import { nameOf } from '../http/util.js';
import { escapeHtml, type DebugDetail } from './pages.js';
import type { Request } from '../request/request.js';

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
