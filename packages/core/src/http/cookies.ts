import { httpDate } from './dates.js';

/** Options for one Set-Cookie header. */
export interface CookieOptions {
  /** Expiry: a Date or epoch milliseconds. */
  expires?: Date | number;
  /** Max-Age in seconds. */
  maxAge?: number;
  /** Domain attribute. */
  domain?: string;
  /** Path attribute. */
  path?: string;
  /** Secure attribute. */
  secure?: boolean;
  /** HttpOnly attribute. */
  httpOnly?: boolean;
  /** SameSite attribute, or false for none. */
  sameSite?: 'Strict' | 'Lax' | 'None' | false;
  /** Partitioned attribute (CHIPS). */
  partitioned?: boolean;
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 cookie-octet: visible ASCII except `"`, `,`, `;` and `\`.
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const ATTRIBUTE = /^[\x20-\x3a\x3c-\x7e]*$/;
const MAX_HEADER = 16 * 1024;

/**
 * Parses a Cookie request header into a prototype-free object. The first occurrence of a
 * name wins (the most specific path comes first), malformed pairs are skipped, surrounding
 * double quotes are removed. Never throws: it reads raw client input.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  const text = header.length > MAX_HEADER ? header.slice(0, MAX_HEADER) : header;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!name || !NAME.test(name) || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies[name] = value;
  }
  return cookies;
}

/**
 * Renders a Set-Cookie header value. The value must consist of RFC 6265 cookie-octets
 * (encode anything else yourself, e.g. with base64url or `encodeURIComponent`); invalid
 * names, values or attributes throw `TypeError`, so nothing can be injected through them.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new TypeError(`invalid cookie name: ${JSON.stringify(name)}`);
  if (!VALUE.test(value))
    throw new TypeError(`cookie ${name}: the value has characters outside RFC 6265 cookie-octets`);
  const parts = [`${name}=${value}`];
  if (options.domain !== undefined) {
    if (!ATTRIBUTE.test(options.domain) || options.domain === '') throw new TypeError(`cookie ${name}: invalid domain`);
    parts.push(`Domain=${options.domain}`);
  }
  if (options.path !== undefined && options.path !== '') {
    if (!ATTRIBUTE.test(options.path)) throw new TypeError(`cookie ${name}: invalid path`);
    parts.push(`Path=${options.path}`);
  }
  if (options.expires !== undefined) parts.push(`Expires=${httpDate(options.expires)}`);
  if (options.maxAge !== undefined) {
    if (!Number.isInteger(options.maxAge)) throw new TypeError(`cookie ${name}: maxAge must be an integer`);
    parts.push(`Max-Age=${options.maxAge}`);
  }
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  if (options.partitioned) parts.push('Partitioned');
  return parts.join('; ');
}
