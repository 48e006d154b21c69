import { arch, hostname, platform, release } from 'node:os';
import type { Application } from '../app/application.js';
import { kTables } from '../http/symbols.js';
import { nameOf } from '../http/util.js';
import { escapeHtml, htmlPage } from './pages.js';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';

const MASK = '******** (masked)';
const SECRET_NAME = /key|secret|token|pass|auth|cookie|credential|private/i;
/** `scheme://user:password@host` anywhere in a value: the user-info is a secret. */
const USER_INFO = /([a-z][\w+.-]*:\/\/)[^\s/@]*@/gi;

type Cell = string | number | boolean | undefined | null;

function table(headings: string[], rows: Cell[][]): string {
  const head = headings.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function section(id: string, title: string, content: string): string {
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
}

function upgradeRows(upgrades: ReadonlyMap<string, unknown>): Array<[string, unknown]> {
  return [...upgrades].map(([protocol, fn]) => [`upgrade: ${protocol}`, fn]);
}

/** App-wide hooks, then each controller's, in the order they run. */
function hookRows(app: Application): Cell[][] {
  const tables = app[kTables];
  const rows: Cell[][] = [];
  for (const scope of [tables.app, ...tables.scopes]) {
    for (const hook of scope.before) rows.push([scope.name, 'before', nameOf(hook)]);
    for (const hook of scope.after) rows.push([scope.name, 'after', nameOf(hook)]);
  }
  return rows;
}

function methodRows<K>(table: ReadonlyMap<K, ReadonlyMap<string, unknown>>, label: (key: K) => string): Cell[][] {
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

/** The debug part of a 500 page: request details and the stack. Trusted HTML, escaped inside. */
export function debugErrorDetail(req: Request, error: unknown): string {
  const path = req.path;
  const details = table(
    ['Field', 'Value'],
    [
      ['Remote address', req.remoteAddr],
      ['Method', req.method],
      ['Path', path],
      ['Route', req.uriRule],
      ['Handler', req.uriHandler ? nameOf(req.uriHandler) : undefined],
    ],
  );
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return `\n<h2>Request detail</h2>\n${details}\n<h2>Exception</h2>\n<pre class="traceback">${escapeHtml(stack)}</pre>`;
}

/**
 * The `/debug-info` page: routes, handlers, hooks, filters, request headers (Cookie and
 * Authorization masked), Poor variables, `app_*` options and process information
 * (environment values with secret-looking names masked).
 */
export function debugInfoPage(req: Request, app: Application): Response {
  const router = app.router;
  const routes = [
    section(
      'static-routes',
      'Static routes',
      table(
        ['Path', 'Method', 'Handler'],
        router.staticRoutes.flatMap((route) =>
          [...route.handlers, ...upgradeRows(route.upgrades)].map(([method, fn]) => [
            route.pattern,
            method,
            nameOf(fn),
          ]),
        ),
      ),
    ),
    section(
      'pattern-routes',
      'Pattern routes (matching order)',
      table(
        ['Pattern', 'Parameters', 'Method', 'Handler'],
        router.patternRoutes.flatMap((route) =>
          [...route.handlers, ...upgradeRows(route.upgrades)].map(([method, fn]) => [
            route.pattern,
            route.params.join(', '),
            method,
            nameOf(fn),
          ]),
        ),
      ),
    ),
    section(
      'default-handlers',
      'Default handlers',
      table(
        ['Method', 'Handler'],
        [...app.defaultHandlers].map(([method, fn]) => [method, nameOf(fn)]),
      ),
    ),
  ];
  const handlers = [
    section(
      'status-handlers',
      'Status handlers',
      table(['Status', 'Method', 'Handler'], methodRows(app.statusHandlers, String)),
    ),
    section(
      'class-handlers',
      'Exception class handlers',
      table(
        ['Class', 'Method', 'Handler'],
        methodRows(app.classHandlers, (cls) => cls.name || 'anonymous'),
      ),
    ),
    section('hooks', 'Before and after hooks', table(['Scope', 'Kind', 'Hook'], hookRows(app))),
    section(
      'filters',
      'Route filters',
      table(
        ['Name', 'Regular expression', 'Converter'],
        [...router.filters].map(([name, filter]) => [
          name,
          filter.regex,
          filter.convert ? nameOf(filter.convert) : 'string',
        ]),
      ),
    ),
  ];
  const headers = section(
    'headers',
    'Request headers',
    table(
      ['Name', 'Value'],
      [...req.headers].map(([name, value]) => [name, maskSecret(name, value)]),
    ),
  );
  const variables = section(
    'poor-variables',
    'Poor variables',
    table(
      ['Name', 'Value'],
      [
        ['Application', app.name],
        ['Debug', app.debug],
        ['Document root', app.documentRoot],
        ['Document index', app.documentIndex],
        ['Secret key', app.secretKey ? MASK : 'not set'],
        ['Scheme', req.scheme],
        ['Host name', req.hostname],
        ['Host port', req.hostPort],
        ['Forwarded for', req.forwardedFor],
        ['Forwarded host', req.forwardedHost],
        ['Forwarded proto', req.forwardedProto],
      ],
    ),
  );
  const options = section(
    'app-options',
    'Application options (app_*)',
    table(
      ['Name', 'Value'],
      Object.entries(app.getOptions()).map(([name, value]) => [name, maskSecret(name, value)]),
    ),
  );
  const env = Object.keys(process.env)
    .sort()
    .map((name) => [name, maskSecret(name, process.env[name] ?? '')]);
  const proc = section(
    'process',
    'Process',
    table(
      ['Name', 'Value'],
      [
        ['Node.js', process.version],
        ['Platform', `${platform()} ${release()} ${arch()}`],
        ['Host', hostname()],
        ['PID', process.pid],
        ['Uptime (s)', Math.round(process.uptime())],
        ['RSS (bytes)', process.memoryUsage.rss()],
        ['Working directory', process.cwd()],
      ],
    ) + `\n<h3>Environment</h3>\n${table(['Name', 'Value'], env)}`,
  );
  const nav =
    '<nav><a href="#static-routes">Routes</a> · <a href="#status-handlers">Handlers</a> · ' +
    '<a href="#hooks">Hooks</a> · <a href="#filters">Filters</a> · <a href="#headers">Headers</a> · ' +
    '<a href="#poor-variables">Variables</a> · <a href="#app-options">Options</a> · <a href="#process">Process</a></nav>';
  const body = [nav, ...routes, ...handlers, headers, variables, options, proc].join('\n');
  const response = new Response(htmlPage('Poor Debug Info', body));
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
