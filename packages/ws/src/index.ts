// @poor/ws: websocket routes for a Poor application, on top of `ws` in noServer mode.
// An upgrade goes through the same steps as a request until the handshake: route match
// (same patterns, filters and typed parameters), origin check, before hooks; every refusal
// is a real HTTP response written to the socket, never an exception out of 'upgrade'.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Application,
  createMemberDecorator,
  makeResponse,
  reasonPhrase,
  Request,
  Response,
  Router,
  type AddOn,
  type MethodDecoratorFor,
  type RouteFunction,
  type RouteParams,
} from '@poor/core';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';

/** The socket handlers receive (the `ws` package's class, re-exported for typing handlers). */
export { WebSocket } from 'ws';

/** Options of {@link websockets}. */
export interface WebSocketOptions {
  /** Largest message accepted, in bytes; bigger ones close the socket with 1009 (default 1 MiB). */
  maxPayload?: number;
  /** permessage-deflate compression (default off: it costs CPU and memory per socket). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Origins allowed to connect (exact `scheme://host[:port]`), or a predicate; absent = any. */
  allowedOrigins?: readonly string[] | ((origin: string | undefined) => boolean);
  /** Milliseconds between pings; a peer that has not answered the previous one is dropped (default 30 000, 0 = off). */
  heartbeat?: number;
  /** Milliseconds the before hooks may take before the upgrade is refused with 503 (default 10 000). */
  handshakeTimeout?: number;
  /** Milliseconds `app.close()` waits for sockets to finish their closing handshake (default 2 000). */
  closeTimeout?: number;
}

/** A websocket handler: the socket, the upgrade request, then the route parameters. */
export type WebSocketHandler<P extends string = string> = (
  ws: WebSocket,
  req: Request,
  ...params: RouteParams<P>
) => unknown;

/** The add-on returned by {@link websockets}: install it with `app.use()`. */
export interface WebSocketAddOn extends AddOn {
  /** Adds a websocket route (what `app.websocket()` and `@websocket` do). */
  route<P extends string>(pattern: P, handler: WebSocketHandler<P>): this;
  /** Handles the upgrades of a server you created yourself (`app.listen()` needs no call). */
  attach(server: Server): this;
  /** Sends `data` to every open socket of a route pattern; returns how many got it. */
  broadcast(pattern: string, data: string | Buffer | ArrayBuffer | Uint8Array): number;
  /** The open sockets, of one route pattern or all. */
  clients(pattern?: string): ReadonlySet<WebSocket>;
  /** Closes every socket with 1001 and waits for them (`app.close()` calls it). */
  close(): Promise<void>;
}

declare module '@poor/core' {
  interface Application {
    /** Adds a websocket route; needs `app.use(websockets())` first (from `@poor/ws`). */
    websocket<P extends string>(pattern: P, handler: WebSocketHandler<P>): this;
  }
}

const installed = new WeakMap<Application, WebSocketAddOn>();

Application.prototype.websocket = function websocket<P extends string>(
  this: Application,
  pattern: P,
  handler: WebSocketHandler<P>,
): Application {
  const addOn = installed.get(this);
  if (!addOn) throw new TypeError('app.websocket() needs the add-on: app.use(websockets()) from @poor/ws');
  addOn.route(pattern, handler);
  return this;
};

/**
 * Marks a controller method as the websocket handler of `pattern`:
 * `@websocket('/chat/<room>') chat(ws: WebSocket, req: Request, room: string) {}`.
 */
export function websocket<P extends string>(
  pattern: P,
): MethodDecoratorFor<[ws: WebSocket, req: Request, ...params: RouteParams<P>]> {
  return createMemberDecorator({ kind: 'websocket', path: pattern, methods: undefined });
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Writes a complete HTTP/1.1 response to a socket that was not upgraded, then closes it. */
function refuse(socket: Duplex, status: number, message?: string, headers: readonly string[] = []): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message ?? reasonPhrase(status)}\n`;
  const lines = [`HTTP/1.1 ${status} ${reasonPhrase(status)}`];
  for (let index = 0; index + 1 < headers.length; index += 2) {
    const name = (headers[index] as string).toLowerCase();
    if (name === 'content-length' || name === 'connection' || name === 'transfer-encoding') continue;
    lines.push(`${headers[index] as string}: ${headers[index + 1] as string}`);
  }
  if (!lines.some((line) => line.toLowerCase().startsWith('content-type:'))) {
    lines.push('Content-Type: text/plain; charset=utf-8');
  }
  lines.push('Connection: close', `Content-Length: ${Buffer.byteLength(body)}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** A refusal from a before hook's answer: its status, headers and (in-memory) text. */
function refuseWith(socket: Duplex, response: Response): void {
  let text: string | undefined;
  try {
    text = response.data.toString('utf8');
  } catch {
    text = undefined; // a streamed body: the status says enough
  }
  refuse(socket, response.status, text?.trimEnd() || undefined, response.headers.toRaw());
}

/**
 * The websocket add-on: `app.use(websockets({ heartbeat: 30_000 }))`, then routes with
 * `app.websocket(pattern, fn)` or `@websocket(pattern)` on controller methods.
 */
export function websockets(options: WebSocketOptions = {}): WebSocketAddOn {
  const router = new Router();
  const open = new Set<WebSocket>();
  const byPattern = new Map<string, Set<WebSocket>>();
  const alive = new WeakSet<WebSocket>();
  const attached = new WeakSet<Server>();
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    perMessageDeflate: options.perMessageDeflate ?? false,
    clientTracking: false,
  });
  const origins = options.allowedOrigins;
  const originAllowed = (origin: string | undefined): boolean => {
    if (origins === undefined) return true;
    if (typeof origins === 'function') return origins(origin);
    return origin !== undefined && origins.includes(origin);
  };
  let app: Application | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const logError = (message: string, error: unknown): void => {
    (app?.logger ?? console).error(`Poor ws: ${message}`, error);
  };

  const startHeartbeat = (): void => {
    const every = options.heartbeat ?? 30_000;
    if (!every || heartbeat) return;
    heartbeat = setInterval(() => {
      for (const ws of open) {
        if (!alive.has(ws)) {
          ws.terminate();
          continue;
        }
        alive.delete(ws);
        ws.ping();
      }
    }, every);
    heartbeat.unref();
  };

  const track = (ws: WebSocket, pattern: string): void => {
    open.add(ws);
    let set = byPattern.get(pattern);
    if (!set) byPattern.set(pattern, (set = new Set()));
    set.add(ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (error) => (app?.logger ?? console).debug?.('Poor ws: socket error', error));
    ws.once('close', () => {
      open.delete(ws);
      set.delete(ws);
    });
    startHeartbeat();
  };

  const runHooks = async (target: Application, req: Request): Promise<Response | undefined> => {
    for (const hook of target.beforeHooks) {
      const early = await hook(req);
      if (early !== undefined && early !== null) return makeResponse(early);
    }
    return undefined;
  };

  const upgrade = async (raw: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const target = app;
    if (!target) return refuse(socket, 503, 'websockets are not installed on an application');
    if (raw.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400, 'unsupported upgrade');
    const req = new Request(target, raw);
    let path: string;
    try {
      path = req.path;
    } catch {
      return refuse(socket, 400, 'malformed percent-encoding in the path');
    }
    if (raw.method !== 'GET') return refuse(socket, 405, 'a websocket handshake is a GET', ['Allow', 'GET']);
    const match = router.match('GET', path);
    if (match.kind !== 'found') return refuse(socket, 404);
    if (!originAllowed(raw.headers.origin)) return refuse(socket, 403, 'origin not allowed');
    const key = raw.headers['sec-websocket-key'];
    if (typeof key !== 'string' || !KEY.test(key.trim())) {
      return refuse(socket, 400, 'missing or invalid Sec-WebSocket-Key');
    }
    if (raw.headers['sec-websocket-version'] !== '13') {
      return refuse(socket, 400, 'unsupported Sec-WebSocket-Version', ['Sec-WebSocket-Version', '13']);
    }
    req.uriRule = match.route.pattern;
    req.uriHandler = match.handler;
    req.params = match.params;
    let refusal: Response | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const limit = options.handshakeTimeout ?? 10_000;
      const late = new Promise<Response>((resolve) => {
        timer = setTimeout(() => resolve(new Response('the upgrade took too long', { status: 503 })), limit);
      });
      refusal = await Promise.race([runHooks(target, req), late]);
    } catch (error) {
      // The application's own error handling: status and exception-class handlers, built-in pages.
      try {
        refusal = await target.errorResponse(req, error);
      } catch (again) {
        logError(`an error handler failed for the upgrade of ${path}`, again);
        refusal = new Response('', { status: 500 });
      }
    } finally {
      clearTimeout(timer);
    }
    if (refusal) return refuseWith(socket, refusal);
    if (socket.destroyed) return;
    server.handleUpgrade(raw, socket, head, (ws) => {
      track(ws, match.route.pattern);
      const handler = match.handler as (ws: WebSocket, req: Request, ...params: unknown[]) => unknown;
      try {
        const result = handler(ws, req, ...match.args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            logError(`handler for ${match.route.pattern} failed`, error);
            ws.close(1011, 'internal error');
          });
        }
      } catch (error) {
        logError(`handler for ${match.route.pattern} failed`, error);
        ws.close(1011, 'internal error');
      }
    });
  };

  const onUpgrade = (raw: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    upgrade(raw, socket, head).catch((error: unknown) => {
      logError('upgrade failed', error);
      refuse(socket, 500);
    });
  };

  const syncFilters = (): void => {
    if (!app) return;
    for (const [name, filter] of app.router.filters) {
      if (!router.filters.has(name)) router.filters.set(name, filter);
    }
  };

  const addOn = ((target: Application) => {
    if (app && app !== target) throw new TypeError('a websockets() add-on serves one application');
    app = target;
    installed.set(target, addOn);
    target.registerMemberKind('websocket', (item) => addOn.route(item.pattern, item.handler as WebSocketHandler));
    target.onListen((listening) => addOn.attach(listening));
    target.onClose(() => addOn.close());
  }) as WebSocketAddOn;

  addOn.route = function route<P extends string>(pattern: P, handler: WebSocketHandler<P>) {
    if (!app) throw new TypeError('install the add-on first: app.use(websockets())');
    syncFilters();
    router.add(pattern, ['GET'], handler as unknown as RouteFunction);
    // A plain HTTP request to a websocket-only route learns how to use it.
    const http = app.router.staticRoutes.concat(app.router.patternRoutes).find((entry) => entry.pattern === pattern);
    if (!http?.handlers.has('GET')) {
      app.route(
        pattern,
        () =>
          new Response('This is a websocket endpoint.\n', {
            status: 426,
            contentType: 'text/plain; charset=utf-8',
            headers: { Upgrade: 'websocket' },
          }),
      );
    }
    return this;
  };

  addOn.attach = function attach(target: Server) {
    if (!attached.has(target)) {
      attached.add(target);
      target.on('upgrade', onUpgrade);
    }
    return this;
  };

  addOn.broadcast = (pattern, data) => {
    let sent = 0;
    for (const ws of byPattern.get(pattern) ?? []) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      ws.send(data);
      sent += 1;
    }
    return sent;
  };

  addOn.clients = (pattern) => (pattern === undefined ? new Set(open) : (byPattern.get(pattern) ?? new Set()));

  addOn.close = async () => {
    clearInterval(heartbeat);
    heartbeat = undefined;
    const closing = [...open];
    await Promise.all(
      closing.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => ws.terminate(), options.closeTimeout ?? 2000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1001, 'server shutting down');
          }),
      ),
    );
  };

  return addOn;
}
