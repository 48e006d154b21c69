// @poor/ws: websocket routes for a Poor application, on top of `ws` in noServer mode.
// Core routes every upgrade through the application's own router and hooks (the websocket
// handler sits in the route entry's upgrade slot); this add-on only checks and completes the
// handshake, tracks the open sockets, pings them and broadcasts.
import type { Server } from 'node:http';
import {
  createMemberDecorator,
  HTTPException,
  type AddOn,
  type Application,
  type MethodDecoratorFor,
  type Request,
  type RouteFunction,
  type RouteParams,
  type UpgradeRequest,
} from '@poor/core';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';

/** The socket handlers receive (the `ws` package's class, re-exported for typing handlers). */
export { WebSocket } from 'ws';

/** Options of {@link websockets}. */
export interface WebSocketOptions {
  /** Largest message accepted, in bytes; bigger ones close the socket with 1009 (default 1 MiB). */
  maxPayload?: number;
  /** Most fragments one message may come in; more close the socket with 1008 (default 16 384, as `ws`; 0 = no limit). */
  maxFragments?: number;
  /** Most data chunks `ws` buffers while a message arrives (default 262 144, as `ws`; 0 = no limit). */
  maxBufferedChunks?: number;
  /** permessage-deflate compression (default off: it costs CPU and memory per socket). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Origins allowed to connect (exact `scheme://host[:port]`), or a predicate; absent = any. */
  allowedOrigins?: readonly string[] | ((origin: string | undefined) => boolean);
  /** Milliseconds between pings; a peer that has not answered the previous one is dropped (default 30 000, 0 = off). */
  heartbeat?: number;
  /** Milliseconds `app.close()` waits for sockets to finish their closing handshake (default 2 000). */
  closeTimeout?: number;
  /** Carries `publish()`ed messages to every process of the site (default: this process only; `RedisBroker` from `@poor/redis`). */
  broker?: WebSocketBroker;
}

/** A message on its way to a room: text or binary, as it will be sent. */
export interface BrokerMessage {
  /** The payload. */
  data: Buffer;
  /** Sent as a binary frame (else text). */
  binary: boolean;
}

/** Delivers a message to the sockets of a room in this process. */
export type Deliver = (room: string, message: BrokerMessage) => void;

/**
 * Carries published messages between the processes that serve one site. The add-on calls
 * `subscribe` once; `publish` must reach every subscribed process (this one included) once,
 * keeping the order of one publisher's messages.
 */
export interface WebSocketBroker {
  /** Sends `message` to the room in every process. */
  publish(room: string, message: BrokerMessage): void | Promise<void>;
  /** Starts delivering every published message to `deliver`; `warn` reports trouble (once an outage). */
  subscribe(deliver: Deliver, warn: (message: string, error?: unknown) => void): void | Promise<void>;
  /** Stops (the app's `close()` calls it). */
  close?(): void | Promise<void>;
}

/** The default broker: this process only. */
class LocalBroker implements WebSocketBroker {
  #deliver: Deliver | undefined;

  publish(room: string, message: BrokerMessage): void {
    this.#deliver?.(room, message);
  }

  subscribe(deliver: Deliver): void {
    this.#deliver = deliver;
  }
}

/** A websocket handler: the socket, the upgrade request, then the route parameters. */
export type WebSocketHandler<P extends string = string> = (
  ws: WebSocket,
  req: Request,
  ...params: RouteParams<P>
) => unknown;

/** The add-on returned by {@link websockets}: install it with `app.use()`. */
export interface WebSocketAddOn extends AddOn {
  /** Adds a websocket route (what `@websocket` does on a controller method). */
  route<P extends string>(pattern: P, handler: WebSocketHandler<P>): this;
  /** Handles the upgrades of a server you created yourself (same as `app.attach(server)`; `app.listen()` needs neither). */
  attach(server: Server): this;
  /** Sends `data` to every open socket of a route pattern in this process; returns how many got it. */
  broadcast(pattern: string, data: string | Buffer | ArrayBuffer | Uint8Array): number;
  /** Puts a socket in a room (every socket is in the room of its path, `/chat/lobby`, from the start). */
  join(socket: WebSocket, room: string): this;
  /** Takes a socket out of a room (closing takes it out of all). */
  leave(socket: WebSocket, room: string): this;
  /**
   * Sends `data` to every socket in `room`, in every process the broker reaches (each socket
   * once; one publisher's messages in order). Text stays text: a string (or `{ binary: false }`)
   * is a text frame, bytes a binary one.
   */
  publish(room: string, data: string | Uint8Array, options?: { binary?: boolean }): Promise<void>;
  /** The open sockets, of one route pattern or all. */
  clients(pattern?: string): ReadonlySet<WebSocket>;
  /** Closes every socket with 1001 and waits for them (`app.close()` calls it). */
  close(): Promise<void>;
}

/**
 * Marks a controller method as the websocket handler of `pattern`:
 * `@websocket('/chat/<room>') chat(ws: WebSocket, req: Request, room: string) {}`.
 */
export function websocket<P extends string>(
  pattern: P,
): MethodDecoratorFor<[ws: WebSocket, req: Request, ...params: RouteParams<P>]> {
  return createMemberDecorator({
    kind: 'websocket',
    path: pattern,
    methods: undefined,
    addOn: 'app.use(websockets()) from @poor/ws',
  });
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Refuses a handshake the way RFC 6455 §4.2.1 asks; the application renders the answer. */
function checkHandshake(req: Request, originAllowed: (origin: string | undefined) => boolean): void {
  const headers = req.raw.headers;
  if (req.method !== 'GET') {
    throw new HTTPException(405, { error: 'a websocket handshake is a GET', headers: { Allow: 'GET' } });
  }
  if (!originAllowed(headers.origin)) throw new HTTPException(403, { error: 'origin not allowed' });
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key.trim())) {
    throw new HTTPException(400, { error: 'missing or invalid Sec-WebSocket-Key' });
  }
  if (headers['sec-websocket-version'] !== '13') {
    throw new HTTPException(400, {
      error: 'unsupported Sec-WebSocket-Version',
      headers: { 'Sec-WebSocket-Version': '13' },
    });
  }
}

/**
 * The websocket add-on: `const ws = websockets({ heartbeat: 30_000 }); app.use(ws)`, then
 * routes with `ws.route(pattern, fn)` or `@websocket(pattern)` on controller methods.
 */
export function websockets(options: WebSocketOptions = {}): WebSocketAddOn {
  const open = new Set<WebSocket>();
  const byPattern = new Map<string, Set<WebSocket>>();
  const rooms = new Map<string, Set<WebSocket>>();
  const joined = new WeakMap<WebSocket, Set<string>>();
  const broker: WebSocketBroker = options.broker ?? new LocalBroker();
  let subscribed: Promise<void> | undefined;
  const alive = new WeakSet<WebSocket>();
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    maxFragments: options.maxFragments ?? 16 * 1024,
    maxBufferedChunks: options.maxBufferedChunks ?? 256 * 1024,
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
    if (app) app.logger.error({ err: error }, `Poor ws: ${message}`);
    else console.error(`Poor ws: ${message}`, error);
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

  const join = (ws: WebSocket, room: string): void => {
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(ws);
    let names = joined.get(ws);
    if (!names) joined.set(ws, (names = new Set()));
    names.add(room);
  };
  const leave = (ws: WebSocket, room: string): void => {
    const members = rooms.get(room);
    members?.delete(ws);
    if (members?.size === 0) rooms.delete(room);
    joined.get(ws)?.delete(room);
  };
  const deliver: Deliver = (room, message) => {
    for (const ws of rooms.get(room) ?? []) {
      if (ws.readyState === WebSocket.OPEN) ws.send(message.data, { binary: message.binary });
    }
  };
  const warn = (message: string, error?: unknown): void => {
    if (app) app.logger.warn({ err: error }, `Poor ws: ${message}`);
    else console.warn(`Poor ws: ${message}`, error);
  };
  const subscribe = (): Promise<void> => (subscribed ??= Promise.resolve(broker.subscribe(deliver, warn)));

  const track = (ws: WebSocket, pattern: string, path: string): void => {
    open.add(ws);
    join(ws, path);
    let set = byPattern.get(pattern);
    if (!set) byPattern.set(pattern, (set = new Set()));
    set.add(ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (error) => app?.logger.debug?.({ err: error }, 'Poor ws: socket error'));
    ws.once('close', () => {
      open.delete(ws);
      set.delete(ws);
      for (const room of joined.get(ws) ?? []) leave(ws, room);
    });
    startHeartbeat();
  };

  const accept = ({ req, socket, head, handler, args }: UpgradeRequest): void => {
    const pattern = req.uriRule as string;
    server.handleUpgrade(req.raw, socket, head, (ws) => {
      track(ws, pattern, req.path);
      const fail = (error: unknown): void => {
        logError(`handler for ${pattern} failed`, error);
        ws.close(1011, 'internal error');
      };
      try {
        const result = (handler as (ws: WebSocket, req: Request, ...params: unknown[]) => unknown)(ws, req, ...args);
        if (result instanceof Promise) result.catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  };

  const addOn = ((target: Application) => {
    if (app && app !== target) throw new TypeError('a websockets() add-on serves one application');
    app = target;
    target.addProtocol('websocket', { check: (req) => checkHandshake(req, originAllowed), accept });
    target.registerMemberKind('websocket', (item) => target.upgrade('websocket', item.pattern, item.handler));
    target.onReady(() => subscribe());
    target.onClose(() => addOn.close());
  }) as WebSocketAddOn;

  addOn.route = function route<P extends string>(pattern: P, handler: WebSocketHandler<P>) {
    if (!app) throw new TypeError('install the add-on first: app.use(websockets())');
    app.upgrade('websocket', pattern, handler as unknown as RouteFunction);
    return this;
  };

  addOn.attach = function attach(target: Server) {
    if (!app) throw new TypeError('install the add-on first: app.use(websockets())');
    app.attach(target);
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

  addOn.join = function joinRoom(socket, room) {
    join(socket, room);
    return this;
  };

  addOn.leave = function leaveRoom(socket, room) {
    leave(socket, room);
    return this;
  };

  addOn.publish = async (room, data, publishOptions = {}) => {
    await subscribe();
    const binary = publishOptions.binary ?? typeof data !== 'string';
    const bytes =
      typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await broker.publish(room, { data: bytes, binary });
  };

  addOn.clients = (pattern) => (pattern === undefined ? new Set(open) : (byPattern.get(pattern) ?? new Set()));

  addOn.close = async () => {
    clearInterval(heartbeat);
    heartbeat = undefined;
    await broker.close?.();
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
