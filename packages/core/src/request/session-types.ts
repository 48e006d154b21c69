// The types of `req.session` (the sessions() add-on). They live in the request layer so that
// `Request` can offer the slot; the add-on above fills it.

/**
 * What a session holds, for declaration merging: name your fields once and `req.session.data`
 * is typed everywhere; other keys are `unknown`.
 *
 * @example
 * declare module '@poor/core' {
 *   interface SessionData { user?: string; visits?: number }
 * }
 */
export interface SessionData {
  [key: string]: unknown;
}

/** A request's session (`req.session`): its data, written back with the answer when changed. */
export interface RequestSession<T extends object = SessionData> {
  /** The session's data (`{}` for a new session); set or change it, and the answer carries the cookie. */
  data: T;
  /** Empties the session and expires its cookie with the answer (log-out). */
  destroy(): void;
  /** Whether {@link RequestSession.destroy} was called. */
  readonly destroyed: boolean;
}

/** @internal How an application opens a request's session (set by the sessions() add-on). */
export type SessionOpener = (req: object) => RequestSession;
