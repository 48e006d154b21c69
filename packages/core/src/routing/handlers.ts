import type { ServerResponse } from 'node:http';
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
  /** Guards for this route only, e.g. `[digest('Admin Zone')]` (phase `guard`, after the app's and the controller's). */
  before?: readonly BeforeHook[];
  /** Hooks of this route's own for any scoped phase: `{ preHandler: [loadUser] }`. */
  hooks?: RouteHooks;
}
/** An exception class. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

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

/** Runs once the response is written (or its connection closed): logging, metrics. Its result is ignored. */
export type ResponseHook = (req: Request, res: ServerResponse) => unknown;

/** The hook each phase takes, by phase name. */
export interface PhaseHooks {
  /** Step 2: every request, before routing (`req.uriRule` is not known yet); app-wide only. */
  onRequest: BeforeHook;
  /** Step 4, guards (`app.before`, `@before()`, a route's `before`, `@checkDigest`): app → controller → route, on the unread body. */
  guard: BeforeHook;
  /** Step 6: after the body is parsed within its limits, before validation. */
  preValidation: BeforeHook;
  /** Step 7: validation of parameters and the parsed body (`@poor/openapi`). */
  validation: BeforeHook;
  /** Step 8: after validation, just before the handler. */
  preHandler: BeforeHook;
  /** Step 10, after hooks (`app.after`, `@after()`): each returns the response to send; route → controller → app. */
  onSend: AfterHook;
  /** Step 12: after the response is written or the connection closed; app-wide only. */
  onResponse: ResponseHook;
}

/** A phase of the request lifecycle that hooks register for by name. */
export type Phase = keyof PhaseHooks;

/** Phases a controller or a route may hold hooks of its own for (the others are app-wide). */
export type ScopedPhase = 'guard' | 'preValidation' | 'validation' | 'preHandler' | 'onSend';

/** Hooks of a route's own, by phase (the `hooks` route option). */
export type RouteHooks = { [P in ScopedPhase]?: ReadonlyArray<PhaseHooks[P]> };
