import { isPlainObject } from '../http/util.js';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { serializeCookie, type CookieOptions } from '../http/cookies.js';

/**
 * Raised when a session cookie cannot be trusted (tampered, truncated, foreign key, expired,
 * bad format) — the client's doing, answered 400 by default unless a handler for the class
 * says otherwise — or when a session cannot be written (`status` 500: too large a cookie).
 */
export class SessionError extends Error {
  /** The status the application answers with when no handler takes the error. */
  readonly status: number;

  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.name = 'SessionError';
    this.status = options?.status ?? 400;
  }
}

/** Options of {@link Session} and {@link PoorSession}. */
export interface SessionOptions {
  /** Cookie name, default `SESSID`. */
  sid?: string;
  /** Lifetime in seconds from now (sent as Expires); 0 (default) makes a browser-session cookie. */
  expires?: number;
  /** Max-Age attribute in seconds; for `PoorSession` also how long a sealed cookie stays valid (default 14 days). */
  maxAge?: number;
  /** Domain attribute. */
  domain?: string;
  /** Path attribute, default `/`. */
  path?: string;
  /** Secure attribute (default: on when the session was loaded from an HTTPS request). */
  secure?: boolean;
  /** SameSite: `'Strict'`, `'Lax'` (default), `'None'` (needs `secure`) or false. */
  sameSite?: 'Strict' | 'Lax' | 'None' | false;
}

/** Something a Set-Cookie header can be added to: `Headers`, or a response with `headers`. */
export type HeaderTarget =
  | {
      /** Appends a header. */
      add(name: string, value: string): unknown;
    }
  | {
      /** Headers to append to. */
      headers: {
        /** Appends a header. */
        add(name: string, value: string): unknown;
      };
    };

/** Cookie values above this length are refused before decoding; browsers drop longer Set-Cookie lines. */
const MAX_COOKIE = 4096;

/** What `load()` needs of a request: its cookies, and how the client connected. */
export interface SessionRequest {
  /** The request's cookies. */
  cookies: Record<string, string>;
  /** `https` on a TLS socket. */
  scheme?: string;
  /** The client's scheme (`X-Forwarded-Proto` from a trusted proxy); wins over `scheme`. */
  protocol?: string;
}

/** What `load()` reads: a request (its cookies and scheme) or a cookie map (`req.cookies`). */
export type SessionSource = Record<string, string> | SessionRequest | undefined | null;

/**
 * Shared cookie-session machinery: attributes, loading, destroying, writing. `Session` keeps a
 * plain string; `PoorSession` a sealed JSON object.
 */
export abstract class CookieSession<T> {
  /** The session data. */
  data: T;
  /** Cookie name. */
  readonly sid: string;
  #options: Required<Omit<SessionOptions, 'maxAge' | 'domain' | 'sid'>> & Pick<SessionOptions, 'maxAge' | 'domain'>;
  #destroyed = false;
  #explicitSecure: boolean;

  constructor(options: SessionOptions, empty: T) {
    const sameSite = options.sameSite ?? 'Lax';
    if (sameSite !== false && sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
      throw new TypeError(`sameSite=${JSON.stringify(sameSite)} is not valid; use 'Strict', 'Lax', 'None', or false`);
    }
    if (sameSite === 'None' && !options.secure) throw new TypeError("sameSite='None' requires secure=true");
    this.data = empty;
    this.sid = options.sid ?? 'SESSID';
    this.#explicitSecure = options.secure !== undefined;
    this.#options = {
      expires: options.expires ?? 0,
      path: options.path ?? '/',
      secure: options.secure ?? false,
      sameSite,
      maxAge: options.maxAge,
      domain: options.domain,
    };
    // Validate the name and attributes now, not when the first response is sent.
    serializeCookie(this.sid, '', this.#cookieOptions());
  }

  /** Turns a received cookie value into data (may throw {@link SessionError}). */
  protected abstract decode(value: string): T;

  /** Turns data into the cookie value; `destroyed` asks for the value of an emptied session. */
  protected abstract encode(destroyed: boolean): string;

  /**
   * Reads the session from a request (`load(req)`: its cookies; HTTPS turns `Secure` on unless
   * the `secure` option says otherwise) or from a cookie map (`load(req.cookies)`). A missing
   * cookie leaves the session empty; an untrustworthy one throws {@link SessionError}.
   */
  load(source: SessionSource): this {
    const request = source && typeof source.cookies === 'object' ? (source as SessionRequest) : undefined;
    // `protocol` is the client's scheme (X-Forwarded-Proto from a trusted proxy), `scheme` the socket's.
    if ((request?.protocol ?? request?.scheme) === 'https' && !this.#explicitSecure) this.#options.secure = true;
    const cookies = request ? request.cookies : (source as Record<string, string> | undefined | null);
    const value = cookies?.[this.sid];
    if (value !== undefined && value !== '') this.data = this.decode(value);
    return this;
  }

  /** Marks the session for deletion: the next header expires the cookie. */
  destroy(): void {
    this.#destroyed = true;
  }

  /** Whether {@link CookieSession.destroy} was called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  #cookieOptions(): CookieOptions {
    const options = this.#options;
    const cookie: CookieOptions = {
      httpOnly: true,
      path: options.path,
      secure: options.secure,
      sameSite: options.sameSite,
    };
    if (options.domain) cookie.domain = options.domain;
    if (this.#destroyed) {
      cookie.expires = Date.now() - 1000;
      if (options.maxAge !== undefined) cookie.maxAge = 0;
    } else {
      if (options.expires) cookie.expires = Date.now() + options.expires * 1000;
      if (options.maxAge !== undefined) cookie.maxAge = options.maxAge;
    }
    return cookie;
  }

  /** The Set-Cookie header value; a {@link SessionError} (status 500) past 4096 bytes, which browsers would drop. */
  write(): string {
    const line = serializeCookie(this.sid, this.encode(this.#destroyed), this.#cookieOptions());
    if (line.length > MAX_COOKIE) {
      throw new SessionError(
        `the session cookie would be ${line.length} bytes; browsers drop those over ${MAX_COOKIE}`,
        {
          status: 500,
        },
      );
    }
    return line;
  }

  /** The Set-Cookie header as `[name, value]` pairs, also added to `target` when given. */
  header(target?: HeaderTarget): Array<[string, string]> {
    const value = this.write();
    if (target) {
      const headers = 'headers' in target ? target.headers : target;
      headers.add('Set-Cookie', value);
    }
    return [['Set-Cookie', value]];
  }
}

/**
 * A plain cookie session: `data` is the cookie value as is (no integrity, so never trust it
 * for authorisation). The value must be RFC 6265 cookie-octets. Always HttpOnly.
 */
export class Session extends CookieSession<string> {
  constructor(options: SessionOptions = {}) {
    super(options, '');
  }

  protected decode(value: string): string {
    return value;
  }

  protected encode(destroyed: boolean): string {
    return destroyed ? '' : this.data;
  }
}

const VERSION = 2;
const NONCE = 12;
const TAG = 16;
/** The shortest secret accepted: 32 bytes, the key size of AES-256. */
const MIN_SECRET = 32;
const FOURTEEN_DAYS = 14 * 24 * 3600;

/** A session secret: text or bytes. */
export type Secret = string | Uint8Array;

function toKey(secret: Secret): Buffer {
  const material = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (material.length < MIN_SECRET) {
    throw new TypeError(
      `a session secret must have at least ${MIN_SECRET} bytes (got ${material.length}); use 32 random bytes`,
    );
  }
  return Buffer.from(
    hkdfSync('sha256', material, Buffer.from('poor-session'), Buffer.from('poor-session v2 aes-256-gcm'), 32),
  );
}

/**
 * Session keys derived once (HKDF-SHA256, about 10 µs a secret) from one secret or a list of
 * them, for sealing many sessions: `new PoorSession(keys)` derives nothing per request.
 *
 * @example
 * const keys = new SessionKeys(app.secretKey);          // once
 * const session = new PoorSession(keys).load(req);      // per request
 */
export class SessionKeys {
  /** @internal The derived AES-256 keys, the sealing one first. */
  readonly keys: readonly Buffer[];

  constructor(secretKey: Secret | ReadonlyArray<Secret> | undefined) {
    if (secretKey === undefined || secretKey === null) {
      throw new TypeError('PoorSession needs a secret key: set the Application option secretKey (32 random bytes)');
    }
    const secrets = typeof secretKey === 'string' || secretKey instanceof Uint8Array ? [secretKey] : [...secretKey];
    if (secrets.length === 0) throw new TypeError('PoorSession needs at least one secret key');
    this.keys = secrets.map(toKey);
  }
}

/**
 * A self-contained cookie session holding a JSON object, sealed with AES-256-GCM: the key is
 * derived with HKDF-SHA256 from the secret (32 bytes at least), every write uses a fresh
 * random 96-bit nonce, and the cookie name is authenticated too (a cookie cannot be moved to
 * another name). The seal holds its issue time: a cookie older than `maxAge` (default 14 days)
 * does not open, even if the browser kept it. With a list of secrets, the first one seals and
 * each of them opens, so keys can be rotated: a session opened with an older key says so
 * (`rotated`), and writing it seals it with the first.
 *
 * @example
 * const session = new PoorSession<{ user?: string }>(app.secretKey).load(req);
 * session.data.user = 'alice';
 * session.header(response);
 */
export class PoorSession<T extends object = Record<string, unknown>> extends CookieSession<T> {
  #keys: readonly Buffer[];
  #lifetime: number;
  #rotated = false;

  /** `secretKey`: a secret, a list (the first seals, each opens), or {@link SessionKeys} derived once. */
  constructor(secretKey: Secret | ReadonlyArray<Secret> | SessionKeys | undefined, options: SessionOptions = {}) {
    super(options, {} as T);
    this.#keys = (secretKey instanceof SessionKeys ? secretKey : new SessionKeys(secretKey)).keys;
    this.#lifetime = options.maxAge ?? FOURTEEN_DAYS;
  }

  /** Was the cookie opened with an older key of the list? (Write it, and it is sealed with the first.) */
  get rotated(): boolean {
    return this.#rotated;
  }

  /** Opens a sealed value; an untrustworthy or expired one throws {@link SessionError}. */
  protected decode(value: string): T {
    if (value.length > MAX_COOKIE || !/^[A-Za-z0-9_-]+$/.test(value)) throw new SessionError('bad session data');
    const sealed = Buffer.from(value, 'base64url');
    if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) throw new SessionError('bad session data');
    const nonce = sealed.subarray(1, 1 + NONCE);
    const tag = sealed.subarray(sealed.length - TAG);
    const body = sealed.subarray(1 + NONCE, sealed.length - TAG);
    for (const [index, key] of this.#keys.entries()) {
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(Buffer.from(this.sid));
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        continue;
      }
      let sealedData: unknown;
      try {
        sealedData = JSON.parse(plain.toString('utf8'));
      } catch (error) {
        throw new SessionError('bad session data', { cause: error });
      }
      const { i: issued, d: data } = (isPlainObject(sealedData) ? sealedData : {}) as { i?: unknown; d?: unknown };
      if (typeof issued !== 'number' || !isPlainObject(data)) throw new SessionError('session data is not an object');
      if (Date.now() / 1000 - issued > this.#lifetime) throw new SessionError('the session expired');
      this.#rotated = index > 0;
      return data as T;
    }
    throw new SessionError('bad session data');
  }

  protected encode(destroyed: boolean): string {
    const data = destroyed ? {} : this.data;
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0] as Buffer, nonce);
    cipher.setAAD(Buffer.from(this.sid));
    const plain = JSON.stringify({ i: Math.floor(Date.now() / 1000), d: data });
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]).toString('base64url');
  }
}
