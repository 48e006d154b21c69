// Symbols for state that core modules share but the public API does not show.

/** An application's handler tables (`HandlerTables`). */
export const kTables = Symbol('poor.tables');
/** An application's server lifecycle (`Lifecycle`); upload clean-ups are tracked there. */
export const kLifecycle = Symbol('poor.lifecycle');
/** An application's upgrade protocols by token. */
export const kProtocols = Symbol('poor.protocols');
/** A request's problem with its target (malformed percent-encoding), if any. */
export const kTargetError = Symbol('poor.targetError');
/** Parses a request's body once for a known kind. */
export const kParse = Symbol('poor.parse');
/** Reads and parses a request's JSON body with a callback instead of promises (the POST fast path). */
export const kReadJson = Symbol('poor.readJson');
/** An application's opener of `req.session` (the sessions() add-on). */
export const kSessions = Symbol('poor.sessions');
/** A hook's start-up check of the settings: what it lacks (`ready()` refuses to start), if anything. */
export const kRequires = Symbol('poor.requires');
