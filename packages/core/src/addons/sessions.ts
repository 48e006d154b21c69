// The sessions add-on: `req.session` opened lazily from a sealed cookie (PoorSession), written
// back by one onSend hook when the data changed, cleared when the cookie cannot be trusted.
import type { AddOn } from '../app/application.js';
import { PoorSession, SessionError, SessionKeys, type Secret, type SessionOptions } from '../auth/session.js';
import { kSessions } from '../http/symbols.js';
import { logFields } from '../request/log-fields.js';
import type { Request } from '../request/request.js';
import type { RequestSession, SessionData } from '../request/session-types.js';
import type { Response } from '../response/response.js';
import { debugEnabled } from '../settings/settings.js';

/** Options of {@link sessions}: the cookie's, and where the key comes from. */
export interface SessionsOptions extends SessionOptions {
  /** Secret(s) sealing the cookie, at least 32 bytes (default: the app's `secretKey`); a list rotates keys. */
  secretKey?: Secret | readonly Secret[] | undefined;
  /** Re-seal the cookie on every answer to a request that read the session, so an active one does not expire (default false). */
  rolling?: boolean | undefined;
}

/** A session opened for one request: the sealed cookie, and its data as it was read. */
interface Opened {
  session: PoorSession<SessionData>;
  /** The data as JSON when read; `undefined` when the cookie could not be trusted. */
  before: string | undefined;
}

/**
 * Cookie sessions as `req.session`: the data of a sealed `PoorSession` cookie (AES-256-GCM,
 * HttpOnly, SameSite=Lax), read on first use and written back with the answer when it changed
 * (a handler may return a plain object). `req.session.destroy()` logs out (the cookie is
 * expired). A forged, stale or expired cookie is an empty session and its cookie is cleared,
 * logged at debug — not an error. A missing or short secret stops `ready()` with a `TypeError`.
 *
 * @example
 * const app = new Application('shop', { secretKey: process.env.SECRET, addOns: [sessions()] });
 * app.route('/login', (req) => { req.session.data.user = 'ann'; return { ok: true }; }, 'POST');
 */
export function sessions(options: SessionsOptions = {}): AddOn {
  const { secretKey, rolling = false, ...cookie } = options;
  return (app) => {
    const opened = new WeakMap<object, Opened>();
    // Derived once when the app gets ready (a missing or short secret stops it there).
    let keys: SessionKeys | undefined;

    app.onReady(() => {
      try {
        keys = new SessionKeys(secretKey ?? app.secretKey);
        new PoorSession(keys, cookie); // the cookie options, checked once too
      } catch (error) {
        throw new TypeError(`sessions(): ${(error as Error).message}`, { cause: error });
      }
    });

    app[kSessions] = (target: object): RequestSession => {
      let state = opened.get(target);
      if (state === undefined) {
        const req = target as Request;
        const session = new PoorSession<SessionData>(keys, cookie);
        let before: string | undefined;
        try {
          before = JSON.stringify(session.load(req).data);
        } catch (error) {
          if (!(error instanceof SessionError)) throw error;
          session.data = {};
          if (debugEnabled(req.app.logger))
            req.app.logger.debug?.(
              { req: logFields(req) },
              `Poor: untrusted session cookie on ${req.method} ${req.raw.url} (${error.message}); cleared`,
            );
        }
        state = { session, before };
        opened.set(target, state);
      }
      return state.session;
    };

    app.addHook('onSend', (req: Request, response: Response): Response => {
      const state = opened.get(req);
      if (state === undefined) return response;
      const { session, before } = state;
      const now = JSON.stringify(session.data);
      // An untrusted cookie left empty is cleared; one replaced by new data (a log-in) is overwritten.
      if (before === undefined && now === '{}') session.destroy();
      if (session.destroyed || rolling || session.rotated || now !== before)
        response.headers.add('Set-Cookie', session.write());
      return response;
    });
  };
}
