// The `/debug-info` page (debug mode): what the application holds, read from its tables.
import { arch, hostname, platform, release } from 'node:os';
import { kTables } from '../http/symbols.js';
import { nameOf } from '../http/util.js';
import { isScoped, PHASES, SCOPED_PHASES } from '../lifecycle/phases.js';
import { MASK, maskSecret, methodRows, section, table, upgradeRows, type Cell } from '../pages/debug.js';
import { htmlPage } from '../pages/pages.js';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import type { Registry } from './registry.js';

/** What the page reads of the application: its tables and settings, and its name. */
type Shown = Registry & { readonly name: string };

/** The hooks of every phase, in the order the phases run: app-wide, then each controller's, then routes' own. */
function hookRows(app: Shown): Cell[][] {
  const tables = app[kTables];
  const rows: Cell[][] = [];
  for (const phase of PHASES) {
    const scopes = isScoped(phase) ? [tables.app, ...tables.scopes] : [tables.app];
    for (const scope of scopes) {
      for (const hook of tables.listOf(scope, phase)) rows.push([scope.name, phase, nameOf(hook)]);
    }
  }
  for (const scope of tables.routeScopes) {
    for (const phase of SCOPED_PHASES) {
      for (const hook of scope[phase]) rows.push([`route of ${scope.name}`, phase, nameOf(hook)]);
    }
  }
  return rows;
}

/**
 * The `/debug-info` page: routes, handlers, hooks, filters, request headers (Cookie and
 * Authorization masked), Poor variables, `app_*` options and process information
 * (environment values with secret-looking names masked).
 */
export function debugInfoPage(req: Request, app: Shown): Response {
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
