import type { Duplex } from 'node:stream';
import type { HTTPExceptionExtra } from '../response/http-error.js';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import type { RouteParams, RouteParamsObject } from './route-params.js';
import type { RouteFunction } from './router.js';

/**
 * A route handler: the request (`req.params` typed from the pattern), then the route
 * parameters in pattern order; it returns what a response can be made of (see `HandlerValue`).
 */
export type Handler<P extends string = string> = (
  req: Request<RouteParamsObject<P>>,
  ...params: RouteParams<P>
) => unknown;
/** Handles a status: `(req, extra)`. */
export type StatusHandler = (req: Request, extra: HTTPExceptionExtra) => unknown;
/** Handles an exception class: `(req, error)`. */
export type ClassHandler<E = unknown> = (req: Request, error: E) => unknown;
/** Runs before the handler; returning a value (not null/undefined) answers immediately. */
export type BeforeHook = (req: Request) => unknown;
/** Runs on the response and returns the response to send. */
export type AfterHook = (req: Request, response: Response) => unknown;
/** Serves what no route matched (static files); `undefined` passes on. */
export type Fallback = (req: Request) => unknown;
/** HTTP methods: one, a list, or `'*'` for all. */
export type Methods = string | readonly string[];

/** Options of a route: its methods and before hooks of its own (run after the app's and the controller's). */
export interface RouteOptions {
  /** Methods, default GET (HEAD implied). */
  methods?: Methods;
  /** Before hooks for this route only, e.g. `[digest('Admin Zone')]`. */
  before?: readonly BeforeHook[];
}
/** An exception class. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Before and after hooks of one scope: the whole application, or one controller's routes. */
export interface HookScope {
  /** `application`, or the controller's class name. */
  readonly name: string;
  /** Before hooks, in order. */
  readonly before: BeforeHook[];
  /** After hooks, in order. */
  readonly after: AfterHook[];
  /** For a route with hooks of its own: the controller scope whose before hooks run first. */
  readonly parent?: HookScope;
}

/** An upgrade request handed to its protocol's add-on once the route and the hooks accepted it. */
export interface UpgradeRequest {
  /** The request (routed: `params`, `uriRule`; hooks ran on it). */
  req: Request;
  /** The connection, now the add-on's. */
  socket: Duplex;
  /** The first bytes after the request head. */
  head: Buffer;
  /** The route's upgrade handler (bound to its controller). */
  handler: RouteFunction;
  /** Converted route parameters in pattern order. */
  args: unknown[];
}

/** How an add-on completes the upgrades of one protocol (see `app.addProtocol`). */
export interface UpgradeProtocol {
  /** Checks the handshake before the hooks run; throw `HTTPException` to refuse. */
  check?(req: Request): void;
  /** Completes the handshake; from here the socket belongs to the add-on. */
  accept(upgrade: UpgradeRequest): void;
}
