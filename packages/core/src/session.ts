import { isPlainObject } from './internal/util.js';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { serializeCookie, type CookieOptions } from './cookies.js';

/** Raised when a session cookie cannot be trusted (tampered, truncated, foreign key, bad format). */
export class SessionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/** Options of {@link Session} and {@link PoorSession}. */
export interface SessionOptions {
  /** Cookie name, default `SESSID`. */
  sid?: string;
  /** Lifetime in seconds from now (sent as Expires); 0 (default) makes a browser-session cookie. */
  expires?: number;
  /** Max-Age in seconds. */
  maxAge?: number;
  /** Domain attribute. */
  domain?: string;
  /** Path attribute, default `/`. */
  path?: string;
  /** Secure attribute. */
  secure?: boolean;
  /** SameSite: `'Strict'`, `'Lax'`, `'None'` (needs `secure`) or false. */
  sameSite?: 'Strict' | 'Lax' | 'None' | false;
}

/** Something a Set-Cookie header can be added to: `Headers`, or a response with `headers`. */
export type HeaderTarget =
  { add(name: string, value: string): unknown } | { headers: { add(name: string, value: string): unknown } };

/** Cookie values above this length are refused before decoding. */
const MAX_COOKIE = 4096;

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

  constructor(options: SessionOptions, empty: T) {
    const sameSite = options.sameSite ?? false;
    if (sameSite !== false && sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
      throw new TypeError(`sameSite=${JSON.stringify(sameSite)} is not valid; use 'Strict', 'Lax', 'None', or false`);
    }
    if (sameSite === 'None' && !options.secure) throw new TypeError("sameSite='None' requires secure=true");
    this.data = empty;
    this.sid = options.sid ?? 'SESSID';
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

  /** Reads the session from request cookies (`req.cookies`); a missing cookie leaves it as is. */
  load(cookies: Record<string, string> | undefined | null): this {
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

  /** The Set-Cookie header value. */
  write(): string {
    return serializeCookie(this.sid, this.encode(this.#destroyed), this.#cookieOptions());
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

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

function toKey(secret: string | Uint8Array): Buffer {
  const material = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (material.length === 0) throw new SessionError('the session secret key is empty');
  return Buffer.from(
    hkdfSync('sha256', material, Buffer.from('poor-session'), Buffer.from('poor-session v1 aes-256-gcm'), 32),
  );
}

/**
 * A self-contained cookie session holding a JSON object, sealed with AES-256-GCM: the key is
 * derived with HKDF-SHA256 from the secret, every write uses a fresh random 96-bit nonce, and
 * the cookie name is authenticated too (a cookie cannot be moved to another name). The value
 * is base64url of `version | nonce | ciphertext | tag`. With a list of secrets, the first one
 * seals and each of them opens, so keys can be rotated.
 *
 * @example
 * const session = new PoorSession(app.secretKey!).load(req.cookies);
 * session.data.user = 'alice';
 * session.header(response);
 */
export class PoorSession extends CookieSession<Record<string, unknown>> {
  #keys: Buffer[];

  constructor(secretKey: string | Uint8Array | ReadonlyArray<string | Uint8Array>, options: SessionOptions = {}) {
    super(options, {});
    const secrets = typeof secretKey === 'string' || secretKey instanceof Uint8Array ? [secretKey] : [...secretKey];
    if (secrets.length === 0) throw new SessionError('no session secret key given');
    this.#keys = secrets.map(toKey);
  }

  /** Opens a sealed value; an untrustworthy one throws {@link SessionError}. */
  protected decode(value: string): Record<string, unknown> {
    if (value.length > MAX_COOKIE || !/^[A-Za-z0-9_-]+$/.test(value)) throw new SessionError('bad session data');
    const sealed = Buffer.from(value, 'base64url');
    if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) throw new SessionError('bad session data');
    const nonce = sealed.subarray(1, 1 + NONCE);
    const tag = sealed.subarray(sealed.length - TAG);
    const body = sealed.subarray(1 + NONCE, sealed.length - TAG);
    for (const key of this.#keys) {
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(Buffer.from(this.sid));
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(plain.toString('utf8'));
      } catch (error) {
        throw new SessionError('bad session data', { cause: error });
      }
      if (!isPlainObject(data)) throw new SessionError('session data is not an object');
      return data;
    }
    throw new SessionError('bad session data');
  }

  protected encode(destroyed: boolean): string {
    const data = destroyed ? {} : this.data;
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0] as Buffer, nonce);
    cipher.setAAD(Buffer.from(this.sid));
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]).toString('base64url');
  }
}
