// HTTP Digest access authentication (RFC 7616) and Basic (RFC 7617), as before hooks.
import { isUtf8 } from 'node:buffer';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createGuardDecorator } from '../decorators/decorators.js';
import type { BeforeHook } from '../routing/handlers.js';
import { kRequires } from '../http/symbols.js';
import { HTTPException } from '../response/http-error.js';
import { decodeExtValue, parseAuthorization, type ParsedAuthorization } from '../http/auth-params.js';
import type { DigestHash } from '../settings/password-map.js';
import type { DigestAlgorithm, NonceStore } from '../settings/nonce-store.js';
import type { Request } from '../request/request.js';
import type { ClassDecoratorFor, MethodDecoratorFor } from '../routing/route-params.js';
import { describeSecurity } from './security.js';

/** What Digest authentication reads from the application (its options). */
export interface DigestSettings {
  secretKey: string | undefined;
  authAlgorithm: DigestAlgorithm;
  authQop: 'auth' | '';
  authTimeout: number;
  authMap:
    | {
        /** The user's HA1 in the realm for that hash, if any. */
        find(realm: string, user: string, hash: DigestHash): string | undefined;
        /** The hashes the realm's users have. */
        hashes(realm: string): ReadonlySet<DigestHash>;
      }
    | undefined;
  nonceStore: NonceStore;
}

const ALGORITHMS: Record<DigestAlgorithm, { hash: DigestHash; session: boolean }> = {
  MD5: { hash: 'md5', session: false },
  'MD5-sess': { hash: 'md5', session: true },
  'SHA-256': { hash: 'sha256', session: false },
  'SHA-256-sess': { hash: 'sha256', session: true },
};

function h(hash: DigestHash, text: string): string {
  return createHash(hash).update(text, 'utf8').digest('hex');
}

function secretOf(settings: DigestSettings): string {
  const secret = settings.secretKey;
  if (!secret) throw new TypeError('Digest authentication needs the secretKey option (it signs the nonces)');
  return secret;
}

function mac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text).digest();
}

/** A fresh nonce: issue time, 96 random bits, and an HMAC of both (stateless, RFC 7616 §3.3). */
function createNonce(secret: string): string {
  const body = `${Math.floor(Date.now() / 1000).toString(36)}.${randomBytes(12).toString('base64url')}`;
  return `${body}.${mac(secret, `nonce:${body}`).toString('base64url')}`;
}

/** `valid`, `stale` (ours, but older than the timeout) or `forged`. */
function checkNonce(secret: string, nonce: string, timeout: number): 'valid' | 'stale' | 'forged' {
  const last = nonce.lastIndexOf('.');
  if (last === -1 || nonce.length > 128) return 'forged';
  const body = nonce.slice(0, last);
  const given = Buffer.from(nonce.slice(last + 1), 'base64url');
  const expected = mac(secret, `nonce:${body}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  const issued = Number.parseInt(body.slice(0, body.indexOf('.')), 36);
  return Date.now() / 1000 - issued > timeout ? 'stale' : 'valid';
}

function opaqueOf(secret: string, realm: string): string {
  return mac(secret, `opaque:${realm}`).toString('base64url').slice(0, 22);
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The algorithms a realm's challenges offer (RFC 7616 §3.7: the preferred one first). A client
 * picks one before the server knows who it is, so a family is offered only when every user of
 * the realm has an HA1 of it: SHA-256 first, then MD5, with `-sess` as `authAlgorithm` has it.
 * Otherwise just `authAlgorithm`.
 */
function offered(settings: DigestSettings, realm: string): DigestAlgorithm[] {
  const configured = settings.authAlgorithm;
  const session = ALGORITHMS[configured].session ? '-sess' : '';
  const hashes: ReadonlySet<DigestHash> = settings.authMap?.hashes(realm) ?? new Set();
  const list: DigestAlgorithm[] = [];
  if (hashes.has('sha256')) list.push(`SHA-256${session}` as DigestAlgorithm);
  if (hashes.has('md5')) list.push(`MD5${session}` as DigestAlgorithm);
  return list.length > 0 ? list : [configured];
}

/** Header values are latin-1 strings in Node: a UTF-8 user name (charset=UTF-8) is decoded back. */
function utf8(value: string): string {
  if (!/[^\x00-\x7f]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : value;
}

/** The `WWW-Authenticate` values of a Digest 401 for `realm` (one per algorithm offered). */
export function digestChallenges(settings: DigestSettings, realm: string, stale = false): string[] {
  const secret = secretOf(settings);
  const qop = settings.authQop ? `, qop="${settings.authQop}"` : '';
  const nonce = createNonce(secret);
  return offered(settings, realm).map(
    (algorithm) =>
      `Digest realm=${quote(realm)}${qop}, algorithm=${algorithm}, nonce="${nonce}", ` +
      `opaque="${opaqueOf(secret, realm)}", charset=UTF-8${stale ? ', stale=true' : ''}`,
  );
}

function refuse(settings: DigestSettings, realm: string, stale = false, error?: string): HTTPException {
  return new HTTPException(401, {
    error,
    realm,
    stale,
    headers: { 'WWW-Authenticate': digestChallenges(settings, realm, stale) },
  });
}

function requestTarget(req: Request): string {
  return req.raw.url ?? '/';
}

/** Checks a Digest `Authorization` against the settings; returns the user or throws 400/401. */
async function verify(req: Request, settings: DigestSettings, realm: string, only?: string): Promise<string> {
  const header = req.raw.headers.authorization;
  if (header === undefined) throw refuse(settings, realm);
  const parsed: ParsedAuthorization | string = parseAuthorization(header);
  if (typeof parsed === 'string') throw new HTTPException(400, { error: `malformed Authorization: ${parsed}` });
  if (parsed.scheme.toLowerCase() !== 'digest') throw refuse(settings, realm);
  const p = parsed.params;
  const qop = settings.authQop;
  const required = ['realm', 'nonce', 'uri', 'response', ...(qop ? ['qop', 'nc', 'cnonce'] : [])];
  for (const name of required) {
    if (p[name] === undefined) throw new HTTPException(400, { error: `Digest credentials without ${name}` });
  }
  let username = p.username === undefined ? undefined : utf8(p.username);
  if (p['username*'] !== undefined) {
    if (username !== undefined) throw new HTTPException(400, { error: 'both username and username* were sent' });
    username = decodeExtValue(p['username*']);
    if (username === undefined) throw new HTTPException(400, { error: 'malformed username*' });
  }
  if (username === undefined) throw new HTTPException(400, { error: 'Digest credentials without username' });
  if (p.uri !== requestTarget(req)) throw new HTTPException(400, { error: 'the Digest uri is not the request target' });
  if (qop && (p.qop !== qop || !/^[0-9a-f]{8}$/i.test(p.nc as string))) {
    throw new HTTPException(400, { error: 'malformed Digest qop or nc' });
  }
  const secret = secretOf(settings);
  // Any of the four algorithms is accepted when the user has an HA1 of its family (a client
  // may know a stronger one than the challenges could offer to everybody).
  const algorithm = (p.algorithm ?? 'MD5') as DigestAlgorithm;
  if (p.realm !== realm || !Object.hasOwn(ALGORITHMS, algorithm)) throw refuse(settings, realm);
  if (p.opaque !== opaqueOf(secret, realm)) throw refuse(settings, realm);
  const nonce = p.nonce as string;
  const freshness = checkNonce(secret, nonce, settings.authTimeout);
  if (freshness === 'forged') throw refuse(settings, realm);
  if (only !== undefined && username !== only) throw refuse(settings, realm);
  const { hash, session } = ALGORITHMS[algorithm];
  const stored = settings.authMap?.find(realm, username, hash);
  if (stored === undefined) throw refuse(settings, realm);
  const cnonce = p.cnonce ?? '';
  const ha1 = session ? h(hash, `${stored}:${nonce}:${cnonce}`) : stored;
  const ha2 = h(hash, `${req.method}:${p.uri as string}`);
  const expected = qop
    ? h(hash, `${ha1}:${nonce}:${p.nc as string}:${cnonce}:${qop}:${ha2}`)
    : h(hash, `${ha1}:${nonce}:${ha2}`);
  const given = Buffer.from((p.response as string).toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) throw refuse(settings, realm);
  // stale=true only for good credentials on an old nonce (RFC 7616 §3.3): the client retries
  // with a new nonce without asking its user again.
  if (freshness === 'stale') throw refuse(settings, realm, true);
  // Replay protection: each (nonce, nc) is good once; without qop there is no count to check.
  if (qop && !(await countNonce(req, settings.nonceStore, nonce, Number.parseInt(p.nc as string, 16)))) {
    throw refuse(settings, realm);
  }
  return username;
}

/** Nonce stores that failed and have not answered since: one warning an outage, not a request. */
const failing = new WeakSet<NonceStore>();

/**
 * Records a nonce count. A store that fails (a shared store whose server went away) means a
 * replay cannot be told apart: 503 with Retry-After, never a pass (fail closed).
 */
async function countNonce(req: Request, store: NonceStore, nonce: string, nc: number): Promise<boolean> {
  let fresh: boolean;
  try {
    fresh = await store.use(nonce, nc);
  } catch (error) {
    if (!failing.has(store)) {
      failing.add(store);
      req.app.logger.warn(
        { err: error },
        'Poor: the Digest nonce store failed; Digest requests answer 503 until it is back',
      );
    }
    throw new HTTPException(503, { error: 'the nonce store is unavailable', headers: { 'Retry-After': '5' } });
  }
  failing.delete(store);
  return fresh;
}

/**
 * A before hook requiring HTTP Digest credentials of `realm` (of `user` only, when given),
 * checked against the application's `authMap`; sets `req.user`. Use it with `app.before`, a
 * route's `before` option, or as the decorator {@link checkDigest}.
 */
export function digest(realm: string, user?: string): BeforeHook {
  const hook = async (req: Request): Promise<undefined> => {
    req.user = await verify(req, req.app, realm, user);
    return undefined;
  };
  Object.defineProperty(hook, 'name', { value: `digest(${realm})` });
  // Checked when the app gets ready: a missing or short key would make every request a 500.
  Object.defineProperty(hook, kRequires, {
    value: (settings: DigestSettings): string | undefined =>
      Buffer.byteLength(settings.secretKey ?? '') >= 32
        ? undefined
        : 'the secretKey option: at least 32 bytes (it signs the nonces)',
  });
  return describeSecurity(hook, { name: 'digest', scheme: { type: 'http', scheme: 'digest' } });
}

/** Checks a Basic `user:password` pair; may be async. */
export type BasicVerify = (user: string, password: string, req: Request) => boolean | Promise<boolean>;

/**
 * A before hook requiring HTTP Basic credentials that `verify` accepts; sets `req.user`. Basic
 * sends the password itself: use it over TLS (or on loopback) only.
 */
export function basic(realm: string, verify: BasicVerify): BeforeHook {
  const challenge = `Basic realm=${quote(realm)}, charset="UTF-8"`;
  const refused = (): HTTPException => new HTTPException(401, { realm, headers: { 'WWW-Authenticate': challenge } });
  const hook = async (req: Request): Promise<undefined> => {
    const header = req.raw.headers.authorization;
    if (header === undefined) throw refused();
    const parsed = parseAuthorization(header);
    if (typeof parsed === 'string') throw new HTTPException(400, { error: `malformed Authorization: ${parsed}` });
    if (parsed.scheme.toLowerCase() !== 'basic') throw refused();
    if (parsed.token68 === undefined) throw new HTTPException(400, { error: 'Basic credentials are one token' });
    const decoded = Buffer.from(parsed.token68, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new HTTPException(400, { error: 'Basic credentials without a colon' });
    const user = decoded.slice(0, colon);
    if (!(await verify(user, decoded.slice(colon + 1), req))) throw refused();
    req.user = user;
    return undefined;
  };
  Object.defineProperty(hook, 'name', { value: `basic(${realm})` });
  return describeSecurity(hook, { name: 'basic', scheme: { type: 'http', scheme: 'basic' } });
}

/**
 * Requires HTTP Digest credentials of `realm` (of `user` only, when given) on a controller
 * method, or on every route of a controller when it decorates the class; sets `req.user`.
 * It runs as a before hook of those routes, before the body is read.
 *
 * @example
 * @route('/admin') @checkDigest('Admin Zone') admin(req: Request) { return `hello ${req.user}`; }
 */
export function checkDigest(realm: string, user?: string): ClassDecoratorFor & MethodDecoratorFor<never> {
  return createGuardDecorator('@checkDigest', digest(realm, user));
}

/** The Basic sibling of {@link checkDigest}: `verify(user, password, req)` decides (may be async). */
export function checkBasic(realm: string, verify: BasicVerify): ClassDecoratorFor & MethodDecoratorFor<never> {
  return createGuardDecorator('@checkBasic', basic(realm, verify));
}
